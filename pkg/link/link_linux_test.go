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

package link_test

import (
	"net"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("master lookup", func() {
	var hostNS ns.NetNS
	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		hostNS = testutils.NewNSForSpec()
	})

	// in runs fn in hostNS.
	in := func(fn func() error) error { return hostNS.Do(func(ns.NetNS) error { return fn() }) }

	It("finds the IPv4 default route's interface before the IPv6 one", func() {
		Expect(in(func() error {
			a, err := linktest.AddMaster("a0", 1500)
			Expect(err).NotTo(HaveOccurred())
			b, err := linktest.AddMaster("b0", 1500)
			Expect(err).NotTo(HaveOccurred())
			Expect(netlink.AddrAdd(b, &netlink.Addr{IPNet: mustCIDR("2001:db8::2/64"), Flags: 0x80})).To(Succeed()) // IFA_F_NODAD
			Expect(netlink.RouteAdd(&netlink.Route{LinkIndex: b.Attrs().Index, Dst: mustCIDR("::/0"), Gw: net.ParseIP("2001:db8::1")})).To(Succeed())

			l, err := link.Master("")
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Attrs().Name).To(Equal("b0"), "only IPv6 has a default route")

			Expect(linktest.AddDefaultRoute(a, "192.0.2.2/24", "192.0.2.1")).To(Succeed())
			l, err = link.Master("")
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Attrs().Name).To(Equal("a0"))
			return nil
		})).To(Succeed())
	})

	It("takes the first nexthop of a multipath default route", func() {
		Expect(in(func() error {
			a, err := linktest.AddMaster("a0", 1500)
			Expect(err).NotTo(HaveOccurred())
			b, err := linktest.AddMaster("b0", 1500)
			Expect(err).NotTo(HaveOccurred())
			Expect(netlink.AddrAdd(a, &netlink.Addr{IPNet: mustCIDR("192.0.2.2/24")})).To(Succeed())
			Expect(netlink.AddrAdd(b, &netlink.Addr{IPNet: mustCIDR("198.51.100.2/24")})).To(Succeed())
			Expect(netlink.RouteAdd(&netlink.Route{Dst: mustCIDR("0.0.0.0/0"), MultiPath: []*netlink.NexthopInfo{
				{LinkIndex: b.Attrs().Index, Gw: net.ParseIP("198.51.100.1")},
				{LinkIndex: a.Attrs().Index, Gw: net.ParseIP("192.0.2.1")},
			}})).To(Succeed())
			l, err := link.Master("")
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Attrs().Name).To(Equal("b0"))
			return nil
		})).To(Succeed())
	})

	It("is a code 7 error without a default route or for a missing name", func() {
		Expect(in(func() error {
			_, err := link.Master("")
			Expect(err).To(MatchError(ContainSubstring("no default route")))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
			_, err = link.Master("nope0")
			Expect(err).To(MatchError(`master "nope0" not found`))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
			return nil
		})).To(Succeed())
	})
})

var _ = Describe("CreateIn and DeleteIn", func() {
	var hostNS, contNS ns.NetNS
	BeforeEach(func() {
		testutils.RequireKernelFeature("macvlan")
		hostNS = testutils.NewNSForSpec()
		contNS = testutils.NewNSForSpec()
	})

	It("creates straight into the container, renames, and deletes idempotently", func() {
		var master netlink.Link
		Expect(hostNS.Do(func(ns.NetNS) error {
			var err error
			master, err = linktest.AddMaster("master0", 1500)
			return err
		})).To(Succeed())
		hostBefore := snapshot(hostNS)
		cont, err := link.OpenIn(contNS)
		Expect(err).NotTo(HaveOccurred())
		defer cont.Close()

		Expect(hostNS.Do(func(ns.NetNS) error {
			host, err := netlinksafe.NewHandle()
			Expect(err).NotTo(HaveOccurred())
			defer host.Close()
			mv := &netlink.Macvlan{LinkAttrs: netlink.LinkAttrs{ParentIndex: master.Attrs().Index}, Mode: netlink.MACVLAN_MODE_BRIDGE}
			l, err := link.CreateIn(mv, contNS, host, cont, "net1")
			if err != nil {
				return err
			}
			Expect(l.Attrs().Name).To(Equal("net1"))
			// A second one under the same name fails and leaves nothing
			// behind.
			mv2 := &netlink.Macvlan{LinkAttrs: netlink.LinkAttrs{ParentIndex: master.Attrs().Index}, Mode: netlink.MACVLAN_MODE_BRIDGE}
			_, err = link.CreateIn(mv2, contNS, host, cont, "net1")
			Expect(err).To(MatchError(ContainSubstring("to net1: file exists")))
			// The name of a host link is free in the container, also on
			// kernels that check a new link's name in the namespace the
			// request comes from (6.1): hence the temporary name.
			mv3 := &netlink.Macvlan{LinkAttrs: netlink.LinkAttrs{ParentIndex: master.Attrs().Index}, Mode: netlink.MACVLAN_MODE_BRIDGE}
			l, err = link.CreateIn(mv3, contNS, host, cont, "master0")
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Attrs().Name).To(Equal("master0"))
			return nil
		})).To(Succeed())
		Expect(link.DeleteIn(contNS.Path(), "master0")).To(Succeed())
		Expect(snapshot(hostNS)).To(Equal(hostBefore), "nothing appears in the host namespace")

		Expect(contNS.Do(func(ns.NetNS) error {
			links, err := netlinksafe.LinkList()
			Expect(err).NotTo(HaveOccurred())
			var names []string
			for _, l := range links {
				names = append(names, l.Attrs().Name)
			}
			Expect(names).To(ConsistOf("lo", "net1"))
			l, err := link.Get("net1", "macvlan")
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Attrs().Name).To(Equal("net1"))
			_, err = link.Get("net1", "ipvlan")
			Expect(err).To(MatchError("check link net1: type is macvlan, want ipvlan"))
			return nil
		})).To(Succeed())

		Expect(link.DeleteIn(contNS.Path(), "net1")).To(Succeed())
		Expect(link.DeleteIn(contNS.Path(), "net1")).To(Succeed(), "link already gone")
		Expect(link.DeleteIn("", "net1")).To(Succeed(), "no namespace given")
		path := contNS.Path()
		Expect(testutils.UnmountNS(contNS)).To(Succeed())
		Expect(link.DeleteIn(path, "net1")).To(Succeed(), "namespace gone")
	})
})

func snapshot(n ns.NetNS) string {
	GinkgoHelper()
	var s string
	Expect(n.Do(func(ns.NetNS) error {
		var err error
		s, err = linktest.Snapshot()
		return err
	})).To(Succeed())
	return s
}

func mustCIDR(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	Expect(err).NotTo(HaveOccurred())
	n.IP = ip
	return n
}
