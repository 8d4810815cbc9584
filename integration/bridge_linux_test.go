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
	"path/filepath"
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

// The bridge plugin's bridge in the host namespace, with the host
// namespace's end of the link to the switch (masterName) as a port: the
// container, the bridge and the routers form one L2 segment.
const pluginBridge = "br-cni"

// bridgeClient drives conflist through libcni from the topology's host
// namespace, as a runtime does.
func bridgeClient(host, container ns.NetNS, conflist string) *client {
	GinkgoHelper()
	for _, bin := range []string{"bridge", "host-local"} {
		_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
		Expect(err).NotTo(HaveOccurred(), "plugin %s not built: run ./build_linux.sh", bin)
	}
	list, err := libcni.NetworkConfFromBytes([]byte(conflist))
	Expect(err).NotTo(HaveOccurred())
	return &client{
		cni:  libcni.NewCNIConfigWithCacheDir([]string{testutils.PluginBinDir()}, GinkgoT().TempDir(), nil),
		list: list,
		rt:   &libcni.RuntimeConf{ContainerID: containerID, NetNS: container.Path(), IfName: ifName},
		host: host,
	}
}

// ecmpBridgeConf is a bridge in L2 mode whose host-local ranges sit on the
// routers' segment, with a default route through each of the two routers
// per family.
func ecmpBridgeConf(dataDir string) string {
	var routes []string
	for _, f := range []family{ipv4, ipv6} {
		for i := range 2 {
			routes = append(routes, fmt.Sprintf(`{"dst":%q,"gw":%q}`, defaultDst(f), f.gateway(i)))
		}
	}
	return fmt.Sprintf(`{"cniVersion":"1.0.0","name":"bridge-ecmp","plugins":[{"type":"bridge","bridge":%q,
		"ipam":{"type":"host-local","dataDir":%q,
			"ranges":[[{"subnet":%q,"rangeStart":%q}],[{"subnet":%q,"rangeStart":%q}]],
			"routes":[%s]}}]}`,
		pluginBridge, dataDir, ipv4.segment, nthAddr(ipv4.segment, 100), ipv6.segment, nthAddr(ipv6.segment, 100),
		strings.Join(routes, ","))
}

var _ = Describe("bridge through libcni", func() {
	It("ECMP: one multipath default route per family, datagrams reach both routers behind the bridge", func() {
		topo := newTopology(2)
		joinPluginBridge(topo)
		c := bridgeClient(topo.host, topo.container, ecmpBridgeConf(GinkgoT().TempDir()))
		_, err := c.add()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.del()).To(Succeed()) })
		Expect(c.check()).To(Succeed())

		for _, f := range []family{ipv4, ipv6} {
			Expect(topo.routeText(ifName, f)).To(Equal(multipathLine(f, "default", 0, 1)), f.name)
			expectSpread(topo, f, destinations(f.defaultDst, spreadFlows), "bridge, default route")
		}
	})

	It("ECMP through cnitool: add, check, traffic to both routers, del", func() {
		topo := newTopology(2)
		joinPluginBridge(topo)
		tool := &cnitool{path: findCnitool(), confDir: GinkgoT().TempDir(), varLib: GinkgoT().TempDir(), host: topo.host}
		Expect(os.WriteFile(filepath.Join(tool.confDir, "10-bridge.conflist"),
			[]byte(ecmpBridgeConf(GinkgoT().TempDir())), 0o600)).To(Succeed())
		tool.env = []string{
			"NETCONFPATH=" + tool.confDir,
			"CNI_PATH=" + testutils.PluginBinDir(),
			"CNI_IFNAME=" + ifName,
			"PATH=" + os.Getenv("PATH"),
		}
		out, err := tool.run("add", "bridge-ecmp", topo.container.Path())
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("cnitool add:\n%s\n", out)
		for _, f := range []family{ipv4, ipv6} {
			Expect(topo.routeText(ifName, f)).To(Equal(multipathLine(f, "default", 0, 1)), f.name)
			expectSpread(topo, f, destinations(f.defaultDst, spreadFlows), "bridge via cnitool")
		}
		_, err = tool.run("check", "bridge-ecmp", topo.container.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = tool.run("del", "bridge-ecmp", topo.container.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(topo.container.Do(func(ns.NetNS) error {
			if _, err := netlink.LinkByName(ifName); err == nil {
				return fmt.Errorf("%s still exists after del", ifName)
			}
			return nil
		})).To(Succeed())
	})

	It("ipMasq: the container's traffic leaves NAT'd through the uplink, until DEL", func() {
		testutils.SkipUnlessRoot()
		for _, backend := range []string{"", "nftables"} {
			By("backend " + backend)
			m := newMasqTopology()
			conf := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"bridge-masq","plugins":[{"type":"bridge","bridge":%q,
				"isDefaultGateway":true,"ipMasq":true,"ipMasqBackend":%q,
				"ipam":{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8:3::/64"}]]}}]}`,
				pluginBridge, backend, GinkgoT().TempDir())
			if backend == "" {
				conf = strings.Replace(conf, `"ipMasqBackend":"",`, "", 1)
			}
			c := bridgeClient(m.host, m.container, conf)
			_, err := c.add()
			Expect(err).NotTo(HaveOccurred())
			Expect(c.check()).To(Succeed())
			Expect(m.sourceSeen("198.51.100.2")).To(Equal("198.51.100.1"))
			Expect(m.sourceSeen("2001:db8:2::2")).To(Equal("2001:db8:2::1"))
			Expect(c.del()).To(Succeed())
			Expect(c.del()).To(Succeed())
		}
	})
})

// joinPluginBridge makes the bridge the plugin will find, in the host
// namespace, with the host's link to the switch as a port: the container
// then shares the routers' segment.
func joinPluginBridge(topo *topology) {
	GinkgoHelper()
	Expect(topo.host.Do(func(ns.NetNS) error {
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: pluginBridge}}
		if err := netlink.LinkAdd(br); err != nil {
			return err
		}
		uplink, err := netlink.LinkByName(masterName)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetMaster(uplink, br); err != nil {
			return err
		}
		return netlink.LinkSetUp(br)
	})).To(Succeed())
}

// masqTopology: a container behind the host namespace (where the plugin
// makes its bridge), and an uplink namespace on 198.51.100.0/24 and
// 2001:db8:2::/64 beyond the host. The uplink has no route back to the
// container's subnets: a datagram it receives from the host's uplink
// address was NAT'd.
type masqTopology struct {
	host, container, uplink ns.NetNS
}

func newMasqTopology() *masqTopology {
	GinkgoHelper()
	m := &masqTopology{host: testutils.NewNSForSpec(), container: testutils.NewNSForSpec(), uplink: testutils.NewNSForSpec()}
	Expect(setUp(handleAt(m.container), "lo")).To(Succeed())
	Expect(setUp(handleAt(m.uplink), "lo")).To(Succeed())
	h := handleAt(m.host)
	Expect(setUp(h, "lo")).To(Succeed())
	Expect(h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "up0"}, PeerName: "eth0",
		PeerNamespace: netlink.NsFd(int(m.uplink.Fd()))})).To(Succeed())
	for _, side := range []struct {
		n     ns.NetNS
		link  string
		addrs []string
	}{
		{m.host, "up0", []string{"198.51.100.1/24", "2001:db8:2::1/64"}},
		{m.uplink, "eth0", []string{"198.51.100.2/24", "2001:db8:2::2/64"}},
	} {
		hh := handleAt(side.n)
		l, err := hh.LinkByName(side.link)
		Expect(err).NotTo(HaveOccurred())
		for _, a := range side.addrs {
			addr, err := netlink.ParseAddr(a)
			Expect(err).NotTo(HaveOccurred())
			addr.Flags = unix.IFA_F_NODAD
			Expect(hh.AddrAdd(l, addr)).To(Succeed())
		}
		Expect(hh.LinkSetUp(l)).To(Succeed())
	}
	return m
}

// sourceSeen sends datagrams from the container to dst in the uplink until
// one arrives, and returns its source address.
func (m *masqTopology) sourceSeen(dst string) string {
	GinkgoHelper()
	var conn *net.UDPConn
	Expect(m.uplink.Do(func(ns.NetNS) (err error) {
		conn, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(dst), Port: probePort})
		return err
	})).To(Succeed())
	defer conn.Close()
	var from string
	Eventually(func() error {
		if err := m.container.Do(func(ns.NetNS) error {
			c, err := net.Dial("udp", net.JoinHostPort(dst, fmt.Sprint(probePort)))
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.Write([]byte("masq"))
			return err
		}); err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		buf := make([]byte, 16)
		_, addr, err := conn.ReadFromUDP(buf)
		if err != nil {
			return err
		}
		from = addr.IP.String()
		return nil
	}).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
	return from
}
