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
// (github.com/containernetworking/plugins) to the tests that run them side
// by side with ours: upstream's behavior is the contract
// (Documentation/compatibility.md). It is the one way tests get them.
//
// The binaries are built with the Go toolchain from the module proxy,
// `go install github.com/containernetworking/plugins/plugins/<kind>/<name>@<Release>`,
// run in an empty temporary directory so that this module and its go.mod
// play no part: they are exactly the release's. Only binaries are built;
// upstream's source is never read. They are kept in a cache outside the work
// tree and reused:
//
//	$CNI_UPSTREAM_BIN_DIR when set (binaries missing there are built into it),
//	else ${XDG_CACHE_HOME:-$HOME/.cache}/cni-plugins-upstream/<Release>
//	($HOME unset: the temporary directory in its place).
//
// Where they cannot be had — in the VM guest (CNI_TEST_IN_VM=1, no Go
// toolchain) or without a go command — Require skips the spec with the
// reason; with CI=true a missing go command fails it instead, and a failed
// build always fails it, so that CI never skips a comparison silently.
package upstream

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"golang.org/x/sys/unix"
)

// Release is the upstream release the tests compare with: the newest the
// Go module proxy serves (checked 2026-12-07). Documentation/compatibility.md
// names the same release.
const Release = "v1.10.0"

// Module is upstream's module path.
const Module = "github.com/containernetworking/plugins"

// ErrUnavailable marks binaries that cannot be had in this environment (no
// Go toolchain, as in the VM guest) rather than a failed build.
var ErrUnavailable = errors.New("upstream binaries unavailable")

// kinds maps each Linux plugin of the release to its directory under
// plugins/.
var kinds = map[string]string{
	"static": "ipam", "host-local": "ipam", "dhcp": "ipam",
	"bridge": "main", "ptp": "main", "macvlan": "main", "ipvlan": "main", "loopback": "main",
	"host-device": "main", "vlan": "main", "dummy": "main", "tap": "main",
	"tuning": "meta", "portmap": "meta", "firewall": "meta", "bandwidth": "meta", "sbr": "meta", "vrf": "meta",
}

// Package returns the import path of upstream's plugin name at Release, as
// go install takes it.
func Package(name string) (string, error) {
	kind, ok := kinds[name]
	if !ok {
		return "", fmt.Errorf("upstream plugin %q: no such plugin in %s", name, Release)
	}
	return fmt.Sprintf("%s/plugins/%s/%s@%s", Module, kind, name, Release), nil
}

// Dir returns the directory holding the binaries: $CNI_UPSTREAM_BIN_DIR,
// else ${XDG_CACHE_HOME:-$HOME/.cache}/cni-plugins-upstream/<Release>.
func Dir() (string, error) {
	if d := os.Getenv("CNI_UPSTREAM_BIN_DIR"); d != "" {
		return d, nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			// No $HOME (a bare CI environment): a cache that lives as
			// long as the machine's temporary directory.
			home = os.TempDir()
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "cni-plugins-upstream", Release), nil
}

// Install makes sure Dir holds upstream's plugins names, building the
// missing ones with one go install, and returns Dir. The error wraps
// ErrUnavailable where no binary can be built here.
func Install(names ...string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	missing, err := missingPackages(dir, names)
	if err != nil || len(missing) == 0 {
		return dir, err
	}
	if os.Getenv("CNI_TEST_IN_VM") == "1" {
		return "", fmt.Errorf("upstream %s %s: %w in the VM guest (no Go toolchain); these comparisons run on the host",
			strings.Join(names, ", "), Release, ErrUnavailable)
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("upstream %s %s: %w: no go command to build them", strings.Join(names, ", "), Release, ErrUnavailable)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create the upstream binaries' cache: %w", err)
	}
	// Test packages run in parallel and may ask for the same binaries: one
	// builds while the others wait, then find them there.
	unlock, err := lock(dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if missing, err = missingPackages(dir, names); err != nil || len(missing) == 0 {
		return dir, err
	}
	return dir, build(dir, missing)
}

// Bin returns the path of upstream's plugin name, built by Install when
// missing.
func Bin(name string) (string, error) {
	dir, err := Install(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// Require returns Install(names...) for a spec: it skips the spec where the
// binaries are unavailable (the VM guest; no go command outside CI) and
// fails it when the build fails or, with CI=true, when there is no go
// command.
func Require(names ...string) string {
	ginkgo.GinkgoHelper()
	dir, err := Install(names...)
	switch {
	case errors.Is(err, ErrUnavailable) && (os.Getenv("CI") != "true" || os.Getenv("CNI_TEST_IN_VM") == "1"):
		ginkgo.Skip(err.Error())
	case err != nil:
		ginkgo.Fail(err.Error())
	}
	return dir
}

// RequireBin returns the path of upstream's plugin name for a spec, as
// Require.
func RequireBin(name string) string {
	ginkgo.GinkgoHelper()
	return filepath.Join(Require(name), name)
}

// missingPackages returns the go install arguments of the names that dir
// does not hold.
func missingPackages(dir string, names []string) ([]string, error) {
	var missing []string
	for _, n := range names {
		pkg, err := Package(n)
		if err != nil {
			return nil, err
		}
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
			continue
		}
		missing = append(missing, pkg)
	}
	sort.Strings(missing)
	return missing, nil
}

// build installs pkgs into a directory of its own inside dir and renames
// each binary into dir, so that nobody ever sees a partial file, also after
// a build that was killed.
func build(dir string, pkgs []string) error {
	gobin, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(gobin)
	empty, err := os.MkdirTemp("", "upstream-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(empty)
	cmd := exec.Command("go", append([]string{"install"}, pkgs...)...)
	cmd.Dir = empty
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go install %s: %w\n%s", strings.Join(pkgs, " "), err, out)
	}
	for _, pkg := range pkgs {
		name := filepath.Base(strings.TrimSuffix(pkg, "@"+Release))
		if err := os.Rename(filepath.Join(gobin, name), filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("install upstream %s: %w", name, err)
		}
	}
	return nil
}

// lock takes an exclusive flock on dir/.lock and returns its release.
func lock(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock the upstream binaries' cache: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the upstream binaries' cache: %w", err)
	}
	return func() { f.Close() }, nil
}
