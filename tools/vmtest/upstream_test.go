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
	"fmt"
	"io"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("upstreamBinaries", func() {
	// A static and a dynamic ELF of this host stand in for plugins.
	static := busyboxPath()
	const dynamic = "/bin/ls"

	link := func(dir, name, target string) {
		GinkgoHelper()
		Expect(os.Symlink(target, filepath.Join(dir, name))).To(Succeed())
	}

	BeforeEach(func() {
		if checkStatic(static, "") != nil {
			Skip("no static busybox on this host to stand in for a plugin")
		}
		if checkStatic(dynamic, "") == nil {
			Skip(dynamic + " is not dynamically linked here")
		}
	})

	It("takes binaries already in the directory, without building", func() {
		dir := GinkgoT().TempDir()
		link(dir, "vlan", static)
		link(dir, "dummy", static)
		var log bytes.Buffer
		bins, err := upstreamBinaries(dir, []string{"vlan", "dummy"}, &log)
		Expect(err).NotTo(HaveOccurred())
		Expect(bins).To(Equal(map[string]string{"vlan": filepath.Join(dir, "vlan"), "dummy": filepath.Join(dir, "dummy")}))
		Expect(log.String()).To(BeEmpty(), "nothing to go install")
	})

	It("keeps the usable binaries and names each unbuildable or dynamic one", func() {
		dir := GinkgoT().TempDir()
		link(dir, "vlan", static)
		link(dir, "dummy", dynamic)
		// No go command: vrf cannot be built.
		GinkgoT().Setenv("PATH", GinkgoT().TempDir())
		var log bytes.Buffer
		bins, err := upstreamBinaries(dir, []string{"vlan", "dummy", "vrf"}, &log)
		Expect(bins).To(Equal(map[string]string{"vlan": filepath.Join(dir, "vlan")}))
		Expect(log.String()).To(Equal("vmtest: go install github.com/containernetworking/plugins/plugins/meta/vrf@" +
			upstreamRelease + " (into " + dir + ")\n"))
		Expect(err).To(HaveOccurred())
		msg := err.Error()
		Expect(msg).To(ContainSubstring("build upstream " + upstreamRelease + " plugins: exec: \"go\""))
		Expect(msg).To(ContainSubstring("upstream dummy: " + filepath.Join(dir, "dummy") + " is dynamically linked: build it with CGO_ENABLED=0"))
		Expect(msg).To(ContainSubstring("upstream vrf: inspect " + filepath.Join(dir, "vrf")))
		ents, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		var left []string
		for _, e := range ents {
			left = append(left, e.Name())
		}
		Expect(left).To(Equal([]string{".lock", "dummy", "vlan"}), "no build directory left behind")
	})

	It("refuses an unknown plugin name before building anything", func() {
		_, err := upstreamBinaries("/nonexistent", []string{"vlan", "bogus"}, io.Discard)
		Expect(err).To(MatchError(ContainSubstring(`unknown upstream plugin "bogus"`)))
	})

	It("uses $CNI_UPSTREAM_BIN_DIR, else the cache shared with the host's tests", func() {
		GinkgoT().Setenv("CNI_UPSTREAM_BIN_DIR", "/given")
		Expect(upstreamDir()).To(Equal("/given"))
		GinkgoT().Setenv("CNI_UPSTREAM_BIN_DIR", "")
		GinkgoT().Setenv("XDG_CACHE_HOME", "/xdg")
		Expect(upstreamDir()).To(Equal("/xdg/cni-plugins-upstream/" + upstreamRelease))
	})
})

var _ = Describe("upstreamForGuest", func() {
	var logged []string
	logf := func(format string, a ...any) { logged = append(logged, fmt.Sprintf(format, a...)) }

	BeforeEach(func() {
		logged = nil
		// An empty directory and no go command: nothing can be had.
		GinkgoT().Setenv("CNI_UPSTREAM_BIN_DIR", GinkgoT().TempDir())
		GinkgoT().Setenv("PATH", GinkgoT().TempDir())
	})

	It("fails with CI=true when a binary cannot be had", func() {
		GinkgoT().Setenv("CI", "true")
		bins, err := upstreamForGuest([]string{"vlan"}, logf, io.Discard)
		Expect(err).To(MatchError(ContainSubstring("upstream " + upstreamRelease + " plugins for the differential specs (CI=true)")))
		Expect(bins).To(BeNil())
	})

	It("packs nothing and says why elsewhere", func() {
		GinkgoT().Setenv("CI", "")
		bins, err := upstreamForGuest([]string{"vlan"}, logf, io.Discard)
		Expect(err).NotTo(HaveOccurred())
		Expect(bins).To(BeEmpty())
		Expect(logged).To(HaveLen(1))
		Expect(logged[0]).To(HavePrefix("not packing some upstream plugins, their differential specs skip: build upstream"))
	})

	It("packs nothing, without building, for an empty list", func() {
		GinkgoT().Setenv("CI", "true")
		bins, err := upstreamForGuest(nil, logf, io.Discard)
		Expect(err).NotTo(HaveOccurred())
		Expect(bins).To(BeEmpty())
		Expect(logged).To(ConsistOf(ContainSubstring("-upstream-plugins is empty")))
	})
})
