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

// Package compat_test is the differential test against upstream's released
// plugins: every case runs through upstream's binaries and ours side by
// side, in throwaway namespaces, and any difference that is not listed
// (Documentation/compatibility.md for intended ones, pendingFixes for
// regressions being fixed) fails the case. See Documentation/testing.md.
package compat_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

func TestCompat(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "compat")
}

// Where the two implementations' binaries are, set by BeforeSuite.
var (
	oursDir     string
	upstreamDir string
)

var _ = BeforeSuite(func() {
	if os.Getenv("CNI_TEST_IN_VM") == "1" {
		Skip("the differential suite builds upstream's plugins with the Go toolchain and the module proxy, which the VM guest lacks: host suite only")
	}
	testutils.SkipUnlessRoot()

	oursDir = testutils.PluginBinDir()
	for _, name := range upstreamPlugins {
		_, err := os.Stat(filepath.Join(oursDir, name))
		Expect(err).NotTo(HaveOccurred(), fmt.Sprintf("our %s: run ./build_linux.sh first", name))
	}
	upstreamDir = upstream.Require(upstreamPlugins...)
	fmt.Fprintf(GinkgoWriter, "ours: %s\nupstream %s: %s\n", oursDir, UpstreamRelease, upstreamDir)

	var err error
	documented, err = compatibilityKeys(filepath.Join(filepath.Dir(oursDir), "Documentation", "compatibility.md"))
	Expect(err).NotTo(HaveOccurred())
})

var _ = AfterSuite(func() {
	if tally.total() == 0 {
		return
	}
	fmt.Fprintf(GinkgoWriter, "%s\ndifferences by key:\n%s", tally.String(), tally.byKey())
	AddReportEntry("compat tally", tally.String()+"\n"+tally.byKey())
	// Whether an entry is stale is known only when every case ran: an entry
	// for "*" is used by some cases and not others.
	if n := len(allCases()) - tally.skippedGuest(); tally.total() < n {
		fmt.Fprintf(GinkgoWriter, "%d of %d cases ran: not checking for stale listings\n", tally.total(), n)
		return
	}
	Expect(staleEntries()).To(BeEmpty(), "listed differences that no longer occur: delete these entries")
})
