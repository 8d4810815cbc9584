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

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// upstreamRelease is the release of containernetworking/plugins whose
// binaries the guest's differential specs compare ours with; the same as
// integration/compat's UpstreamRelease.
const upstreamRelease = "v1.10.0"

// upstreamKinds maps the upstream plugins the runner can pack to their
// directory under plugins/ in upstream's module.
var upstreamKinds = map[string]string{
	"static":      "ipam/static",
	"host-local":  "ipam/host-local",
	"macvlan":     "main/macvlan",
	"ipvlan":      "main/ipvlan",
	"vlan":        "main/vlan",
	"dummy":       "main/dummy",
	"vrf":         "meta/vrf",
	"sbr":         "meta/sbr",
	"tap":         "main/tap",
	"host-device": "main/host-device",
}

// defaultUpstreamPlugins are the upstream plugins packed by default: those
// the guest-only differential specs exec (vlan, dummy, vrf) and the IPAM
// plugins a chain may delegate to. Each is 4-8 MiB, so the list stays short.
var defaultUpstreamPlugins = []string{"vlan", "dummy", "vrf", "static", "host-local"}

// upstreamDir is where the binaries are taken from and built into, as
// pkg/testutils/upstream does on the host: $CNI_UPSTREAM_BIN_DIR when set,
// else ${XDG_CACHE_HOME:-$HOME/.cache}/cni-plugins-upstream/<release>
// (without $HOME, under the temporary directory), the cache
// integration/compat builds into with the same flags (CGO_ENABLED=0).
func upstreamDir() string {
	if d := os.Getenv("CNI_UPSTREAM_BIN_DIR"); d != "" {
		return d
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			h = os.TempDir()
		}
		base = filepath.Join(h, ".cache")
	}
	return filepath.Join(base, "cni-plugins-upstream", upstreamRelease)
}

// upstreamBinaries returns the host paths of the named upstream plugins in
// dir, by name, building the missing ones first. Every binary must be
// statically linked: the guest has no dynamic loader. The error lists
// every plugin that is missing or unusable; the map holds the others.
func upstreamBinaries(dir string, names []string, log io.Writer) (map[string]string, error) {
	for _, n := range names {
		if _, ok := upstreamKinds[n]; !ok {
			return nil, fmt.Errorf("unknown upstream plugin %q (known: %s)", n, strings.Join(knownUpstream(), ", "))
		}
	}
	var errs []error
	if err := goInstallUpstream(dir, names, log); err != nil {
		errs = append(errs, err)
	}
	bins := map[string]string{}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := checkStatic(p, "build it with CGO_ENABLED=0"); err != nil {
			errs = append(errs, fmt.Errorf("upstream %s: %w", n, err))
			continue
		}
		bins[n] = p
	}
	return bins, errors.Join(errs...)
}

// missingUpstream returns the go install arguments of the names dir lacks.
func missingUpstream(dir string, names []string) []string {
	var missing []string
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
			continue
		}
		missing = append(missing, "github.com/containernetworking/plugins/plugins/"+upstreamKinds[n]+"@"+upstreamRelease)
	}
	return missing
}

// goInstallUpstream builds the named plugins that dir lacks with go
// install, run in an empty temporary directory with GOFLAGS=-mod=mod so
// this module plays no part (only binaries are built; upstream's source is
// never read). It holds the flock on dir/.lock that pkg/testutils/upstream
// takes too, and installs into a directory of its own inside dir whose
// binaries it renames into place, so nobody sees a partial file.
func goInstallUpstream(dir string, names []string, log io.Writer) error {
	if len(missingUpstream(dir, names)) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create upstream cache: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	missing := missingUpstream(dir, names)
	if len(missing) == 0 {
		return nil
	}
	gobin, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(gobin) }()
	empty, err := os.MkdirTemp("", "cni-vmtest-upstream-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(empty) }()
	_, _ = fmt.Fprintf(log, "vmtest: go install %s (into %s)\n", strings.Join(missing, " "), dir)
	cmd := exec.Command("go", append([]string{"install"}, missing...)...)
	cmd.Dir = empty
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build upstream %s plugins: %w\n%s", upstreamRelease, err, out)
	}
	for _, m := range missing {
		n := path.Base(strings.TrimSuffix(m, "@"+upstreamRelease))
		if err := os.Rename(filepath.Join(gobin, n), filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("install upstream %s: %w", n, err)
		}
	}
	return nil
}

func knownUpstream() []string {
	var k []string
	for n := range upstreamKinds {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// sortedNames returns the keys of bins in order, for packing and logs.
func sortedNames(bins map[string]string) []string {
	var n []string
	for k := range bins {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}
