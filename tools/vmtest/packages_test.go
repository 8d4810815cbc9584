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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("kernelTestPackages", func() {
	const m = "github.com/containernetworking/plugins/"
	listed := []listedPkg{
		{ImportPath: testutilsPkg, Imports: []string{"os"}, XTestImports: []string{testutilsPkg}},
		{ImportPath: m + "pkg/ip", Imports: []string{"net"}, XTestImports: []string{m + "pkg/ip", testutilsPkg}},
		{ImportPath: m + "pkg/link/linktest", Imports: []string{testutilsPkg}},
		{ImportPath: m + "plugins/main/ipvlan", Imports: []string{m + "pkg/ip"}, TestImports: []string{m + "pkg/link/linktest"}},
		{ImportPath: m + "pkg/netconf", Imports: []string{m + "pkg/ip"}, TestImports: []string{"testing", m + "pkg/ip"}},
		{ImportPath: m + "tools/vmtest", TestImports: []string{ginkgoPkg}},
		{ImportPath: m + "integration/compat", XTestImports: []string{testutilsPkg}},
		{ImportPath: m + "integration/podman", XTestImports: []string{testutilsPkg}},
	}

	It("keeps packages whose tests reach pkg/testutils directly or through a helper, except host-only ones", func() {
		Expect(kernelTestPackages(listed)).To(Equal(map[string]bool{
			testutilsPkg:              true,
			m + "pkg/ip":              true,
			m + "plugins/main/ipvlan": true,
		}))
	})
})
