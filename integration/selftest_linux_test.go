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

package integration_test

import (
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

// The test network itself, without any plugin: a veth from the container to
// the bridge and a multipath route made by hand must reach both routers.
// When this fails, the plugin specs' failures say nothing about the plugins.
var _ = Describe("test network", func() {
	BeforeEach(func() {
		testutils.SkipUnlessRoot()
	})

	It("delivers and counts datagrams over a hand-made multipath route, both families", func() {
		topo := newTopology(2)
		Expect(addPort(handleAt(topo.sw), bridgeOf(topo), "cont0", "eth0", topo.container)).To(Succeed())
		Expect(topo.container.Do(func(ns.NetNS) error {
			h, err := netlinksafe.NewHandle()
			if err != nil {
				return err
			}
			defer h.Close()
			l, err := h.LinkByName("eth0")
			if err != nil {
				return err
			}
			for _, f := range []family{ipv4, ipv6} {
				ip, seg, _ := net.ParseCIDR(f.containerAddr())
				if err := h.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: seg.Mask}, Flags: unix.IFA_F_NODAD}); err != nil {
					return err
				}
				rt := &netlink.Route{Dst: f.prefixDst, MultiPath: []*netlink.NexthopInfo{
					{LinkIndex: l.Attrs().Index, Gw: f.gateway(0)},
					{LinkIndex: l.Attrs().Index, Gw: f.gateway(1)},
				}}
				if err := h.RouteAdd(rt); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())

		for _, f := range []family{ipv4, ipv6} {
			counts, err := topo.probe("selftest", destinations(f.prefixDst, 64), 5*time.Second)
			Expect(err).NotTo(HaveOccurred())
			GinkgoWriter.Printf("%s: per-router datagrams %v\n", f.name, counts)
			Expect(sum(counts)).To(Equal(64), "%s: every datagram arrives", f.name)
			Expect(counts).To(HaveEach(BeNumerically(">", 0)), "%s: every router used", f.name)
		}
	})
})

func bridgeOf(t *topology) *netlink.Bridge {
	GinkgoHelper()
	l, err := handleAt(t.sw).LinkByName(bridgeName)
	Expect(err).NotTo(HaveOccurred())
	return l.(*netlink.Bridge)
}
