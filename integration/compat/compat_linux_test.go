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

package compat_test

import (
	"errors"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("listings", func() {
	It("name a row of Documentation/compatibility.md for every intended difference", func() {
		for _, l := range intendedDifferences {
			Expect(documented).To(HaveKey(l.Key), "intendedDifferences %s: add a row `%s` to Documentation/compatibility.md", l.id(), l.Key)
		}
	})
	It("keep regressions out of Documentation/compatibility.md", func() {
		for _, l := range pendingFixes {
			Expect(documented).NotTo(HaveKey(l.Key), "pendingFixes %s is a regression being fixed, not an intended difference", l.id())
		}
	})
	It("match at least one case each", func() {
		for _, ls := range [][]listing{intendedDifferences, pendingFixes} {
			for _, l := range ls {
				n := 0
				for _, c := range allCases() {
					if matchName(l.Cases, c.Name) {
						n++
					}
				}
				Expect(n).NotTo(BeZero(), "listing %s matches no case", l.id())
			}
		}
	})
})

var _ = Describe("upstream "+UpstreamRelease+" against ours", func() {
	seen := map[string]bool{}
	for _, c := range allCases() {
		if seen[c.Name] {
			panic("duplicate case name " + c.Name)
		}
		seen[c.Name] = true
		It(c.Name, func() {
			if c.GuestOnly != "" {
				err := testutils.ProbeKernelFeature(c.GuestOnly)
				var missing *testutils.FeatureMissingError
				if errors.As(err, &missing) {
					tally.skipGuest()
					Skip(fmt.Sprintf("guest-only case: this kernel has no %s, and the suite does not run in the VM guest (no Go toolchain there)", c.GuestOnly))
				}
				Expect(err).NotTo(HaveOccurred(), "probe kernel feature %s", c.GuestOnly)
			}
			runDifferential(&c)
		})
	}
})

// runDifferential runs c on both sides and fails on unlisted differences.
func runDifferential(c *Case) {
	tmp := GinkgoT().TempDir()
	var obs [2][]Observation
	for i, impl := range []string{"ours", "upstream"} {
		s, err := newSide(impl, tmp)
		DeferCleanup(func() error {
			if s == nil {
				return nil
			}
			return s.close()
		})
		Expect(err).NotTo(HaveOccurred())
		obs[i], err = runCase(c, s)
		Expect(err).NotTo(HaveOccurred())
	}
	ds := compare(obs[0], obs[1])
	intended, pending, unlisted := classify(c.Name, ds)
	tally.ran(c.Name, len(intended), len(pending), len(unlisted))
	for _, d := range intended {
		fmt.Fprintf(GinkgoWriter, "intended: %s\n", d)
	}
	for _, d := range pending {
		fmt.Fprintf(GinkgoWriter, "pending fix: %s\n", d)
	}
	if len(unlisted) > 0 {
		var b strings.Builder
		for _, d := range unlisted {
			fmt.Fprintf(&b, "%s\n", d)
		}
		Fail(fmt.Sprintf("%d unlisted differences from upstream %s:\n%s", len(unlisted), UpstreamRelease, b.String()))
	}
}
