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
	"fmt"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

func mustCIDR(s string) *net.IPNet {
	GinkgoHelper()
	ip, n, err := net.ParseCIDR(s)
	Expect(err).NotTo(HaveOccurred())
	n.IP = ip.Mask(n.Mask)
	if n.IP.To4() == nil {
		n.IP = n.IP.To16()
	}
	return n
}

// routeLab builds, inside a fresh namespace, veth0 (192.0.2.1/24,
// 2001:db8:1::1/64) and its peer veth1 (198.51.100.1/24, 2001:db8:2::1/64),
// both up.
type routeLab struct {
	netns ns.NetNS
	h     *netlinksafe.Handle
}

func newRouteLab() *routeLab {
	GinkgoHelper()
	lab := &routeLab{netns: testutils.NewNSForSpec()}
	Expect(lab.netns.Do(func(ns.NetNS) error {
		// The socket stays in this namespace whichever thread uses it.
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		lab.h = h
		if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth0"}, PeerName: "veth1"}); err != nil {
			return fmt.Errorf("add veth: %w", err)
		}
		for name, addrs := range map[string][]string{
			"veth0": {"192.0.2.1/24", "2001:db8:1::1/64"},
			"veth1": {"198.51.100.1/24", "2001:db8:2::1/64"},
		} {
			l, err := h.LinkByName(name)
			if err != nil {
				return err
			}
			for _, a := range addrs {
				ip, n, _ := net.ParseCIDR(a)
				n.IP = ip
				if err := h.AddrAdd(l, &netlink.Addr{IPNet: n, Flags: unix.IFA_F_NODAD}); err != nil {
					return fmt.Errorf("add %s to %s: %w", a, name, err)
				}
			}
			if err := h.LinkSetUp(l); err != nil {
				return err
			}
		}
		return nil
	})).To(Succeed())
	DeferCleanup(func() { lab.h.Close() })
	return lab
}

func (lab *routeLab) index(name string) int {
	GinkgoHelper()
	l, err := lab.h.LinkByName(name)
	Expect(err).NotTo(HaveOccurred())
	return l.Attrs().Index
}

func (lab *routeLab) add(r *netlink.Route) {
	GinkgoHelper()
	Expect(lab.h.RouteAdd(r)).To(Succeed(), "add %s", r)
}

func (lab *routeLab) text(all bool, link string, family, table int) string {
	GinkgoHelper()
	var out string
	Expect(lab.netns.Do(func(ns.NetNS) error {
		var err error
		if all {
			out, err = testutils.RouteTextAll(link, family, table)
		} else {
			out, err = testutils.RouteText(link, family, table)
		}
		return err
	})).To(Succeed())
	return out
}

var _ = Describe("RouteText", func() {
	var lab *routeLab

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		lab = newRouteLab()
	})

	It("renders IPv4 routes of one link in the main table", func() {
		v0, v1 := lab.index("veth0"), lab.index("veth1")
		lab.add(&netlink.Route{Dst: mustCIDR("0.0.0.0/0"), Gw: net.ParseIP("192.0.2.254"), LinkIndex: v0})
		lab.add(&netlink.Route{Dst: mustCIDR("203.0.113.0/26"), LinkIndex: v0})
		lab.add(&netlink.Route{Dst: mustCIDR("203.0.113.64/26"), LinkIndex: v0, Scope: netlink.SCOPE_LINK})
		lab.add(&netlink.Route{Dst: mustCIDR("203.0.113.128/26"), Gw: net.ParseIP("192.0.2.2"), LinkIndex: v0,
			Priority: 100, MTU: 1400, AdvMSS: 1360})
		lab.add(&netlink.Route{Dst: mustCIDR("203.0.113.200/32"), Gw: net.ParseIP("192.0.2.3"), LinkIndex: v0})
		lab.add(&netlink.Route{Dst: mustCIDR("198.51.100.128/25"), Gw: net.ParseIP("198.51.100.2"), LinkIndex: v1})
		lab.add(&netlink.Route{Dst: mustCIDR("203.0.113.0/24"), Gw: net.ParseIP("192.0.2.2"), LinkIndex: v0, Table: 100})

		Expect(lab.text(false, "veth0", netlink.FAMILY_V4, 0)).To(Equal(
			"default via 192.0.2.254 dev veth0\n" +
				"203.0.113.0/26 dev veth0\n" +
				"203.0.113.64/26 dev veth0 scope link\n" +
				"203.0.113.128/26 via 192.0.2.2 dev veth0 metric 100 mtu 1400 advmss 1360\n" +
				"203.0.113.200 via 192.0.2.3 dev veth0"))
		Expect(lab.text(false, "veth0", netlink.FAMILY_V4, unix.RT_TABLE_MAIN)).To(Equal(
			lab.text(false, "veth0", netlink.FAMILY_V4, 0)))
		Expect(lab.text(false, "veth1", netlink.FAMILY_V4, 0)).To(Equal(
			"198.51.100.128/25 via 198.51.100.2 dev veth1"))
		Expect(lab.text(false, "veth0", netlink.FAMILY_V4, 100)).To(Equal(
			"203.0.113.0/24 via 192.0.2.2 dev veth0 table 100"))
		Expect(lab.text(false, "veth1", netlink.FAMILY_V4, 100)).To(BeEmpty())
	})

	It("adds proto kernel routes with RouteTextAll", func() {
		Expect(lab.text(false, "veth0", netlink.FAMILY_V4, 0)).To(BeEmpty())
		Expect(lab.text(true, "veth0", netlink.FAMILY_V4, 0)).To(Equal(
			"192.0.2.0/24 dev veth0 scope link"))
		// The link-local route comes with the link-local address, which the
		// kernel adds asynchronously once the veth has carrier.
		Eventually(func() string { return lab.text(true, "veth0", netlink.FAMILY_V6, 0) }).
			WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).
			Should(Equal("2001:db8:1::/64 dev veth0 metric 256\nfe80::/64 dev veth0 metric 256"))
		Expect(lab.text(true, "veth0", netlink.FAMILY_V4, unix.RT_TABLE_LOCAL)).To(Equal(
			"local 192.0.2.1 dev veth0 scope host table 255\n" +
				"broadcast 192.0.2.255 dev veth0 scope link table 255"))
	})

	It("renders IPv6 routes", func() {
		v0 := lab.index("veth0")
		lab.add(&netlink.Route{Dst: mustCIDR("::/0"), Gw: net.ParseIP("2001:db8:1::fe"), LinkIndex: v0})
		lab.add(&netlink.Route{Dst: mustCIDR("2001:db8:10::/64"), Gw: net.ParseIP("2001:db8:1::2"), LinkIndex: v0,
			Priority: 100, MTU: 1400, AdvMSS: 1340})
		lab.add(&netlink.Route{Dst: mustCIDR("2001:db8:11::/64"), LinkIndex: v0})
		lab.add(&netlink.Route{Dst: mustCIDR("2001:db8:12::1/128"), Gw: net.ParseIP("2001:db8:1::3"), LinkIndex: v0, Table: 100})

		Expect(lab.text(false, "veth0", netlink.FAMILY_V6, 0)).To(Equal(
			"2001:db8:10::/64 via 2001:db8:1::2 dev veth0 metric 100 mtu 1400 advmss 1340\n" +
				"2001:db8:11::/64 dev veth0 metric 1024\n" +
				"default via 2001:db8:1::fe dev veth0 metric 1024"))
		Expect(lab.text(false, "veth0", netlink.FAMILY_V6, 100)).To(Equal(
			"2001:db8:12::1 via 2001:db8:1::3 dev veth0 metric 1024 table 100"))
	})

	It("renders IPv4 multipath routes for every link a nexthop uses", func() {
		v0, v1 := lab.index("veth0"), lab.index("veth1")
		lab.add(&netlink.Route{Dst: mustCIDR("0.0.0.0/0"), MultiPath: []*netlink.NexthopInfo{
			{LinkIndex: v0, Gw: net.ParseIP("192.0.2.2")},
			{LinkIndex: v0, Gw: net.ParseIP("192.0.2.3"), Hops: 2},
		}})
		lab.add(&netlink.Route{Dst: mustCIDR("203.0.113.0/24"), Priority: 50, MTU: 1400, AdvMSS: 1360, Table: 100,
			MultiPath: []*netlink.NexthopInfo{
				{LinkIndex: v0, Gw: net.ParseIP("192.0.2.2")},
				{LinkIndex: v1, Gw: net.ParseIP("198.51.100.2")},
			}})

		Expect(lab.text(false, "veth0", netlink.FAMILY_V4, 0)).To(Equal(
			"default nexthop via 192.0.2.2 dev veth0 weight 1 nexthop via 192.0.2.3 dev veth0 weight 3"))
		Expect(lab.text(false, "veth1", netlink.FAMILY_V4, 0)).To(BeEmpty())
		want := "203.0.113.0/24 metric 50 mtu 1400 advmss 1360 table 100 " +
			"nexthop via 192.0.2.2 dev veth0 weight 1 nexthop via 198.51.100.2 dev veth1 weight 1"
		Expect(lab.text(false, "veth0", netlink.FAMILY_V4, 100)).To(Equal(want))
		Expect(lab.text(false, "veth1", netlink.FAMILY_V4, 100)).To(Equal(want))
		Expect(lab.text(false, "", netlink.FAMILY_V4, 100)).To(Equal(want))
	})

	It("renders IPv6 multipath routes", func() {
		v0, v1 := lab.index("veth0"), lab.index("veth1")
		lab.add(&netlink.Route{Dst: mustCIDR("2001:db8:20::/48"), MTU: 1400, MultiPath: []*netlink.NexthopInfo{
			{LinkIndex: v0, Gw: net.ParseIP("2001:db8:1::2")},
			{LinkIndex: v0, Gw: net.ParseIP("2001:db8:1::3")},
			{LinkIndex: v1, Gw: net.ParseIP("2001:db8:2::2")},
		}})
		want := "2001:db8:20::/48 metric 1024 mtu 1400 " +
			"nexthop via 2001:db8:1::2 dev veth0 weight 1 nexthop via 2001:db8:1::3 dev veth0 weight 1 " +
			"nexthop via 2001:db8:2::2 dev veth1 weight 1"
		Expect(lab.text(false, "veth0", netlink.FAMILY_V6, 0)).To(Equal(want))
		Expect(lab.text(false, "veth1", netlink.FAMILY_V6, 0)).To(Equal(want))
	})

	It("fails on an unknown link", func() {
		Expect(lab.netns.Do(func(ns.NetNS) error {
			_, err := testutils.RouteText("nope0", netlink.FAMILY_V4, 0)
			return err
		})).To(MatchError("render routes of nope0: link not found"))
	})
})

var _ = Describe("FormatRoute", func() {
	names := map[int]string{2: "eth0", 3: "eth1"}
	DescribeTable("renders one route",
		func(r netlink.Route, want string) {
			Expect(testutils.FormatRoute(r, names)).To(Equal(want))
		},
		Entry("nil destination", netlink.Route{Gw: net.ParseIP("192.0.2.1"), LinkIndex: 2}, "default via 192.0.2.1 dev eth0"),
		Entry("zero-length destination", netlink.Route{Dst: mustCIDR("::/0"), LinkIndex: 2, Priority: 1024}, "default dev eth0 metric 1024"),
		Entry("host route", netlink.Route{Dst: mustCIDR("192.0.2.9/32"), LinkIndex: 3, Scope: netlink.SCOPE_LINK}, "192.0.2.9 dev eth1 scope link"),
		Entry("unknown link", netlink.Route{Dst: mustCIDR("192.0.2.0/24"), LinkIndex: 9}, "192.0.2.0/24 dev if9"),
		Entry("blackhole", netlink.Route{Dst: mustCIDR("198.51.100.0/24"), Type: unix.RTN_BLACKHOLE}, "blackhole 198.51.100.0/24"),
		Entry("table main is not printed", netlink.Route{Dst: mustCIDR("192.0.2.0/24"), LinkIndex: 2, Table: unix.RT_TABLE_MAIN}, "192.0.2.0/24 dev eth0"),
		Entry("device nexthop", netlink.Route{Dst: mustCIDR("192.0.2.0/24"), MultiPath: []*netlink.NexthopInfo{{LinkIndex: 2}, {LinkIndex: 3, Hops: 255}}},
			"192.0.2.0/24 nexthop dev eth0 weight 1 nexthop dev eth1 weight 256"),
	)
})
