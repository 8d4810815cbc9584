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

package ipam_test

import (
	"fmt"
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// probes is how many destinations each spread test resolves. The hash seed
// is random per boot, so the tests assert only which gateways are used:
// with three gateways the chance that 64 destinations miss one is 3·(2/3)^64.
const probes = 64

var _ = Describe("multipath routes in the kernel", func() {
	type family struct {
		name     string
		addr     string
		gw       func(i int) string
		dst      string
		probe    func(i int) net.IP
		n4, n6   int
		nlFamily int
	}
	families := []family{
		{name: "IPv4", addr: addr4, gw: v4gw, dst: "192.0.2.0/24", n4: 3, nlFamily: netlink.FAMILY_V4,
			probe: func(i int) net.IP { return net.IPv4(192, 0, 2, byte(i+1)) }},
		{name: "IPv6", addr: addr6, gw: v6gw, dst: "2001:db8:2::/64", n6: 3, nlFamily: netlink.FAMILY_V6,
			probe: func(i int) net.IP { return net.ParseIP(fmt.Sprintf("2001:db8:2::%x", i+1)) }},
	}

	BeforeEach(func() {
		testutils.RequireKernelFeature("multipath")
	})

	for _, f := range families {
		// configureGroup configures a three-gateway group to f.dst.
		configureGroup := func() pair {
			p := newPair(f.n4, f.n6)
			Expect(p.configure(ifaceResult(f.addr, gatewayRoutes(f.dst, 3, f.gw)))).To(Succeed())
			return p
		}

		It(f.name+": spreads destinations over every gateway of a group", func() {
			p := configureGroup()
			var seen map[string]int
			Expect(p.in(func() error {
				var err error
				seen, err = routeGetGateways(probes, f.probe)
				return err
			})).To(Succeed())
			Expect(seen).To(HaveLen(3), "gateways used: %v", seen)
			for i := range 3 {
				Expect(seen).To(HaveKey(f.gw(i)))
			}
		})

		It(f.name+": avoids a gateway whose neighbor failed", func() {
			p := configureGroup()
			failed := net.ParseIP(f.gw(1))
			var seen map[string]int
			p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
				// What the kernel records when a gateway stops answering
				// neighbor solicitations.
				if err := h.NeighSet(&netlink.Neigh{
					LinkIndex: l.Attrs().Index, Family: f.nlFamily, IP: failed, State: netlink.NUD_FAILED,
				}); err != nil {
					return fmt.Errorf("mark %s failed: %w", failed, err)
				}
				var err error
				seen, err = routeGetGateways(probes, f.probe)
				return err
			})
			Expect(seen).NotTo(HaveKey(failed.String()), "gateways used: %v", seen)
			Expect(seen).To(HaveKey(f.gw(0)))
			Expect(seen).To(HaveKey(f.gw(2)))
		})
	}
})
