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
	"os"
	"path/filepath"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

type cpioEntry struct {
	name string
	mode uint64
	data string
}

// readCPIO parses a newc archive strictly: every header at a 4-byte
// boundary, the archive ending with the trailer.
func readCPIO(b []byte) []cpioEntry {
	var out []cpioEntry
	off := 0
	field := func(i int) uint64 {
		v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 64)
		Expect(err).NotTo(HaveOccurred())
		return v
	}
	align := func(n int) int { return (n + 3) &^ 3 }
	for {
		Expect(off%4).To(Equal(0), "header offset")
		Expect(string(b[off : off+6])).To(Equal("070701"))
		mode, size, nameSize := field(1), int(field(6)), int(field(11))
		name := string(b[off+110 : off+110+nameSize-1])
		dataOff := align(off + 110 + nameSize)
		if name == "TRAILER!!!" {
			Expect(dataOff).To(Equal(len(b)))
			return out
		}
		out = append(out, cpioEntry{name, mode, string(b[dataOff : dataOff+size])})
		off = align(dataOff + size)
	}
}

var _ = Describe("cpioWriter", func() {
	It("writes an aligned newc archive with parents before their entries", func() {
		src := GinkgoT().TempDir()
		Expect(os.MkdirAll(filepath.Join(src, "testdata", "sub"), 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(src, "testdata", "sub", "x.json"), []byte("{}\n"), 0o600)).To(Succeed())
		Expect(os.Symlink("sub/x.json", filepath.Join(src, "testdata", "link"))).To(Succeed())

		var buf bytes.Buffer
		c := newCPIOWriter(&buf)
		Expect(c.charDev("dev/console", 0o600, 5, 1)).To(Succeed())
		Expect(c.bytes("init", 0o755, []byte("#!/bin/sh\n"))).To(Succeed())
		Expect(c.tree("src/pkg/a/testdata", filepath.Join(src, "testdata"))).To(Succeed())
		Expect(c.close()).To(Succeed())

		var names []string
		byName := map[string]cpioEntry{}
		for _, e := range readCPIO(buf.Bytes()) {
			names = append(names, e.name)
			byName[e.name] = e
		}
		Expect(names).To(Equal([]string{
			"dev", "dev/console", "init", "src", "src/pkg", "src/pkg/a", "src/pkg/a/testdata",
			"src/pkg/a/testdata/link", "src/pkg/a/testdata/sub", "src/pkg/a/testdata/sub/x.json",
		}))
		Expect(byName["init"].mode).To(Equal(uint64(0o100755)))
		Expect(byName["init"].data).To(Equal("#!/bin/sh\n"))
		Expect(byName["dev/console"].mode).To(Equal(uint64(0o020600)))
		Expect(byName["src/pkg/a/testdata/link"].mode).To(Equal(uint64(0o120777)))
		Expect(byName["src/pkg/a/testdata/link"].data).To(Equal("sub/x.json"))
		Expect(byName["src/pkg/a/testdata/sub/x.json"].data).To(Equal("{}\n"))
	})
})

var _ = Describe("initScript", func() {
	pkgs := []testPkg{
		{ImportPath: "example.com/m/pkg/a", Rel: "pkg/a", Ginkgo: true},
		{ImportPath: "example.com/m/plugins/b", Rel: "plugins/b"},
	}
	o := guestOpts{Run: "Test(A|B)", Focus: "it's ipvlan", PkgTimeout: 0}
	script := initScript([]string{"llc.ko", "8021q.ko"}, pkgs, o, false)

	It("loads the modules in order before running anything", func() {
		Expect(script).To(ContainSubstring("insmod /modules/llc.ko || mark insmod-failed llc\n" +
			"insmod /modules/8021q.ko || mark insmod-failed 8021q\n"))
		Expect(strings.Index(script, "mark kernel")).To(BeNumerically("<", strings.Index(script, "insmod")))
		Expect(script).To(ContainSubstring(`mark packed "$(find /src -name '*.test' -type f | wc -l)"` + "\n"))
	})

	It("passes ginkgo flags to ginkgo suites only, quoted for the shell", func() {
		Expect(script).To(ContainSubstring("run 'example.com/m/pkg/a' '/src/pkg/a' './a.test' '-test.v' " +
			"'-test.count=1' '-test.paniconexit0' '-test.run=Test(A|B)' '-ginkgo.v' '-ginkgo.no-color' " +
			`'-ginkgo.focus=it'\''s ipvlan'` + "\n"))
		Expect(script).To(ContainSubstring("run 'example.com/m/plugins/b' '/src/plugins/b' './b.test' '-test.v' " +
			"'-test.count=1' '-test.paniconexit0' '-test.run=Test(A|B)'\n"))
	})

	It("gives the tests CNI_UPSTREAM_BIN_DIR only when upstream's binaries are packed", func() {
		Expect(script).NotTo(ContainSubstring("CNI_UPSTREAM_BIN_DIR"))
		with := initScript(nil, pkgs, o, true)
		Expect(with).To(ContainSubstring("export CNI_TEST_BIN_DIR=/src/bin CNI_TEST_IN_VM=1\n" +
			"export CNI_UPSTREAM_BIN_DIR=/src/.cache/upstream-bin\n"))
		Expect(strings.Index(with, "CNI_UPSTREAM_BIN_DIR")).To(BeNumerically("<", strings.Index(with, "\nrun ")))
	})

	It("ends with the summary and a power-off", func() {
		Expect(script).To(HaveSuffix("mark summary ran=\"$ran\" failed=\"$failed\"\nsync\npoweroff -f\nexit 1\n"))
	})
})
