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
	"fmt"
	"net"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// kernelRoutes renders every route of eth0 in family, in every table, with
// every attribute a route request can set, the link given by name.
func kernelRoutes(family int) (string, error) {
	link, err := netlinksafe.LinkByName(contIf)
	if err != nil {
		return "", err
	}
	routes, err := netlinksafe.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return "", err
	}
	dev := func(i int) string {
		if i == link.Attrs().Index {
			return contIf
		}
		return fmt.Sprint(i)
	}
	var lines []string
	for _, r := range routes {
		if r.Protocol == unix.RTPROT_KERNEL || r.Table == unix.RT_TABLE_LOCAL || (r.LinkIndex != link.Attrs().Index && len(r.MultiPath) == 0) {
			continue
		}
		var hops []string
		for _, nh := range r.MultiPath {
			hops = append(hops, fmt.Sprintf("via %s dev %s hops %d flags %d", nh.Gw, dev(nh.LinkIndex), nh.Hops, nh.Flags))
		}
		lines = append(lines, fmt.Sprintf("%s gw %s dev %s table %d metric %d scope %d proto %d type %d flags %d mtu %d advmss %d nexthops %v",
			r.Dst, r.Gw, dev(r.LinkIndex), r.Table, r.Priority, r.Scope, r.Protocol, r.Type, r.Flags, r.MTU, r.AdvMSS, hops))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), nil
}

var _ = Describe("InstallRoutes' requests", func() {
	It("make the routes the netlink library makes of the same groups", func() {
		// Without gateways on the addresses, a route without one is a
		// device route.
		res := ifaceResult(`{"address":"198.51.100.10/24"},{"address":"2001:db8:1::10/64"}`, `{"dst":"192.0.2.0/24"},
			{"dst":"192.0.2.128/25","scope":253,"mtu":1400},
			{"dst":"203.0.113.0/24","gw":"198.51.100.2","priority":7,"mtu":1300,"advmss":1260},
			{"dst":"0.0.0.0/0","gw":"198.51.100.1","table":100},
			{"dst":"0.0.0.0/0","gw":"198.51.100.2","table":100},
			{"dst":"198.18.0.0/15","gw":"198.51.100.1","table":300},
			{"dst":"198.18.0.0/15","gw":"198.51.100.2","table":300,"priority":5},
			{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1"},
			{"dst":"2001:db8:3::/64","gw":"2001:db8:1::1","mtu":1400},
			{"dst":"2001:db8:3::/64","gw":"2001:db8:1::2","mtu":1400},
			{"dst":"2001:db8:4::/64","table":300,"priority":9}`)
		groups, err := ipam.PlanRoutes(res)
		Expect(err).NotTo(HaveOccurred())
		Expect(len(groups)).To(BeNumerically(">=", 9))
		noRoutes := *res
		noRoutes.Routes = nil

		var got, want [2]string
		for i, install := range []func(link netlink.Link) error{
			func(link netlink.Link) error { return ipam.InstallRoutes(link, groups) },
			func(link netlink.Link) error {
				for _, g := range groups {
					if err := netlink.RouteAddEcmp(netlinkRoute(g, link.Attrs().Index)); err != nil {
						return fmt.Errorf("%s: %w", g.Text(contIf), err)
					}
				}
				return nil
			},
		} {
			p := newPair(2, 2)
			Expect(p.configure(&noRoutes)).To(Succeed())
			out := &got
			if i == 1 {
				out = &want
			}
			Expect(p.in(func() error {
				link, err := netlinksafe.LinkByName(contIf)
				if err != nil {
					return err
				}
				if err := install(link); err != nil {
					return err
				}
				for j, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
					if out[j], err = kernelRoutes(family); err != nil {
						return err
					}
				}
				return nil
			})).To(Succeed())
		}
		Expect(got[0]).To(Equal(want[0]))
		Expect(got[1]).To(Equal(want[1]))
		Expect(strings.Count(got[0], "\n")+strings.Count(got[1], "\n")+2).To(Equal(len(groups)), "%s\n%s", got[0], got[1])
		GinkgoWriter.Println(got[0] + "\n" + got[1])
	})

	It("stops after the batch of a refused group and reads every answer", func() {
		// 70 routes: the first batch of 64 holds a route that exists
		// already at 10 and an unreachable gateway at 20; the second batch
		// is not sent.
		var routes []string
		for i := range 70 {
			gw := "198.51.100.1"
			if i == 20 {
				gw = "203.0.113.1" // not on-link
			}
			routes = append(routes, fmt.Sprintf(`{"dst":"10.0.%d.0/24","gw":%q}`, i, gw))
		}
		res := ifaceResult(addr4, strings.Join(routes, ","))
		p := newPair(1, 0)
		noRoutes := *res
		noRoutes.Routes = nil
		Expect(p.configure(&noRoutes)).To(Succeed())
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			return h.RouteAdd(&netlink.Route{Dst: mustCIDR("10.0.10.0/24"), Gw: net.ParseIP("198.51.100.1"), LinkIndex: l.Attrs().Index})
		})
		err := p.in(func() error {
			link, err := netlinksafe.LinkByName(contIf)
			if err != nil {
				return err
			}
			groups, err := ipam.PlanRoutes(res)
			if err != nil {
				return err
			}
			return ipam.InstallRoutes(link, groups)
		})
		Expect(err).To(MatchError(HavePrefix("add route 10.0.10.0/24 via 198.51.100.1 dev eth0: file exists")))
		text := p.routes(netlink.FAMILY_V4, 0)
		Expect(text).To(ContainSubstring("10.0.63.0/24 via 198.51.100.1"), "the rest of the batch")
		Expect(text).NotTo(ContainSubstring("10.0.64.0/24"), "a batch after the failure")
	})

	It("sends the batches after an unreachable gateway and names it", func() {
		var routes []string
		for i := range 70 {
			gw := "198.51.100.1"
			if i == 10 || i == 20 {
				gw = "203.0.113.1" // not on-link
			}
			routes = append(routes, fmt.Sprintf(`{"dst":"10.0.%d.0/24","gw":%q}`, i, gw))
		}
		p := newPair(1, 0)
		err := p.configure(ifaceResult(addr4, strings.Join(routes, ",")))
		Expect(err).To(MatchError(HavePrefix("add route 10.0.10.0/24 via 203.0.113.1 dev eth0: network is unreachable")))
		Expect(errors.Is(err, unix.ENETUNREACH)).To(BeTrue())
		lines := strings.Split(p.routes(netlink.FAMILY_V4, 0), "\n")
		Expect(lines).To(HaveLen(68))
		Expect(lines).To(ContainElement("10.0.69.0/24 via 198.51.100.1 dev eth0"))
	})

	It("sends batches bounded in bytes, at the limit of both families", func() {
		// 14 groups at the IPv4 limit and 14 at the IPv6 one: about 450 KiB
		// of requests, more than twice the socket's send buffer.
		const groups = 14
		var routes []string
		for i := range groups {
			for j := range ipam.MaxGateways(netlink.FAMILY_V4) {
				routes = append(routes, fmt.Sprintf(`{"dst":"192.0.2.%d/32","gw":%q}`, i, manyV4(j)))
			}
			for j := range ipam.MaxGateways(netlink.FAMILY_V6) {
				routes = append(routes, fmt.Sprintf(`{"dst":"2001:db8:2::%x/128","gw":%q}`, i, manyV6(j)))
			}
		}
		res := ifaceResult(`{"address":"198.18.0.10/15"},{"address":"2001:db8:1::10/64"}`, strings.Join(routes, ","))
		p := newPair(0, 0)
		n, err := p.configureCounting(res)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(2*groups), "one request per group")
		Expect(p.check(res)).To(Succeed())
	})
})
