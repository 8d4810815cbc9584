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

package compat_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// UpstreamRelease is the release of containernetworking/plugins the suite
// compares with: the newest the Go module proxy serves (checked 2026-12-07).
// Documentation/compatibility.md names the same release.
const UpstreamRelease = "v1.10.0"

// upstreamPlugins are the upstream plugins the cases use, by kind.
var upstreamPlugins = map[string]string{
	"static":      "ipam/static",
	"host-local":  "ipam/host-local",
	"macvlan":     "main/macvlan",
	"ipvlan":      "main/ipvlan",
	"loopback":    "main/loopback",
	"tap":         "main/tap",
	"host-device": "main/host-device",
	"sbr":         "meta/sbr",
}

// upstreamCacheDir is where the upstream binaries are kept between runs:
// $CNI_COMPAT_UPSTREAM_DIR when set, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/cni-plugins-upstream/<release>, outside
// the work tree.
func upstreamCacheDir() (string, error) {
	if d := os.Getenv("CNI_COMPAT_UPSTREAM_DIR"); d != "" {
		return d, nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find cache directory: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "cni-plugins-upstream", UpstreamRelease), nil
}

// buildUpstream installs the upstream release's plugins into the cache
// directory, unless they are all there, and returns it. go install runs in
// an empty temporary directory so this module (and its go.mod) plays no
// part: the binaries are exactly the release's. Only binaries are built;
// the suite never reads upstream's source.
func buildUpstream(log io.Writer) (string, error) {
	dir, err := upstreamCacheDir()
	if err != nil {
		return "", err
	}
	var missing []string
	for name, kind := range upstreamPlugins {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			missing = append(missing, "github.com/containernetworking/plugins/plugins/"+kind+"@"+UpstreamRelease)
		}
	}
	if len(missing) == 0 {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create upstream cache: %w", err)
	}
	empty, err := os.MkdirTemp("", "cni-compat-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(empty)
	fmt.Fprintf(log, "go install %s (GOBIN=%s)\n", strings.Join(missing, " "), dir)
	cmd := exec.Command("go", append([]string{"install"}, missing...)...)
	cmd.Dir = empty
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build upstream %s plugins: %w\n%s", UpstreamRelease, err, out)
	}
	return dir, nil
}
