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

package gomaxprocs

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

const importPath = "github.com/containernetworking/plugins/pkg/utils/gomaxprocs"

func TestOneP(t *testing.T) {
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS after init = %d, want 1", n)
	}
}

// sources returns the Go files matching pattern, skipping the test when
// there are none: the VM guest runs test binaries without the sources.
func sources(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		wd, _ := os.Getwd()
		t.Skipf("needs the sources (%s): none in %s", pattern, wd)
	}
	return files
}

// imports returns the import paths of the Go file name.
func imports(t *testing.T, name string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestImportsOnlyRuntime keeps the package among the first initialised.
func TestImportsOnlyRuntime(t *testing.T) {
	for _, name := range sources(t, "*.go") {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		for _, p := range imports(t, name) {
			if p != "runtime" {
				t.Errorf("%s imports %s; the package must import runtime only", name, p)
			}
		}
	}
}

// TestEveryPluginImportsIt checks the main package of every plugin.
func TestEveryPluginImportsIt(t *testing.T) {
	dirs := sources(t, "../../../plugins/*/*/main.go")
	for _, mainFile := range dirs {
		found := false
		for _, name := range sources(t, filepath.Join(filepath.Dir(mainFile), "*.go")) {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			for _, p := range imports(t, name) {
				found = found || p == importPath
			}
		}
		if !found {
			t.Errorf("plugin %s does not import %s", filepath.Dir(mainFile), importPath)
		}
	}
}
