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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

const (
	testutilsPkg = "github.com/containernetworking/plugins/pkg/testutils"
	ginkgoPkg    = "github.com/onsi/ginkgo/v2"
)

// hostOnlyPkgs use pkg/testutils but cannot run in the guest: the
// differential suite builds upstream's plugins with the Go toolchain and
// the module proxy, neither of which the guest has. They are left out of
// the default selection (and skip when named explicitly).
var hostOnlyPkgs = map[string]bool{
	"github.com/containernetworking/plugins/integration/compat": true,
	// podman, runc and conmon are Debian packages the busybox guest lacks.
	"github.com/containernetworking/plugins/integration/podman": true,
}

// testPkg is one package whose test binary runs in the guest.
type testPkg struct {
	ImportPath string
	Dir        string // host directory
	Rel        string // directory under /src in the guest
	Ginkgo     bool   // pass -ginkgo.* flags
	Bin        string // host path of the built test binary
}

func (p *testPkg) guestDir() string { return path.Join("/src", p.Rel) }

func (p *testPkg) binName() string { return path.Base(p.ImportPath) + ".test" }

type listedPkg struct {
	ImportPath   string
	Dir          string
	Imports      []string
	TestGoFiles  []string
	XTestGoFiles []string
	TestImports  []string
	XTestImports []string
}

// selectPackages lists patterns with go list. With no patterns it keeps the
// kernel-test packages of the module: those whose tests import
// pkg/testutils (and pkg/testutils itself when it has tests). Explicit
// patterns keep every matched package that has tests.
func selectPackages(repo string, patterns []string) ([]testPkg, error) {
	all := len(patterns) == 0
	if all {
		patterns = []string{"./..."}
	}
	args := append([]string{"list", "-json=ImportPath,Dir,Imports,TestGoFiles,XTestGoFiles,TestImports,XTestImports"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w\n%s", strings.Join(patterns, " "), err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var listed []listedPkg
	for {
		var l listedPkg
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		listed = append(listed, l)
	}
	kernel := kernelTestPackages(listed)
	var pkgs []testPkg
	for _, l := range listed {
		if len(l.TestGoFiles)+len(l.XTestGoFiles) == 0 {
			continue
		}
		if all && !kernel[l.ImportPath] {
			continue
		}
		imports := append(slices.Clone(l.TestImports), l.XTestImports...)
		rel, err := filepath.Rel(repo, l.Dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = path.Join("ext", strings.ReplaceAll(l.ImportPath, "/", "_"))
		}
		pkgs = append(pkgs, testPkg{
			ImportPath: l.ImportPath,
			Dir:        l.Dir,
			Rel:        filepath.ToSlash(rel),
			Ginkgo:     slices.Contains(imports, ginkgoPkg),
		})
	}
	return pkgs, nil
}

// kernelTestPackages returns the packages whose tests use pkg/testutils,
// directly or through a test helper package of the module (such as a
// shared fixture package that imports it), and pkg/testutils itself,
// except hostOnlyPkgs.
func kernelTestPackages(listed []listedPkg) map[string]bool {
	imports := map[string][]string{}
	for _, l := range listed {
		imports[l.ImportPath] = l.Imports
	}
	// reaches memoises whether a package's own imports lead to testutils.
	reaches := map[string]bool{testutilsPkg: true}
	var walk func(p string, seen map[string]bool) bool
	walk = func(p string, seen map[string]bool) bool {
		if r, ok := reaches[p]; ok {
			return r
		}
		if seen[p] {
			return false
		}
		seen[p] = true
		r := false
		for _, i := range imports[p] {
			if walk(i, seen) {
				r = true
				break
			}
		}
		reaches[p] = r
		return r
	}
	kernel := map[string]bool{testutilsPkg: true}
	for _, l := range listed {
		if hostOnlyPkgs[l.ImportPath] {
			continue
		}
		for _, i := range append(slices.Clone(l.TestImports), l.XTestImports...) {
			if walk(i, map[string]bool{}) {
				kernel[l.ImportPath] = true
				break
			}
		}
	}
	return kernel
}

// buildTests compiles each package's test binary for the guest: static
// (CGO_ENABLED=0, so no -race), symbols stripped to keep the initramfs
// small. A package that does not compile is reported and left out.
func buildTests(repo, outDir string, pkgs []testPkg, stdout io.Writer) (built []testPkg, failed []string) {
	for i, p := range pkgs {
		bin := filepath.Join(outDir, fmt.Sprintf("%03d-%s", i, p.binName()))
		cmd := exec.Command("go", "test", "-c", "-o", bin, "-ldflags=-s -w", p.ImportPath)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout = stdout
		cmd.Stderr = stdout
		if err := cmd.Run(); err != nil {
			_, _ = fmt.Fprintf(stdout, "FAIL\t%s [build failed]\n", p.ImportPath)
			failed = append(failed, p.ImportPath)
			continue
		}
		if _, err := os.Stat(bin); err != nil {
			// go test -c writes nothing for a package without tests.
			_, _ = fmt.Fprintf(stdout, "vmtest: %s has no test binary; skipped\n", p.ImportPath)
			continue
		}
		p.Bin = bin
		built = append(built, p)
	}
	return built, failed
}
