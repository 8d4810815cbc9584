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

package netlinksafe_test

import (
	"errors"
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

func neighIPs(neighs []netlink.Neigh) []string {
	var out []string
	for _, n := range neighs {
		out = append(out, n.IP.String())
	}
	return out
}

var _ = Describe("dumps in a test namespace", func() {
	var (
		target ns.NetNS
		h      *netlinksafe.Handle
	)

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		target = testutils.NewNSForSpec()
		// NewHandleAt opens the socket in the namespace without entering it.
		var err error
		h, err = netlinksafe.NewHandleAt(netns.NsHandle(target.Fd()))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(h.Close)

		Expect(h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth0"}, PeerName: "veth1"})).To(Succeed())
		veth0, err := h.LinkByName("veth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(h.AddrAdd(veth0, &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(192, 0, 2, 1), Mask: net.CIDRMask(24, 32)}})).To(Succeed())
		Expect(h.LinkSetUp(veth0)).To(Succeed())
		Expect(h.RouteAdd(&netlink.Route{
			LinkIndex: veth0.Attrs().Index, Table: 100,
			Dst: &net.IPNet{IP: net.IPv4(203, 0, 113, 0), Mask: net.CIDRMask(24, 32)},
			Gw:  net.IPv4(192, 0, 2, 2),
		})).To(Succeed())
		Expect(h.NeighAdd(&netlink.Neigh{
			LinkIndex: veth0.Attrs().Index, State: netlink.NUD_PERMANENT,
			IP: net.IPv4(192, 0, 2, 2), HardwareAddr: net.HardwareAddr{0x02, 0, 0, 0, 0, 2},
		})).To(Succeed())
	})

	It("lists links, addresses, routes, neighbors and rules through a Handle", func() {
		links, err := h.LinkList()
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, l := range links {
			names = append(names, l.Attrs().Name)
		}
		Expect(names).To(ConsistOf("lo", "veth0", "veth1"))

		veth0, err := h.LinkByName("veth0")
		Expect(err).NotTo(HaveOccurred())
		addrs, err := h.AddrList(veth0, netlink.FAMILY_V4)
		Expect(err).NotTo(HaveOccurred())
		Expect(addrs).To(HaveLen(1))
		Expect(addrs[0].IPNet.String()).To(Equal("192.0.2.1/24"))

		routes, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: 100}, netlink.RT_FILTER_TABLE)
		Expect(err).NotTo(HaveOccurred())
		Expect(routes).To(HaveLen(1))
		Expect(routes[0].Dst.String()).To(Equal("203.0.113.0/24"))
		Expect(routes[0].Gw.String()).To(Equal("192.0.2.2"))

		neighs, err := h.NeighList(veth0.Attrs().Index, netlink.FAMILY_V4)
		Expect(err).NotTo(HaveOccurred())
		Expect(neighIPs(neighs)).To(ContainElement("192.0.2.2"))

		rules, err := h.RuleList(netlink.FAMILY_V4)
		Expect(err).NotTo(HaveOccurred())
		var tables []int
		for _, r := range rules {
			tables = append(tables, r.Table)
		}
		Expect(tables).To(ConsistOf(unix.RT_TABLE_LOCAL, unix.RT_TABLE_MAIN, unix.RT_TABLE_DEFAULT))

		got, err := h.RouteGet(net.IPv4(192, 0, 2, 9))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(1))
		Expect(got[0].LinkIndex).To(Equal(veth0.Attrs().Index))
	})

	It("lists the calling thread's namespace with the package-level functions", func() {
		Expect(target.Do(func(ns.NetNS) error {
			defer GinkgoRecover()
			links, err := netlinksafe.LinkList()
			Expect(err).NotTo(HaveOccurred())
			Expect(links).To(HaveLen(3))

			veth1, err := netlinksafe.LinkByName("veth1")
			Expect(err).NotTo(HaveOccurred())
			Expect(veth1.Type()).To(Equal("veth"))

			addrs, err := netlinksafe.AddrList(nil, netlink.FAMILY_V4)
			Expect(err).NotTo(HaveOccurred())
			Expect(addrs).To(ContainElement(WithTransform(func(a netlink.Addr) string { return a.IPNet.String() }, Equal("192.0.2.1/24"))))

			routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: 100}, netlink.RT_FILTER_TABLE)
			Expect(err).NotTo(HaveOccurred())
			Expect(routes).To(HaveLen(1))

			neighs, err := netlinksafe.NeighList(0, netlink.FAMILY_V4)
			Expect(err).NotTo(HaveOccurred())
			Expect(neighIPs(neighs)).To(ContainElement("192.0.2.2"))

			rules, err := netlinksafe.RuleList(netlink.FAMILY_V4)
			Expect(err).NotTo(HaveOccurred())
			Expect(rules).To(HaveLen(3))
			return nil
		})).To(Succeed())
	})

	It("opens a handle in the calling thread's namespace with NewHandle", func() {
		Expect(target.Do(func(ns.NetNS) error {
			inner, err := netlinksafe.NewHandle()
			if err != nil {
				return err
			}
			defer inner.Close()
			_, err = inner.LinkByName("veth0")
			return err
		})).To(Succeed())
	})

	It("reports a missing link as netlink.LinkNotFoundError", func() {
		_, err := h.LinkByName("nope0")
		var notFound netlink.LinkNotFoundError
		Expect(errors.As(err, &notFound)).To(BeTrue(), "err = %v", err)
	})
})
