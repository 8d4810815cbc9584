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
	"errors"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

const (
	addr4 = `{"address":"198.51.100.10/24","gateway":"198.51.100.1"}`
	addr6 = `{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}`

	// Two default routes (the first takes the address gateway) and a
	// two-gateway route in table 100 with metric, mtu and advmss.
	routes4 = `{"dst":"0.0.0.0/0"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
		{"dst":"192.0.2.0/24","gw":"198.51.100.1","table":100,"priority":10,"mtu":1400,"advmss":1360},
		{"dst":"192.0.2.0/24","gw":"198.51.100.3","table":100,"priority":10,"mtu":1400,"advmss":1360}`
	routes6 = `{"dst":"::/0"},{"dst":"::/0","gw":"2001:db8:1::2"},
		{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","table":100,"priority":10,"mtu":1400,"advmss":1360},
		{"dst":"2001:db8:2::/64","gw":"2001:db8:1::3","table":100,"priority":10,"mtu":1400,"advmss":1360}`

	main4 = "default nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.2 dev eth0 weight 1"
	t1004 = "192.0.2.0/24 metric 10 mtu 1400 advmss 1360 table 100 nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.3 dev eth0 weight 1"
	main6 = "default metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1"
	t1006 = "2001:db8:2::/64 metric 10 mtu 1400 advmss 1360 table 100 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::3 dev eth0 weight 1"
)

// useNeigh reads net.ipv4.fib_multipath_use_neigh in the container.
func (p pair) useNeigh() string {
	var v string
	Expect(p.in(func() error {
		var err error
		v, err = sysctl.Get("net.ipv4.fib_multipath_use_neigh")
		return err
	})).To(Succeed())
	return v
}

// addrs lists eth0's global addresses in the container as strings.
func (p pair) addrs() []string {
	var out []string
	Expect(p.in(func() error {
		l, err := netlinksafe.LinkByName(contIf)
		if err != nil {
			return err
		}
		list, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		for _, a := range list {
			if a.IP.IsGlobalUnicast() {
				out = append(out, a.IPNet.String())
			}
		}
		return err
	})).To(Succeed())
	return out
}

var _ = Describe("ConfigureIface", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("multipath")
	})

	It("installs one IPv4 multipath route per group and turns on use_neigh", func() {
		p := newPair(3, 0)
		res := ifaceResult(addr4, routes4)
		Expect(p.useNeigh()).To(Equal("0"))
		n, err := p.configureCounting(res)
		Expect(err).NotTo(HaveOccurred())

		Expect(n).To(Equal(2), "one request per group")
		Expect(p.routes(netlink.FAMILY_V4, 0)).To(Equal(main4))
		Expect(p.routes(netlink.FAMILY_V4, 100)).To(Equal(t1004))
		Expect(p.addrs()).To(ConsistOf("198.51.100.10/24"))
		Expect(p.useNeigh()).To(Equal("1"))
	})

	It("installs one IPv6 multipath route per group and waits for DAD", func() {
		p := newPair(0, 3)
		res := ifaceResult(addr6, routes6)
		n, err := p.configureCounting(res)
		Expect(err).NotTo(HaveOccurred())

		Expect(n).To(Equal(2), "one request per group")
		Expect(p.routes(netlink.FAMILY_V6, 0)).To(Equal(main6))
		Expect(p.routes(netlink.FAMILY_V6, 100)).To(Equal(t1006))
		Expect(p.addrs()).To(ConsistOf("2001:db8:1::10/64"))
		// DAD of the added address is over (the link-local one is not
		// waited for).
		Expect(p.in(func() error {
			l, err := netlinksafe.LinkByName(contIf)
			if err != nil {
				return err
			}
			list, err := netlinksafe.AddrList(l, netlink.FAMILY_V6)
			for _, a := range list {
				if a.IP.IsGlobalUnicast() && a.Flags&unix.IFA_F_TENTATIVE != 0 {
					return errors.New(a.IPNet.String() + " still tentative")
				}
			}
			return err
		})).To(Succeed())
		// No IPv4 multipath route: the IPv4 switch is left alone.
		Expect(p.useNeigh()).To(Equal("0"))
	})

	It("configures both families at once, with plain, device and scoped routes", func() {
		p := newPair(3, 3)
		res := ifaceResult(addr4+`,`+addr6, routes4+`,`+routes6+`,
			{"dst":"203.0.113.0/24","gw":"198.51.100.3","priority":5},
			{"dst":"2001:db8:3::/64","gw":"2001:db8:1::3","mtu":1280}`)
		n, err := p.configureCounting(res)
		Expect(err).NotTo(HaveOccurred())

		Expect(n).To(Equal(6), "one request per group")
		Expect(p.routes(netlink.FAMILY_V4, 0)).To(Equal(main4 + "\n203.0.113.0/24 via 198.51.100.3 dev eth0 metric 5"))
		Expect(p.routes(netlink.FAMILY_V4, 100)).To(Equal(t1004))
		Expect(p.routes(netlink.FAMILY_V6, 0)).To(Equal(
			"2001:db8:3::/64 via 2001:db8:1::3 dev eth0 metric 1024 mtu 1280\n" + main6))
		Expect(p.routes(netlink.FAMILY_V6, 100)).To(Equal(t1006))
		Expect(p.addrs()).To(ConsistOf("198.51.100.10/24", "2001:db8:1::10/64"))
	})

	It("installs device routes with their scope when no gateway is known", func() {
		p := newPair(1, 0)
		res := ifaceResult(`{"address":"198.51.100.10/24"}`, `
			{"dst":"192.0.2.0/24","scope":253},
			{"dst":"192.0.2.0/24","scope":253},
			{"dst":"203.0.113.0/24","priority":7}`)
		Expect(p.configure(res)).To(Succeed())
		Expect(p.routes(netlink.FAMILY_V4, 0)).To(Equal(
			"192.0.2.0/24 dev eth0 scope link\n203.0.113.0/24 dev eth0 metric 7"))
	})

	It("names the route the kernel rejects and keeps the groups before it", func() {
		p := newPair(2, 0)
		// 203.0.113.1 is not on-link: the kernel refuses the nexthop.
		res := ifaceResult(addr4, `{"dst":"0.0.0.0/0"},
			{"dst":"192.0.2.0/24","gw":"198.51.100.2","table":100},
			{"dst":"192.0.2.0/24","gw":"203.0.113.1","table":100}`)
		err := p.configure(res)
		// The kernel's own message may follow ("Nexthop has invalid
		// gateway"), in the words of the kernel version.
		Expect(err).To(MatchError(HavePrefix(
			"add route 192.0.2.0/24 nexthop via 198.51.100.2 nexthop via 203.0.113.1 dev eth0 table 100: network is unreachable")))
		Expect(errors.Is(err, unix.ENETUNREACH)).To(BeTrue())
		Expect(p.routes(netlink.FAMILY_V4, 0)).To(Equal("default via 198.51.100.1 dev eth0"))
		Expect(p.routes(netlink.FAMILY_V4, 100)).To(BeEmpty())
	})

	DescribeTable("installs a group whose gateway is reachable only through a later route",
		func(ips, routes string, family int, want string) {
			p := newPair(1, 1)
			Expect(p.configure(ifaceResult(ips, routes))).To(Succeed())
			Expect(p.routes(family, 0)).To(Equal(want))
		},
		// Upstream's one-by-one order installs these: the second gateway's
		// device route comes before the route through it.
		Entry("IPv4, device route between the legs", `{"address":"198.51.100.10/24"}`,
			`{"dst":"192.0.2.0/24","gw":"198.51.100.1"},{"dst":"203.0.113.1/32","scope":253},{"dst":"192.0.2.0/24","gw":"203.0.113.1"}`,
			netlink.FAMILY_V4,
			"192.0.2.0/24 nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 203.0.113.1 dev eth0 weight 1\n203.0.113.1 dev eth0 scope link"),
		Entry("IPv6, device route between the legs", `{"address":"2001:db8:1::10/64"}`,
			`{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1"},{"dst":"2001:db8:9::1/128"},{"dst":"2001:db8:2::/64","gw":"2001:db8:9::1"}`,
			netlink.FAMILY_V6,
			"2001:db8:2::/64 metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:9::1 dev eth0 weight 1\n2001:db8:9::1 dev eth0 metric 1024"),
		// And these, which list order alone would refuse.
		Entry("IPv4, device route last", `{"address":"198.51.100.10/24"}`,
			`{"dst":"0.0.0.0/0","gw":"203.0.113.1"},{"dst":"203.0.113.1/32","scope":253}`,
			netlink.FAMILY_V4,
			"default via 203.0.113.1 dev eth0\n203.0.113.1 dev eth0 scope link"),
		Entry("IPv6, device route last", `{"address":"2001:db8:1::10/64"}`,
			`{"dst":"::/0","gw":"2001:db8:9::1"},{"dst":"2001:db8:9::1/128"}`,
			netlink.FAMILY_V6,
			"2001:db8:9::1 dev eth0 metric 1024\ndefault via 2001:db8:9::1 dev eth0 metric 1024"),
	)

	It("names an IPv6 route the kernel rejects", func() {
		p := newPair(0, 1)
		res := ifaceResult(addr6, `{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1"},{"dst":"2001:db8:2::/64","gw":"2001:db8:9::1"}`)
		err := p.configure(res)
		Expect(err).To(MatchError(HavePrefix(
			"add route 2001:db8:2::/64 nexthop via 2001:db8:1::1 nexthop via 2001:db8:9::1 dev eth0 metric 1024: no route to host")))
		Expect(errors.Is(err, unix.EHOSTUNREACH)).To(BeTrue())
	})

	It("reports a route that already exists with the same key", func() {
		p := newPair(1, 0)
		res := ifaceResult(addr4, `{"dst":"192.0.2.0/24"}`)
		Expect(p.configure(res)).To(Succeed())
		again := ifaceResult(`{"address":"198.51.100.11/24","gateway":"198.51.100.1"}`, `{"dst":"192.0.2.0/24"}`)
		Expect(p.configure(again)).To(MatchError(HavePrefix("add route 192.0.2.0/24 via 198.51.100.1 dev eth0: file exists")))
	})

	It("rejects a bad route plan before touching the kernel", func() {
		p := newPair(1, 0)
		res := ifaceResult(addr4, `{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1400},{"dst":"192.0.2.0/24","gw":"198.51.100.2"}`)
		err := p.configure(res)
		var terr *types.Error
		Expect(errors.As(err, &terr)).To(BeTrue(), "%v", err)
		Expect(terr.Code).To(BeEquivalentTo(types.ErrInvalidNetworkConfig))
		Expect(p.addrs()).To(BeEmpty())
	})

	It("refuses an address listed twice with code 7 before touching the kernel", func() {
		p := newPair(1, 1)
		for _, tc := range []struct{ ips, msg string }{
			{addr4 + `,` + addr6 + `,` + addr4, "ips[2]: address 198.51.100.10/24 is listed twice for eth0 (also ips[0])"},
			// IPv6 tells addresses apart without their prefix length.
			{addr6 + `,{"address":"2001:db8:1::10/128"}`, "ips[1]: address 2001:db8:1::10/128 is listed twice for eth0 (also ips[0])"},
		} {
			err := p.configure(ifaceResult(tc.ips, ""))
			var terr *types.Error
			Expect(errors.As(err, &terr)).To(BeTrue(), "%v", err)
			Expect(terr.Code).To(BeEquivalentTo(types.ErrInvalidNetworkConfig))
			Expect(terr.Msg).To(Equal(tc.msg))
			Expect(p.addrs()).To(BeEmpty())
		}
		// An IPv4-mapped address would change family: refused too.
		err := p.configure(ifaceResult(`{"address":"::ffff:198.51.100.10/120"}`, ""))
		var terr *types.Error
		Expect(errors.As(err, &terr)).To(BeTrue(), "%v", err)
		Expect(terr.Msg).To(Equal("ips[0]: address ::ffff:198.51.100.10/120 is IPv4-mapped; write IPv4 addresses as IPv4"))
		// IPv4 holds one address with two prefix lengths, as upstream installs it.
		Expect(p.configure(ifaceResult(addr4+`,{"address":"198.51.100.10/25"}`, ""))).To(Succeed())
		Expect(p.addrs()).To(ConsistOf("198.51.100.10/24", "198.51.100.10/25"))
	})

	It("rejects addresses of another interface or an index out of range", func() {
		p := newPair(0, 0)
		res := ifaceResult(addr4, "")
		res.Interfaces = append(res.Interfaces, &current.Interface{Name: "net1"})
		res.IPs[0].Interface = current.Int(1)
		Expect(p.configure(res)).To(MatchError(`ips[0] 198.51.100.10/24: interface index 1 names "net1", not "eth0"`))
		res.IPs[0].Interface = current.Int(2)
		Expect(p.configure(res)).To(MatchError(ContainSubstring("interface index 2 out of range (2 interfaces)")))
		Expect(p.addrs()).To(BeEmpty())
	})

	It("skips addresses that name no interface", func() {
		p := newPair(1, 0)
		res := ifaceResult(addr4, `{"dst":"192.0.2.0/24","gw":"198.51.100.1"}`)
		res.IPs = append(res.IPs, &current.IPConfig{Address: *mustCIDR("203.0.113.10/24")})
		Expect(p.configure(res)).To(Succeed())
		Expect(p.addrs()).To(ConsistOf("198.51.100.10/24"))
		Expect(strings.Split(p.routes(netlink.FAMILY_V4, 0), "\n")).To(ConsistOf("192.0.2.0/24 via 198.51.100.1 dev eth0"))
	})
})
