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

package skel_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The point of the package is a cheap plugin start: these stay out.
var forbiddenDeps = []string{
	"regexp",
	"regexp/syntax",
	"github.com/containernetworking/cni/pkg/skel",
	"github.com/containernetworking/cni/pkg/utils",
}

var _ = Describe("package skel itself", func() {
	DescribeTable("depends on neither regexp nor cni's skel or utils",
		func(goos string) {
			goBin, err := exec.LookPath("go")
			if err != nil {
				Skip("needs the go command: " + err.Error())
			}
			cmd := exec.Command(goBin, "list", "-deps", ".")
			cmd.Env = append(os.Environ(), "GOOS="+goos)
			out, err := cmd.Output()
			var stderr string
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				stderr = string(exitErr.Stderr)
			}
			Expect(err).NotTo(HaveOccurred(), "go list -deps: %s", stderr)
			deps := strings.Fields(string(out))
			Expect(deps).To(ContainElement("github.com/containernetworking/plugins/pkg/skel"))
			for _, f := range forbiddenDeps {
				Expect(deps).NotTo(ContainElement(f))
			}
		},
		Entry(nil, "linux"),
		Entry(nil, "darwin"),
	)

	It("has no init function and no package-level variable", func() {
		files, err := filepath.Glob("*.go")
		Expect(err).NotTo(HaveOccurred())
		if len(files) == 0 {
			// The VM guest runs the test binary without the sources.
			Skip("needs the package's sources: none in " + mustGetwd())
		}
		fset := token.NewFileSet()
		checked := 0
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			Expect(err).NotTo(HaveOccurred())
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					Expect(d.Recv == nil && d.Name.Name == "init").To(BeFalse(), "init function at %s", fset.Position(d.Pos()))
				case *ast.GenDecl:
					Expect(d.Tok).NotTo(Equal(token.VAR), "package-level variable at %s", fset.Position(d.Pos()))
				}
			}
			checked++
		}
		Expect(checked).To(BeNumerically(">=", 3))
	})
})

func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "?"
	}
	return wd
}
