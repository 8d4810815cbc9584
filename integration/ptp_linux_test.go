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
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The ptp network: the benchmarking prefix 198.18.0.0/24 (RFC 2544) and
// 2001:db8:f::/64, since the topology's families use the three IPv4
// documentation prefixes already.
var (
	ptpNet4 = mustCIDR("198.18.0.0/24")
	ptpNet6 = mustCIDR("2001:db8:f::/64")
)

// ptpConfList is ptp with static IPAM, two addresses per family, each with
// its own gateway on the host end, and the topology's prefixDst through both
// gateways; chained with tuning shortening the neighbor timers.
func ptpConfList() []byte {
	return []byte(fmt.Sprintf(`{
  "cniVersion": %q,
  "name": "ptp-ecmp",
  "plugins": [
    {
      "type": "ptp",
      "ipam": {
        "type": "static",
        "addresses": [
          {"address": "198.18.0.10/24", "gateway": "198.18.0.1"},
          {"address": "198.18.0.11/24", "gateway": "198.18.0.2"},
          {"address": "2001:db8:f::10/64", "gateway": "2001:db8:f::1"},
          {"address": "2001:db8:f::11/64", "gateway": "2001:db8:f::2"}
        ],
        "routes": [
          {"dst": %q, "gw": "198.18.0.1"}, {"dst": %q, "gw": "198.18.0.2"},
          {"dst": %q, "gw": "2001:db8:f::1"}, {"dst": %q, "gw": "2001:db8:f::2"}
        ]
      }
    },
    {
      "type": "tuning",
      "dataDir": %q,
      "sysctl": {
        "net.ipv4.neigh.IFNAME.base_reachable_time_ms": "2000",
        "net.ipv6.neigh.IFNAME.base_reachable_time_ms": "2000"
      }
    }
  ]
}`, cniVersion, ipv4.prefixDst, ipv4.prefixDst, ipv6.prefixDst, ipv6.prefixDst, GinkgoT().TempDir()))
}

// routeHostToRouter gives the topology's host namespace an address on the
// segment and a route to prefixDst through router a, and each router a
// route back to the ptp network, for both families.
func routeHostToRouter(topo *topology) {
	GinkgoHelper()
	h := handleAt(topo.host)
	master, err := h.LinkByName(masterName)
	Expect(err).NotTo(HaveOccurred())
	for _, f := range []family{ipv4, ipv6} {
		hostAddr := nthAddr(f.segment, 200)
		Expect(h.AddrAdd(master, &netlink.Addr{IPNet: &net.IPNet{IP: hostAddr, Mask: f.segment.Mask}, Flags: unix.IFA_F_NODAD})).To(Succeed())
		Expect(h.RouteAdd(&netlink.Route{LinkIndex: master.Attrs().Index, Dst: f.prefixDst, Gw: f.gateway(0)})).To(Succeed())
		back := ptpNet4
		if f.netlink == ipv6.netlink {
			back = ptpNet6
		}
		for _, r := range topo.routers {
			rh := handleAt(r.ns)
			seg, err := rh.LinkByName(segmentName)
			Expect(err).NotTo(HaveOccurred())
			Expect(rh.RouteAdd(&netlink.Route{LinkIndex: seg.Attrs().Index, Dst: back, Gw: hostAddr})).To(Succeed())
		}
	}
}

// resolvedGateways lists the container's neighbors on ifName that
// resolved (neither INCOMPLETE nor FAILED), sorted as the kernel dumps them.
func resolvedGateways(topo *topology) (string, error) {
	var out []string
	err := topo.container.Do(func(ns.NetNS) error {
		l, err := netlink.LinkByName(ifName)
		if err != nil {
			return err
		}
		neighs, err := netlink.NeighList(l.Attrs().Index, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		for _, n := range neighs {
			if n.State&(netlink.NUD_INCOMPLETE|netlink.NUD_FAILED|netlink.NUD_NOARP) == 0 && !n.IP.IsLinkLocalUnicast() {
				out = append(out, n.IP.String())
			}
		}
		return nil
	})
	slices.Sort(out)
	return strings.Join(out, " "), err
}

var _ = Describe("ptp and tuning through libcni", func() {
	It("give the container one multipath route per family through the host end, and the flows use both gateways", func() {
		testutils.SkipUnlessRoot()
		for _, bin := range []string{"ptp", "static", "tuning"} {
			_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
			Expect(err).NotTo(HaveOccurred(), "plugin %s not built: run ./build_linux.sh", bin)
		}
		topo := newTopology(2)
		routeHostToRouter(topo)

		list, err := libcni.NetworkConfFromBytes(ptpConfList())
		Expect(err).NotTo(HaveOccurred())
		c := &client{
			cni:  libcni.NewCNIConfigWithCacheDir([]string{testutils.PluginBinDir()}, GinkgoT().TempDir(), nil),
			list: list,
			rt:   &libcni.RuntimeConf{ContainerID: containerID, NetNS: topo.container.Path(), IfName: ifName},
			host: topo.host,
		}
		_, err = c.add()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.del()).To(Succeed()) })
		Expect(c.check()).To(Succeed())

		Expect(topo.routeText(ifName, ipv4)).To(Equal(strings.Join([]string{
			"198.18.0.0/24 nexthop via 198.18.0.1 dev net1 weight 1 nexthop via 198.18.0.2 dev net1 weight 1",
			"198.18.0.1 dev net1 scope link",
			"198.18.0.2 dev net1 scope link",
			"203.0.113.0/24 nexthop via 198.18.0.1 dev net1 weight 1 nexthop via 198.18.0.2 dev net1 weight 1",
		}, "\n")))
		Expect(topo.routeText(ifName, ipv6)).To(Equal(strings.Join([]string{
			"2001:db8:2::/64 metric 1024 nexthop via 2001:db8:f::1 dev net1 weight 1 nexthop via 2001:db8:f::2 dev net1 weight 1",
			"2001:db8:f::1 dev net1 metric 1024",
			"2001:db8:f::2 dev net1 metric 1024",
			"2001:db8:f::/64 metric 1024 nexthop via 2001:db8:f::1 dev net1 weight 1 nexthop via 2001:db8:f::2 dev net1 weight 1",
		}, "\n")))

		// The container resolves a gateway only when a flow is hashed to
		// it: both resolved means both nexthops carried flows. Every
		// datagram crosses the host end and reaches router a, where the
		// host routes prefixDst.
		Expect(resolvedGateways(topo)).To(BeEmpty())
		for _, f := range []family{ipv4, ipv6} {
			counts, err := topo.probe("ptp "+f.name, destinations(f.prefixDst, spreadFlows), deliveryWait)
			Expect(err).NotTo(HaveOccurred())
			Expect(counts).To(Equal([]int{spreadFlows, 0}), "%s: every datagram arrives at router a", f.name)
		}
		Eventually(resolvedGateways).WithArguments(topo).WithTimeout(5 * time.Second).WithPolling(100 * time.Millisecond).
			Should(Equal("198.18.0.1 198.18.0.2 2001:db8:f::1 2001:db8:f::2"))
	})
})

// masqPort is where the NAT spec's listener in router-a waits.
const masqPort = probePort + 1

// sourceSeen sends one datagram from the container to dst and returns the
// source address router-a received it from.
func sourceSeen(topo *topology, dst net.IP) (string, error) {
	var conn *net.UDPConn
	if err := topo.routers[0].ns.Do(func(ns.NetNS) (err error) {
		conn, err = net.ListenUDP("udp", &net.UDPAddr{Port: masqPort})
		return err
	}); err != nil {
		return "", err
	}
	defer conn.Close()
	if err := topo.container.Do(func(ns.NetNS) error {
		c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: dst, Port: masqPort})
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("masq"))
		return err
	}); err != nil {
		return "", err
	}
	if err := conn.SetReadDeadline(time.Now().Add(deliveryWait)); err != nil {
		return "", err
	}
	buf := make([]byte, 16)
	_, from, err := conn.ReadFromUDP(buf)
	if err != nil {
		return "", err
	}
	return from.IP.String(), nil
}

var _ = Describe("ptp ipMasq through libcni", func() {
	for _, backend := range []string{"iptables", "nftables"} {
		It("masquerades the container's traffic leaving the host to the host's address, with "+backend, func() {
			testutils.SkipUnlessRoot()
			if backend == "iptables" {
				for _, b := range []string{"iptables", "ip6tables"} {
					if _, err := exec.LookPath(b); err != nil {
						Skip("needs the " + b + " binary for the iptables backend")
					}
				}
			}
			topo := newTopology(2)
			routeHostToRouter(topo)
			list, err := libcni.NetworkConfFromBytes([]byte(fmt.Sprintf(`{
  "cniVersion": %q, "name": "ptp-masq",
  "plugins": [{
    "type": "ptp", "ipMasq": true, "ipMasqBackend": %q,
    "ipam": {"type": "static",
      "addresses": [{"address": "198.18.0.10/24", "gateway": "198.18.0.1"}, {"address": "2001:db8:f::10/64", "gateway": "2001:db8:f::1"}],
      "routes": [{"dst": %q}, {"dst": %q}]}
  }]
}`, cniVersion, backend, ipv4.prefixDst, ipv6.prefixDst)))
			Expect(err).NotTo(HaveOccurred())
			c := &client{
				cni:  libcni.NewCNIConfigWithCacheDir([]string{testutils.PluginBinDir()}, GinkgoT().TempDir(), nil),
				list: list,
				rt:   &libcni.RuntimeConf{ContainerID: containerID, NetNS: topo.container.Path(), IfName: ifName},
				host: topo.host,
			}
			_, err = c.add()
			Expect(err).NotTo(HaveOccurred())
			Expect(c.check()).To(Succeed())
			for _, f := range []family{ipv4, ipv6} {
				Expect(sourceSeen(topo, nthAddr(f.prefixDst, 9))).To(Equal(nthAddr(f.segment, 200).String()),
					"%s: router-a sees the host's segment address", f.name)
			}
			Expect(c.del()).To(Succeed())
		})
	}
})
