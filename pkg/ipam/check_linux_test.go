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
	"net"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// change runs f with a netlink handle and eth0 in the container, as another
// plugin or an operator would change the routes.
func (p pair) change(f func(h *netlinksafe.Handle, link netlink.Link) error) {
	GinkgoHelper()
	Expect(p.in(func() error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		l, err := h.LinkByName(contIf)
		if err != nil {
			return err
		}
		return f(h, l)
	})).To(Succeed())
}

func defaultDst(family int) *net.IPNet {
	if family == netlink.FAMILY_V6 {
		return mustCIDR("::/0")
	}
	return mustCIDR("0.0.0.0/0")
}

var _ = Describe("CheckIface", func() {
	var (
		p   pair
		res *current.Result
	)

	BeforeEach(func() {
		testutils.RequireKernelFeature("multipath")
		p = newPair(3, 3)
		res = ifaceResult(addr4+","+addr6, routes4+","+routes6+`,{"dst":"203.0.113.0/24","gw":"198.51.100.3","priority":5}`)
		Expect(p.configure(res)).To(Succeed())
	})

	It("passes on what ConfigureIface set up", func() {
		Expect(p.check(res)).To(Succeed())
	})

	It("tolerates routes and nexthops added by others", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			idx := l.Attrs().Index
			for _, r := range []*netlink.Route{
				// Another route on this interface.
				{Dst: mustCIDR("203.0.113.128/25"), Gw: net.ParseIP("198.51.100.2"), LinkIndex: idx},
				// A second IPv4 entry with our default route's key.
				{Dst: defaultDst(netlink.FAMILY_V4), Gw: net.ParseIP("198.51.100.3"), LinkIndex: idx},
				// An IPv6 sibling joining our multipath default route.
				{Dst: defaultDst(netlink.FAMILY_V6), Gw: net.ParseIP("2001:db8:1::3"), LinkIndex: idx},
				// A route in another table.
				{Dst: mustCIDR("192.0.2.0/24"), Gw: net.ParseIP("198.51.100.2"), LinkIndex: idx, Table: 200},
			} {
				if err := h.RouteAddEcmp(r); err != nil {
					return err
				}
			}
			return nil
		})
		Expect(p.routes(netlink.FAMILY_V6, 0)).To(Equal(
			"default metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1 nexthop via 2001:db8:1::3 dev eth0 weight 1"))
		Expect(p.check(res)).To(Succeed())
	})

	It("detects a missing IPv4 nexthop", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			// IPv4 deletes a nexthop only by replacing the route.
			return h.RouteReplace(&netlink.Route{
				Dst: mustCIDR("192.0.2.0/24"), Table: 100, Priority: 10, MTU: 1400, AdvMSS: 1360,
				MultiPath: []*netlink.NexthopInfo{{LinkIndex: l.Attrs().Index, Gw: net.ParseIP("198.51.100.1")}},
			})
		})
		Expect(p.check(res)).To(MatchError(
			"check route 192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.3 dev eth0 table 100 metric 10 mtu 1400 advmss 1360: " +
				"nexthop via 198.51.100.3 dev eth0 missing (found via 198.51.100.1 dev eth0)"))
	})

	It("detects a missing IPv6 nexthop", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			// IPv6 deletes one sibling by its gateway.
			return h.RouteDel(&netlink.Route{
				Dst: defaultDst(netlink.FAMILY_V6), Gw: net.ParseIP("2001:db8:1::2"), LinkIndex: l.Attrs().Index, Priority: 1024,
			})
		})
		Expect(p.check(res)).To(MatchError(
			"check route default nexthop via 2001:db8:1::1 nexthop via 2001:db8:1::2 dev eth0 metric 1024: " +
				"nexthop via 2001:db8:1::2 dev eth0 missing (found via 2001:db8:1::1 dev eth0)"))
	})

	It("detects a wrong default gateway", func() {
		one := ifaceResult(addr4, `{"dst":"0.0.0.0/0"}`)
		q := newPair(2, 0)
		Expect(q.configure(one)).To(Succeed())
		q.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			return h.RouteReplace(&netlink.Route{Dst: defaultDst(netlink.FAMILY_V4), Gw: net.ParseIP("198.51.100.2"), LinkIndex: l.Attrs().Index})
		})
		Expect(q.check(one)).To(MatchError(
			"check route default via 198.51.100.1 dev eth0: nexthop via 198.51.100.1 dev eth0 missing (found via 198.51.100.2 dev eth0)"))
	})

	It("detects a missing route in a non-main table and a missing address", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			if err := h.RouteDel(&netlink.Route{Dst: mustCIDR("2001:db8:2::/64"), Table: 100, Priority: 10}); err != nil {
				return err
			}
			return h.AddrDel(l, &netlink.Addr{IPNet: mustCIDR("198.51.100.10/24")})
		})
		err := p.check(res)
		Expect(err).To(MatchError(ContainSubstring("address 198.51.100.10/24 missing on eth0")))
		Expect(err).To(MatchError(ContainSubstring(
			"check route 2001:db8:2::/64 nexthop via 2001:db8:1::1 nexthop via 2001:db8:1::3 dev eth0 table 100 metric 10 mtu 1400 advmss 1360: route missing")))
	})

	It("detects a route moved to another metric or a changed mtu", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			idx := l.Attrs().Index
			if err := h.RouteDel(&netlink.Route{Dst: mustCIDR("203.0.113.0/24"), Priority: 5}); err != nil {
				return err
			}
			if err := h.RouteAdd(&netlink.Route{Dst: mustCIDR("203.0.113.0/24"), Gw: net.ParseIP("198.51.100.3"), LinkIndex: idx, Priority: 6}); err != nil {
				return err
			}
			return h.RouteReplace(&netlink.Route{
				Dst: mustCIDR("192.0.2.0/24"), Table: 100, Priority: 10, MTU: 1500, AdvMSS: 1360,
				MultiPath: []*netlink.NexthopInfo{
					{LinkIndex: idx, Gw: net.ParseIP("198.51.100.1")}, {LinkIndex: idx, Gw: net.ParseIP("198.51.100.3")},
				},
			})
		})
		err := p.check(res)
		Expect(err).To(MatchError(ContainSubstring("check route 203.0.113.0/24 via 198.51.100.3 dev eth0 metric 5: route missing")))
		Expect(err).To(MatchError(ContainSubstring("table 100 metric 10 mtu 1400 advmss 1360: mtu 1500, want 1400")))
	})

	It("finds IPv4 nexthops that another interface's route does not provide", func() {
		// The same gateway on another link is not this interface's nexthop.
		q := newPair(1, 0)
		one := ifaceResult(addr4, `{"dst":"192.0.2.0/24"}`)
		Expect(q.configure(one)).To(Succeed())
		q.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			lo, err := h.LinkByName("lo")
			if err != nil {
				return err
			}
			if err := h.LinkSetUp(lo); err != nil {
				return err
			}
			if err := h.RouteDel(&netlink.Route{Dst: mustCIDR("192.0.2.0/24")}); err != nil {
				return err
			}
			return h.RouteAdd(&netlink.Route{Dst: mustCIDR("192.0.2.0/24"), LinkIndex: lo.Attrs().Index, Scope: netlink.SCOPE_LINK})
		})
		Expect(q.check(one)).To(MatchError(ContainSubstring("nexthop via 198.51.100.1 dev eth0 missing (found dev if1)")))
	})
})
