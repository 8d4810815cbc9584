// Copyright 2026 CNI authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package testutils

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildPlugins makes the named plugins ("static", "macvlan", ...) available
// as binaries and returns their directory, for CNI_PATH. When
// CNI_TEST_BIN_DIR is set (the VM runner sets it: its guest has no Go
// toolchain) the binaries there are used. Otherwise each plugin is built
// from plugins/*/<name> of this repository into a new directory under dir,
// so that tests never depend on a prior ./build_linux.sh or a stale bin/.
func BuildPlugins(dir string, names ...string) (string, error) {
	if d := os.Getenv("CNI_TEST_BIN_DIR"); d != "" {
		return d, nil
	}
	root := filepath.Dir(PluginBinDir())
	out, err := os.MkdirTemp(dir, "cni-bin-")
	if err != nil {
		return "", err
	}
	for _, name := range names {
		matches, _ := filepath.Glob(filepath.Join(root, "plugins", "*", name))
		if len(matches) != 1 {
			return "", fmt.Errorf("build plugin %s: want one plugins/*/%s in %s, found %d", name, name, root, len(matches))
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(out, name), ".")
		cmd.Dir = matches[0]
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("build plugin %s: %w\n%s", name, err, b)
		}
	}
	return out, nil
}

// PluginBinDir returns where the built plugins are: $CNI_TEST_BIN_DIR when
// set, otherwise the bin directory of the repository, found by walking up
// from the working directory to go.mod. It falls back to "bin".
func PluginBinDir() string {
	if d := os.Getenv("CNI_TEST_BIN_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return "bin"
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "bin")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "bin"
		}
		dir = parent
	}
}
