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

package testutils_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("ProbeKernelFeature", func() {
	BeforeEach(testutils.SkipUnlessRoot)

	for _, feature := range testutils.KernelFeatures {
		It("answers for "+feature+" with nil or the kernel's refusal", func() {
			err := testutils.ProbeKernelFeature(feature)
			if err == nil {
				return
			}
			var missing *testutils.FeatureMissingError
			Expect(errors.As(err, &missing)).To(BeTrue(), "probe %s failed to run: %v", feature, err)
			Expect(missing.Feature).To(Equal(feature))
			Expect(missing.Err).To(HaveOccurred())
			Expect(err.Error()).To(HavePrefix(testutils.KernelFeatureMissing + " " + feature + ": "))
			// Cached: the same answer again.
			Expect(testutils.ProbeKernelFeature(feature)).To(BeIdenticalTo(err))
		})
	}

	It("finds veth-based features this project cannot do without", func() {
		// veth is what every kernel test builds on; macvlan is in every
		// kernel this project supports. Skipping them would hide bugs.
		Expect(testutils.ProbeKernelFeature("macvlan")).To(Succeed())
		Expect(testutils.ProbeKernelFeature("multipath")).To(Succeed())
	})

	It("rejects unknown features without calling them missing", func() {
		err := testutils.ProbeKernelFeature("wormhole")
		Expect(err).To(MatchError(ContainSubstring(`unknown feature`)))
		var missing *testutils.FeatureMissingError
		Expect(errors.As(err, &missing)).To(BeFalse())
	})

	It("leaves the caller in its own namespace", func() {
		before, err := ns.GetCurrentNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(before.Close)
		for _, feature := range testutils.KernelFeatures {
			_ = testutils.ProbeKernelFeature(feature)
		}
		after, err := ns.GetCurrentNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(after.Close)
		Expect(nsInode(after)).To(Equal(nsInode(before)))
	})
})

var _ = Describe("RequireKernelFeature", func() {
	It("runs the spec when the feature exists", func() {
		testutils.RequireKernelFeature("multipath")
	})
})
