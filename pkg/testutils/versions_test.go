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
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("SpecVersions", func() {
	It("lists the cni library's versions, oldest first", func() {
		vs := testutils.SpecVersions()
		Expect(vs).To(Equal(version.All.SupportedVersions()))
		Expect(vs[0]).To(Equal("0.1.0"))
		Expect(vs).To(ContainElements("0.3.1", "0.4.0", "1.0.0"))
		Expect(vs[len(vs)-1]).To(Equal(version.Current()))
	})

	DescribeTable("SpecVersionsFrom",
		func(min string, want []string) {
			Expect(testutils.SpecVersionsFrom(min)).To(Equal(want))
		},
		Entry("from the oldest", "0.1.0", version.All.SupportedVersions()),
		Entry("from 0.3.0", "0.3.0", []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}),
		Entry("from 1.0.0", "1.0.0", []string{"1.0.0", "1.1.0"}),
		Entry("from a version between releases", "0.3.5", []string{"0.4.0", "1.0.0", "1.1.0"}),
		Entry("from a future version", "9.0.0", []string(nil)),
		Entry("from garbage", "x.y", []string(nil)),
	)
})

var _ = Describe("PluginBinDir", func() {
	It("honors CNI_TEST_BIN_DIR", func() {
		GinkgoT().Setenv("CNI_TEST_BIN_DIR", "/opt/cni-test/bin")
		Expect(testutils.PluginBinDir()).To(Equal("/opt/cni-test/bin"))
	})

	It("finds bin/ at the repository root", func() {
		GinkgoT().Setenv("CNI_TEST_BIN_DIR", "")
		dir := testutils.PluginBinDir()
		Expect(filepath.Base(dir)).To(Equal("bin"))
		Expect(filepath.Join(filepath.Dir(dir), "go.mod")).To(BeARegularFile())
		wd, err := os.Getwd()
		Expect(err).NotTo(HaveOccurred())
		Expect(wd).To(HavePrefix(filepath.Dir(dir)))
	})
})
