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

// upstreamSource says where the upstream binaries come from.
type upstreamSource struct {
	Dir   string // a directory given with CNI_UPSTREAM_BIN_DIR: used as is
	Cache string // else: build into this cache directory, reused when present
}

// defaultUpstreamCache is where go install puts the binaries, the cache
// integration/compat uses as well (same flags: CGO_ENABLED=0):
// ${XDG_CACHE_HOME:-$HOME/.cache}/cni-plugins-upstream/<release>.
func defaultUpstreamCache() string {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		if h, err := os.UserHomeDir(); err == nil {
			base = filepath.Join(h, ".cache")
		} else {
			base = os.TempDir()
		}
	}
	return filepath.Join(base, "cni-plugins-upstream", upstreamRelease)
}

// upstreamBinaries returns the host paths of the named upstream plugins,
// by name. From src.Dir it takes what is there; otherwise it builds the
// missing ones into src.Cache with go install, run in an empty temporary
// directory with GOFLAGS=-mod=mod so this module plays no part (only
// binaries are built; upstream's source is never read). Every binary must
// be statically linked: the guest has no dynamic loader. The error lists
// every plugin that is missing or unusable.
func upstreamBinaries(src upstreamSource, names []string, log io.Writer) (map[string]string, error) {
	for _, n := range names {
		if _, ok := upstreamKinds[n]; !ok {
			return nil, fmt.Errorf("unknown upstream plugin %q (known: %s)", n, strings.Join(knownUpstream(), ", "))
		}
	}
	dir := src.Dir
	if dir == "" {
		dir = src.Cache
		if err := goInstallUpstream(dir, names, log); err != nil {
			return nil, err
		}
	}
	bins := map[string]string{}
	var errs []error
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := checkStatic(p); err != nil {
			errs = append(errs, fmt.Errorf("upstream %s: %w", n, err))
			continue
		}
		bins[n] = p
	}
	return bins, errors.Join(errs...)
}

// goInstallUpstream builds the named plugins that dir lacks.
func goInstallUpstream(dir string, names []string, log io.Writer) error {
	var missing []string
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			missing = append(missing, "github.com/containernetworking/plugins/plugins/"+upstreamKinds[n]+"@"+upstreamRelease)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create upstream cache: %w", err)
	}
	empty, err := os.MkdirTemp("", "cni-vmtest-upstream-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(empty) }()
	_, _ = fmt.Fprintf(log, "vmtest: go install %s (GOBIN=%s)\n", strings.Join(missing, " "), dir)
	cmd := exec.Command("go", append([]string{"install"}, missing...)...)
	cmd.Dir = empty
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build upstream %s plugins: %w\n%s", upstreamRelease, err, out)
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
