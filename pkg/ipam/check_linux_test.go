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

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

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

// rtaNHID is RTA_NH_ID (include/uapi/linux/rtnetlink.h): the nexthop
// object a route uses.
const rtaNHID = 30

// addNexthopRoute is `ip nexthop add id ID via GW dev LINK` and `ip route
// append DST nhid ID metric METRIC` in the calling thread's namespace. An
// IPv6 route using a nexthop object never joins other routes as a sibling,
// so it makes a second, separate IPv6 route with the same key.
func addNexthopRoute(id uint32, dst *net.IPNet, gw net.IP, linkIndex, metric int) error {
	family := uint8(unix.AF_INET)
	if gw.To4() == nil {
		family = unix.AF_INET6
	} else {
		gw = gw.To4()
	}
	req := nl.NewNetlinkRequest(unix.RTM_NEWNEXTHOP, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
	// struct nhmsg: family, scope, protocol, reserved, flags.
	req.AddData(rawData{family, 0, unix.RTPROT_STATIC, 0, 0, 0, 0, 0})
	req.AddData(nl.NewRtAttr(unix.NHA_ID, nl.Uint32Attr(id)))
	req.AddData(nl.NewRtAttr(unix.NHA_GATEWAY, gw))
	req.AddData(nl.NewRtAttr(unix.NHA_OIF, nl.Uint32Attr(uint32(linkIndex))))
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return fmt.Errorf("add nexthop %d via %s: %w", id, gw, err)
	}
	req = nl.NewNetlinkRequest(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_APPEND|unix.NLM_F_ACK)
	msg := nl.NewRtMsg()
	msg.Family = family
	ones, _ := dst.Mask.Size()
	msg.Dst_len = uint8(ones)
	req.AddData(msg)
	dstIP := dst.IP.To16()
	if family == unix.AF_INET {
		dstIP = dst.IP.To4()
	}
	req.AddData(nl.NewRtAttr(unix.RTA_DST, dstIP))
	req.AddData(nl.NewRtAttr(unix.RTA_PRIORITY, nl.Uint32Attr(uint32(metric))))
	req.AddData(nl.NewRtAttr(rtaNHID, nl.Uint32Attr(id)))
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return fmt.Errorf("add route %s nhid %d: %w", dst, id, err)
	}
	return nil
}

// rawData is a fixed header for nl.NetlinkRequest.AddData, which keeps the
// order of what it is given (AddRawData appends after every attribute).
type rawData []byte

func (d rawData) Len() int          { return len(d) }
func (d rawData) Serialize() []byte { return d }

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

	It("detects IPv4 separate routes where one multipath route was planned", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			// The layout upstream's plugins leave: one route per gateway.
			if err := h.RouteDel(&netlink.Route{Dst: mustCIDR("192.0.2.0/24"), Table: 100, Priority: 10}); err != nil {
				return err
			}
			for _, gw := range []string{"198.51.100.1", "198.51.100.3"} {
				if err := h.RouteAddEcmp(&netlink.Route{Dst: mustCIDR("192.0.2.0/24"), Gw: net.ParseIP(gw), LinkIndex: l.Attrs().Index,
					Table: 100, Priority: 10, MTU: 1400, AdvMSS: 1360}); err != nil {
					return err
				}
			}
			return nil
		})
		Expect(p.routes(netlink.FAMILY_V4, 100)).To(Equal("192.0.2.0/24 via 198.51.100.3 dev eth0 metric 10 mtu 1400 advmss 1360 table 100\n" +
			"192.0.2.0/24 via 198.51.100.1 dev eth0 metric 10 mtu 1400 advmss 1360 table 100"))
		Expect(p.check(res)).To(MatchError(
			"check route 192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.3 dev eth0 table 100 metric 10 mtu 1400 advmss 1360: " +
				"192.0.2.0/24 table 100 metric 10 is two separate routes, expected one multipath route"))
	})

	It("detects IPv6 separate routes where one multipath route was planned", func() {
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			if err := h.RouteDel(&netlink.Route{Dst: defaultDst(netlink.FAMILY_V6), Priority: 1024}); err != nil {
				return err
			}
			if err := addNexthopRoute(1, defaultDst(netlink.FAMILY_V6), net.ParseIP("2001:db8:1::1"), l.Attrs().Index, 1024); err != nil {
				return err
			}
			return h.RouteAddEcmp(&netlink.Route{Dst: defaultDst(netlink.FAMILY_V6), Gw: net.ParseIP("2001:db8:1::2"), LinkIndex: l.Attrs().Index, Priority: 1024})
		})
		Expect(p.check(res)).To(MatchError(
			"check route default nexthop via 2001:db8:1::1 nexthop via 2001:db8:1::2 dev eth0 metric 1024: " +
				"default metric 1024 is two separate routes, expected one multipath route"))
	})

	It("is not failed by a route too large for a dump in another table", func() {
		testutils.RequireKernelFeature("multipath")
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			for _, r := range []struct {
				dst   string
				n     int
				gw    func(int) string
				local string
			}{
				{"192.0.2.0/24", 2100, manyV4, "198.18.0.10/15"},
				{"2001:db8:2::/64", 1200, manyV6, ""},
			} {
				if r.local != "" {
					if err := h.AddrAdd(l, &netlink.Addr{IPNet: mustCIDR(r.local)}); err != nil {
						return err
					}
				}
				route := &netlink.Route{Dst: mustCIDR(r.dst), Table: 200}
				for i := range r.n {
					route.MultiPath = append(route.MultiPath, &netlink.NexthopInfo{LinkIndex: l.Attrs().Index, Gw: net.ParseIP(r.gw(i))})
				}
				if err := h.RouteAdd(route); err != nil {
					return fmt.Errorf("add %d nexthops to %s: %w", r.n, r.dst, err)
				}
			}
			return nil
		})
		Expect(p.check(res)).To(Succeed())
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
