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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// A trimmed modules.dep as depmod writes it for Debian's 6.1 kernel.
const modulesDep = `kernel/drivers/net/ipvlan/ipvlan.ko:
kernel/drivers/net/dummy.ko:
kernel/drivers/net/vrf.ko:
kernel/net/8021q/8021q.ko: kernel/net/802/garp.ko kernel/net/802/stp.ko kernel/net/802/mrp.ko kernel/net/llc/llc.ko
kernel/net/802/garp.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko
kernel/net/802/stp.ko: kernel/net/llc/llc.ko
kernel/net/802/mrp.ko:
kernel/net/llc/llc.ko:
kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko
kernel/drivers/net/foo-bar.ko:
`

var _ = Describe("module load order", func() {
	var deps map[string][]string

	BeforeEach(func() {
		var err error
		deps, err = parseModulesDep(strings.NewReader(modulesDep))
		Expect(err).NotTo(HaveOccurred())
	})

	It("puts every dependency before its user, each module once", func() {
		order, err := loadOrder(deps, []string{"dummy", "8021q", "bridge", "vrf"})
		Expect(err).NotTo(HaveOccurred())
		Expect(order).To(Equal([]string{
			"kernel/drivers/net/dummy.ko",
			"kernel/net/llc/llc.ko",
			"kernel/net/802/stp.ko",
			"kernel/net/802/garp.ko",
			"kernel/net/802/mrp.ko",
			"kernel/net/8021q/8021q.ko",
			"kernel/net/bridge/bridge.ko",
			"kernel/drivers/net/vrf.ko",
		}))
	})

	It("treats - and _ in module names alike", func() {
		order, err := loadOrder(deps, []string{"foo_bar"})
		Expect(err).NotTo(HaveOccurred())
		Expect(order).To(Equal([]string{"kernel/drivers/net/foo-bar.ko"}))
		Expect(moduleName("x/8021q.ko")).To(Equal("8021q"))
	})

	It("names a module it cannot find", func() {
		_, err := loadOrder(deps, []string{"veth"})
		Expect(err).To(MatchError(ContainSubstring("find module veth")))
	})

	It("reports a dependency cycle", func() {
		deps["kernel/net/llc/llc.ko"] = []string{"kernel/net/802/stp.ko"}
		_, err := loadOrder(deps, []string{"stp"})
		Expect(err).To(MatchError(ContainSubstring("cycle")))
	})
})
