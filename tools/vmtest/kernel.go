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
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
)

// kernelMeta is the package that pulls Debian's current stock kernel; it
// depends on exactly one versioned linux-image-<abi>-amd64 package.
const kernelMeta = "linux-image-amd64"

// guestKernel is a kernel unpacked into the cache: vmlinuz and the modules
// the guest loads, in load order.
type guestKernel struct {
	Release    string   `json:"release"`     // uname -r, e.g. 6.1.0-56-amd64
	Package    string   `json:"package"`     // linux-image-6.1.0-56-amd64
	PkgVersion string   `json:"pkg_version"` // 6.1.192-2
	Wanted     []string `json:"wanted"`      // modules asked for
	Order      []string `json:"order"`       // module files under modules/, load order

	dir string
}

func (k *guestKernel) vmlinuz() string { return filepath.Join(k.dir, "vmlinuz") }

func (k *guestKernel) module(f string) string { return filepath.Join(k.dir, "modules", f) }

// defaultCacheRoot is outside the work tree so `git clean` and fresh
// clones keep it: ${XDG_CACHE_HOME:-$HOME/.cache}/cni-plugins-vm.
func defaultCacheRoot() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "cni-plugins-vm")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "cni-plugins-vm")
	}
	return filepath.Join(os.TempDir(), "cni-plugins-vm")
}

var kernelDepRe = regexp.MustCompile(`^linux-image-(\S+)\s+\(=\s*([^)\s]+)\)`)

// resolveKernel finds the current kernel package through apt (after
// refreshing the package lists unless noUpdate) and returns it from the
// cache, fetching it first when the cache holds another version. Without
// apt answers it falls back to the newest cached kernel.
func resolveKernel(root string, wanted []string, noUpdate bool, logf func(string, ...any)) (*guestKernel, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("create cache %s: %w", root, err)
	}
	unlock, err := lockDir(root)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if !noUpdate {
		if out, err := asRoot("apt-get", "update", "-qq").CombinedOutput(); err != nil {
			logf("apt-get update failed (%v); using the package lists as they are:\n%s", err, out)
		}
	}
	pkg, ver, err := currentKernelPackage()
	if err != nil {
		k, cerr := newestCached(root, wanted)
		if cerr != nil {
			return nil, fmt.Errorf("resolve kernel: %w; no usable cached kernel: %w", err, cerr)
		}
		logf("cannot resolve the current kernel (%v); using cached %s", err, k.Release)
		return k, nil
	}
	release := strings.TrimPrefix(pkg, "linux-image-")
	dir := filepath.Join(root, release)
	if k, err := loadCached(dir); err == nil && k.PkgVersion == ver && slices.Equal(k.Wanted, wanted) {
		return k, nil
	}
	logf("fetching %s %s into %s", pkg, ver, dir)
	k, err := fetchKernel(root, dir, pkg, ver, release, wanted)
	if err != nil {
		// Stale package lists name a version the archive has dropped;
		// an older cached kernel still tests the features.
		k, cerr := newestCached(root, wanted)
		if cerr != nil {
			return nil, err
		}
		logf("fetching %s failed (%v); using cached %s", pkg, err, k.Release)
		return k, nil
	}
	prune(root, release, logf)
	return k, nil
}

// currentKernelPackage reads the versioned dependency of linux-image-amd64.
func currentKernelPackage() (string, string, error) {
	out, err := exec.Command("apt-cache", "show", "--no-all-versions", kernelMeta).Output()
	if err != nil {
		return "", "", fmt.Errorf("apt-cache show %s: %w", kernelMeta, err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		deps, ok := strings.CutPrefix(l, "Depends:")
		if !ok {
			continue
		}
		for _, d := range strings.Split(deps, ",") {
			if m := kernelDepRe.FindStringSubmatch(strings.TrimSpace(d)); m != nil {
				return "linux-image-" + m[1], m[2], nil
			}
		}
	}
	return "", "", fmt.Errorf("find versioned dependency of %s: none in apt-cache output", kernelMeta)
}

func loadCached(dir string) (*guestKernel, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	k := &guestKernel{}
	if err := json.Unmarshal(b, k); err != nil {
		return nil, fmt.Errorf("decode %s/manifest.json: %w", dir, err)
	}
	k.dir = dir
	for _, f := range append([]string{k.vmlinuz()}, mapStrings(k.Order, k.module)...) {
		if _, err := os.Stat(f); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func newestCached(root string, wanted []string) (*guestKernel, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var best *guestKernel
	var bestTime int64
	for _, e := range ents {
		k, err := loadCached(filepath.Join(root, e.Name()))
		if err != nil || !slices.Equal(k.Wanted, wanted) {
			continue
		}
		st, err := os.Stat(filepath.Join(k.dir, "manifest.json"))
		if err == nil && st.ModTime().UnixNano() > bestTime {
			best, bestTime = k, st.ModTime().UnixNano()
		}
	}
	if best == nil {
		return nil, errors.New("cache is empty")
	}
	return best, nil
}

// fetchKernel downloads and unpacks pkg, computes the module closure with
// depmod, and keeps only vmlinuz and those modules under dir.
func fetchKernel(root, dir, pkg, ver, release string, wanted []string) (*guestKernel, error) {
	tmp, err := os.MkdirTemp(root, ".fetch-")
	if err != nil {
		return nil, fmt.Errorf("create fetch dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	// apt's sandbox user must be able to write the download directory.
	_ = os.Chmod(tmp, 0o777)

	dl := exec.Command("apt-get", "download", "-qq", pkg+"="+ver)
	dl.Dir = tmp
	if out, err := dl.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("apt-get download %s=%s: %w\n%s", pkg, ver, err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return nil, fmt.Errorf("apt-get download %s: expected one .deb, found %d", pkg, len(debs))
	}
	x := filepath.Join(tmp, "x")
	if out, err := exec.Command("dpkg-deb", "-x", debs[0], x).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("unpack %s: %w\n%s", debs[0], err, out)
	}
	if out, err := exec.Command(sbin("depmod"), "-b", x, release).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("depmod %s: %w\n%s", release, err, out)
	}
	modDir := filepath.Join(x, "lib", "modules", release)
	f, err := os.Open(filepath.Join(modDir, "modules.dep"))
	if err != nil {
		return nil, fmt.Errorf("read modules.dep: %w", err)
	}
	deps, err := parseModulesDep(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	order, err := loadOrder(deps, wanted)
	if err != nil {
		return nil, err
	}

	stage := filepath.Join(tmp, "stage")
	if err := os.MkdirAll(filepath.Join(stage, "modules"), 0o755); err != nil {
		return nil, err
	}
	k := &guestKernel{Release: release, Package: pkg, PkgVersion: ver, Wanted: wanted}
	if err := copyFile(filepath.Join(x, "boot", "vmlinuz-"+release), filepath.Join(stage, "vmlinuz")); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range order {
		base := filepath.Base(m)
		if seen[base] {
			return nil, fmt.Errorf("modules %s: two modules share the file name %s", m, base)
		}
		seen[base] = true
		if err := copyFile(filepath.Join(modDir, m), filepath.Join(stage, "modules", base)); err != nil {
			return nil, err
		}
		k.Order = append(k.Order, base)
	}
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(stage, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("replace %s: %w", dir, err)
	}
	if err := os.Rename(stage, dir); err != nil {
		return nil, fmt.Errorf("install %s: %w", dir, err)
	}
	k.dir = dir
	return k, nil
}

// prune removes cached kernels other than keep: old security versions
// leave the archive anyway.
func prune(root, keep string, logf func(string, ...any)) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	var gone []string
	for _, e := range ents {
		if !e.IsDir() || e.Name() == keep || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), "manifest.json")); err != nil {
			continue // not ours
		}
		if os.RemoveAll(filepath.Join(root, e.Name())) == nil {
			gone = append(gone, e.Name())
		}
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		logf("removed old cached kernels: %s", strings.Join(gone, " "))
	}
}

// lockDir serializes runs that share a cache.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock cache: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock cache: %w", err)
	}
	return func() { f.Close() }, nil
}

// asRoot runs a command directly as root, else through non-interactive sudo.
func asRoot(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command(name, args...)
	}
	return exec.Command("sudo", append([]string{"-n", name}, args...)...)
}

// sbin finds a tool that may live in /usr/sbin or /sbin, which are not on
// every non-root PATH.
func sbin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(d, name); isExec(p) {
			return p
		}
	}
	return name
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
