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
	"encoding/json"
	"net"
	"strconv"
	"strings"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// moveRoutes are routes of every shape the kernel holds: multipath with
// metric, mtu and advmss, plain, device-only, per family.
const moveRoutes = `{"dst":"0.0.0.0/0"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
	{"dst":"192.0.2.0/24","gw":"198.51.100.1","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"192.0.2.0/24","gw":"198.51.100.3","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"203.0.113.0/24","gw":"198.51.100.3"},
	{"dst":"203.0.113.128/25"},
	{"dst":"::/0"},{"dst":"::/0","gw":"2001:db8:1::2"},
	{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"2001:db8:2::/64","gw":"2001:db8:1::3","priority":10,"mtu":1400,"advmss":1360}`

// inTable returns a copy of res whose main-table routes name table.
func inTable(res *current.Result, table int) *current.Result {
	out := copyResult(res)
	for _, r := range out.Routes {
		if r.Table == nil {
			r.Table = current.Int(table)
		}
	}
	return out
}

// withLink runs f in the container with a handle and eth0.
func (p pair) withLink(f func(h *netlinksafe.Handle, l netlink.Link) error) error {
	return p.in(func() error {
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
	})
}

var _ = Describe("moving routes to another table", func() {
	var (
		p   pair
		res *current.Result
	)

	BeforeEach(func() {
		testutils.RequireKernelFeature("multipath")
		p = newPair(3, 3)
		res = ifaceResult(addr4+","+addr6, moveRoutes)
		Expect(p.configure(res)).To(Succeed())
	})

	It("finds multipath routes, which RouteList(link) misses", func() {
		var found, listed []netlink.Route
		Expect(p.withLink(func(h *netlinksafe.Handle, l netlink.Link) (err error) {
			if found, err = ipam.LinkRoutes(h, l, netlink.FAMILY_ALL, 0); err != nil {
				return err
			}
			listed, err = h.RouteList(l, netlink.FAMILY_ALL)
			return err
		})).To(Succeed())
		multipath := func(rs []netlink.Route) int {
			n := 0
			for _, r := range rs {
				if len(r.MultiPath) > 1 {
					n++
				}
			}
			return n
		}
		Expect(multipath(found)).To(Equal(4), "two multipath routes per family")
		Expect(multipath(listed)).To(Equal(0), "the library's RouteList")
	})

	for _, fam := range []struct {
		name   string
		family int
	}{{"IPv4", netlink.FAMILY_V4}, {"IPv6", netlink.FAMILY_V6}} {
		It("copies and deletes every "+fam.name+" route with its nexthops, metric, mtu and advmss intact", func() {
			before := p.routes(fam.family, 0)
			Expect(strings.Count(before, "nexthop via")).To(Equal(4), before)
			beforeAll := renderAll(p, fam.family, 254)

			Expect(p.withLink(func(h *netlinksafe.Handle, l netlink.Link) error {
				routes, err := ipam.LinkRoutes(h, l, fam.family, 0)
				if err != nil {
					return err
				}
				if _, err := ipam.CopyRoutes(h, routes, l, 100); err != nil {
					return err
				}
				return ipam.DeleteRoutes(h, routes, l)
			})).To(Succeed())

			Expect(p.routes(fam.family, 100)).To(Equal(withTable(before, 100)))
			Expect(renderAll(p, fam.family, 100)).To(Equal(withTable(beforeAll, 100)), "kernel routes too")
			Expect(renderAll(p, fam.family, 254)).To(BeEmpty(), "nothing left in main")
			Expect(p.check(inTable(familyRoutes(res, fam.family), 100))).To(Succeed(), "CheckIface sees the moved routes")
			Expect(p.check(familyRoutes(res, fam.family))).To(MatchError(ContainSubstring("route missing")), "and no longer the main ones")
		})
	}

	It("puts deleted routes back as they were", func() {
		before := renderAll(p, netlink.FAMILY_ALL, 254)
		Expect(p.withLink(func(h *netlinksafe.Handle, l netlink.Link) error {
			routes, err := ipam.LinkRoutes(h, l, netlink.FAMILY_ALL, 0)
			if err != nil {
				return err
			}
			if err := ipam.DeleteRoutes(h, routes, l); err != nil {
				return err
			}
			return ipam.RestoreRoutes(h, routes, l)
		})).To(Succeed())
		Expect(renderAll(p, netlink.FAMILY_ALL, 254)).To(Equal(before))
	})

	It("moves only this link's legs of a route shared with another link", func() {
		// A second veth, eth1, to the same peer namespace with the gateways.
		Expect(p.cont.Do(func(ns.NetNS) error {
			_, _, err := ip.SetupVethWithName("eth1", "peer1", 0, "", p.peer)
			return err
		})).To(Succeed())
		Expect(p.in(func() error {
			h, err := netlinksafe.NewHandle()
			if err != nil {
				return err
			}
			defer h.Close()
			eth0, err := h.LinkByName(contIf)
			if err != nil {
				return err
			}
			eth1, err := h.LinkByName("eth1")
			if err != nil {
				return err
			}
			if err := h.LinkSetUp(eth1); err != nil {
				return err
			}
			for _, r := range []*netlink.Route{
				{Dst: mustCIDR("198.18.0.0/15"), MultiPath: []*netlink.NexthopInfo{
					{LinkIndex: eth0.Attrs().Index, Gw: net.ParseIP("198.51.100.1")},
					{LinkIndex: eth1.Attrs().Index, Gw: net.ParseIP("198.51.100.2"), Flags: int(netlink.FLAG_ONLINK)},
				}},
				{Dst: mustCIDR("2001:db8:9::/64"), MultiPath: []*netlink.NexthopInfo{
					{LinkIndex: eth0.Attrs().Index, Gw: net.ParseIP("2001:db8:1::1")},
					{LinkIndex: eth1.Attrs().Index, Gw: net.ParseIP("fe80::2")},
				}},
			} {
				if err := h.RouteAdd(r); err != nil {
					return err
				}
			}
			for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
				routes, err := h.RouteListFiltered(fam, &netlink.Route{Table: 254}, netlink.RT_FILTER_TABLE)
				if err != nil {
					return err
				}
				var shared []netlink.Route
				for _, r := range routes {
					if len(r.MultiPath) == 2 && r.MultiPath[1].LinkIndex == eth1.Attrs().Index {
						shared = append(shared, r)
					}
				}
				Expect(shared).To(HaveLen(1))
				if _, err := ipam.CopyRoutes(h, shared, eth0, 100); err != nil {
					return err
				}
				if err := ipam.DeleteRoutes(h, shared, eth0); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
		Expect(renderAll(p, netlink.FAMILY_V4, 100)).To(Equal("198.18.0.0/15 via 198.51.100.1 dev eth0 table 100"))
		Expect(renderAll(p, netlink.FAMILY_V6, 100)).To(Equal("2001:db8:9::/64 via 2001:db8:1::1 dev eth0 metric 1024 table 100"))
		Expect(p.in(func() error {
			text, err := testutils.RouteText("eth1", netlink.FAMILY_ALL, 254)
			Expect(text).To(Equal("198.18.0.0/15 via 198.51.100.2 dev eth1\n2001:db8:9::/64 via fe80::2 dev eth1 metric 1024"))
			return err
		})).To(Succeed())
	})
})

// renderAll renders every route of eth0 in table, kernel routes included.
func renderAll(p pair, family, table int) string {
	GinkgoHelper()
	var text string
	Expect(p.in(func() (err error) {
		text, err = testutils.RouteTextAll(contIf, family, table)
		return err
	})).To(Succeed())
	return text
}

// withTable appends " table N" to each line of routes rendered by
// testutils, where the table follows the metrics and precedes nexthops.
func withTable(text string, table int) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		head, tail, multi := strings.Cut(l, " nexthop ")
		head += " table " + strconv.Itoa(table)
		if multi {
			head += " nexthop " + tail
		}
		lines[i] = head
	}
	return strings.Join(lines, "\n")
}

// familyRoutes returns a copy of res with only the addresses and routes of
// family.
func familyRoutes(res *current.Result, family int) *current.Result {
	out := copyResult(res)
	out.IPs, out.Routes = nil, nil
	for _, ipc := range res.IPs {
		if ipaddr.Family(ipc.Address.IP) == family {
			out.IPs = append(out.IPs, ipc)
		}
	}
	for _, r := range res.Routes {
		if ipaddr.PrefixFamily(&r.Dst) == family {
			out.Routes = append(out.Routes, r)
		}
	}
	return out
}

// copyResult returns a deep copy of res.
func copyResult(res *current.Result) *current.Result {
	GinkgoHelper()
	b, err := json.Marshal(res)
	Expect(err).NotTo(HaveOccurred())
	out := &current.Result{}
	Expect(json.Unmarshal(b, out)).To(Succeed())
	for i, ipc := range out.IPs {
		ipc.Interface = res.IPs[i].Interface
	}
	return out
}
