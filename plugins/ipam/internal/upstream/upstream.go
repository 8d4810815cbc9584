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

// Package upstream provides the released binaries of upstream's plugins
// (github.com/containernetworking/plugins) to the IPAM plugins' tests, which
// run them side by side with ours: upstream's behavior is the contract, and
// its on-disk state must survive an upgrade to ours and back. Only the
// binaries are used, built by the Go toolchain from the module proxy; their
// source is never read.
package upstream

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Skip and Fail for specs
)

// Release is the upstream release the tests compare with.
const Release = "v1.10.0"

// errUnavailable marks a binary that cannot be had in this environment (no
// Go toolchain, as in the VM guest) rather than a failed build.
var errUnavailable = errors.New("unavailable")

// Bin returns the path of upstream's plugin kind/name ("ipam/host-local")
// of Release. It looks in $CNI_UPSTREAM_BIN_DIR, then in the repository's
// .cache/upstream/<Release>/, and otherwise builds it there with
// `go install <module>/plugins/<kind>/<name>@<Release>` run from an empty
// temporary directory, so that this module and its go.mod play no part.
func Bin(kind, name string) (string, error) {
	if d := os.Getenv("CNI_UPSTREAM_BIN_DIR"); d != "" {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if os.Getenv("CNI_TEST_BIN_DIR") != "" {
		// The VM runner's guest: prebuilt binaries of ours, no toolchain.
		return "", fmt.Errorf("upstream %s %s: %w in the VM guest (no Go toolchain); these specs run on the host", name, Release, errUnavailable)
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("upstream %s %s: %w: no go command to build it", name, Release, errUnavailable)
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	cache := filepath.Join(root, ".cache", "upstream", Release)
	p := filepath.Join(cache, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	// Built into a directory of its own and renamed into the cache, so
	// that test packages building the same binary at once never see a
	// partial file.
	gobin, err := os.MkdirTemp(cache, ".build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(gobin)
	empty, err := os.MkdirTemp("", "upstream-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(empty)
	cmd := exec.Command("go", "install",
		fmt.Sprintf("github.com/containernetworking/plugins/plugins/%s/%s@%s", kind, name, Release))
	cmd.Dir = empty
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build upstream %s %s: %w\n%s", name, Release, err, out)
	}
	if err := os.Rename(filepath.Join(gobin, name), p); err != nil {
		return "", err
	}
	return p, nil
}

// Require returns Bin(kind, name) for a spec. It skips the spec where the
// binary is unavailable (the VM guest), and fails it when the build fails.
func Require(kind, name string) string {
	p, err := Bin(kind, name)
	switch {
	case errors.Is(err, errUnavailable):
		Skip(err.Error())
	case err != nil:
		Fail(err.Error())
	}
	return p
}

// repoRoot walks up from the working directory to the directory of go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the repository: no go.mod above the working directory")
		}
		dir = parent
	}
}
