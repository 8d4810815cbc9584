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
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/containernetworking/cni/libcni"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// chainConf is a network config list: macvlan with static IPAM giving two
// gateways per family to the default route and to the prefix, then the
// route plugin meta (a JSON object).
func chainConf(fams []family, meta string) []byte {
	var addrs, routes []string
	for _, f := range fams {
		addrs = append(addrs, fmt.Sprintf(`{"address":%q}`, f.containerAddr()))
		for _, dst := range []string{defaultDst(f), prefixDst(f)} {
			for i := range 2 {
				routes = append(routes, fmt.Sprintf(`{"dst":%q,"gw":%q}`, dst, f.gateway(i)))
			}
		}
	}
	return []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"route-plugins","plugins":[
		{"type":"macvlan","master":%q,"mode":"bridge",
		 "ipam":{"type":"static","addresses":[%s],"routes":[%s]}},
		%s]}`, masterName, strings.Join(addrs, ","), strings.Join(routes, ","), meta))
}

// newChainClient drives the config list conf through libcni from the
// topology's host namespace.
func newChainClient(topo *topology, conf []byte) *client {
	GinkgoHelper()
	list, err := libcni.NetworkConfFromBytes(conf)
	Expect(err).NotTo(HaveOccurred())
	return &client{
		cni:  libcni.NewCNIConfigWithCacheDir([]string{testutils.PluginBinDir()}, GinkgoT().TempDir(), nil),
		list: list,
		rt:   &libcni.RuntimeConf{ContainerID: containerID, NetNS: topo.container.Path(), IfName: ifName},
		host: topo.host,
	}
}

// tableText renders the container's routes of f on the interface in table,
// without the kernel's own.
func (t *topology) tableText(f family, table int) string {
	GinkgoHelper()
	var text string
	Expect(t.container.Do(func(ns.NetNS) (err error) {
		text, err = testutils.RouteText(ifName, f.netlink, table)
		return err
	})).To(Succeed())
	return text
}

// sendBound sends one datagram to each of dsts from a socket bound to the
// address src (the rule of sbr matches it) and, when dev is set, to the
// device dev (a VRF: its table is looked up).
func (t *topology) sendBound(batch string, dsts []net.IP, src net.IP, dev string) error {
	d := net.Dialer{LocalAddr: &net.UDPAddr{IP: src}, Control: func(_, _ string, c syscall.RawConn) error {
		if dev == "" {
			return nil
		}
		var serr error
		if err := c.Control(func(fd uintptr) { serr = unix.BindToDevice(int(fd), dev) }); err != nil {
			return err
		}
		return serr
	}}
	return t.container.Do(func(ns.NetNS) error {
		for i, dst := range dsts {
			c, err := d.DialContext(context.Background(), "udp", net.JoinHostPort(dst.String(), fmt.Sprint(probePort)))
			if err != nil {
				return fmt.Errorf("dial %s from %s: %w", dst, src, err)
			}
			_, err = fmt.Fprintf(c, "%s/%d", batch, i)
			c.Close()
			if err != nil {
				return fmt.Errorf("send to %s from %s: %w", dst, src, err)
			}
		}
		return nil
	})
}

// expectSpreadFrom sends new flows from src (and dev) and expects every
// datagram to arrive and both routers to receive some.
func expectSpreadFrom(topo *topology, f family, dsts []net.IP, src net.IP, dev, what string) {
	GinkgoHelper()
	batch := newBatch(what)
	Expect(topo.sendBound(batch, dsts, src, dev)).To(Succeed())
	counts := topo.tally.wait(batch, len(dsts), deliveryWait)
	GinkgoWriter.Printf("%s %s: datagrams per router %v\n", f.name, what, counts)
	Expect(sum(counts)).To(Equal(len(dsts)), "%s %s: every datagram arrives", f.name, what)
	Expect(counts).To(HaveEach(BeNumerically(">", 0)), "%s %s: every router receives some flows", f.name, what)
}

// tableLines is the expected non-kernel route text of a table holding the
// two-gateway routes of f.
func tableLines(f family, table int) string {
	var out []string
	for _, dst := range dumpOrder(f) {
		line := dst + metricText(f, 0) + fmt.Sprintf(" table %d", table)
		for i := range 2 {
			line += fmt.Sprintf(" nexthop via %s dev %s weight 1", f.gateway(i), ifName)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// requireChain skips without the kernel features and fails without the
// built plugins.
func requireChain(features []string, plugins ...string) {
	GinkgoHelper()
	for _, feat := range features {
		testutils.RequireKernelFeature(feat)
	}
	for _, bin := range append(plugins, "macvlan", "static") {
		_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
		Expect(err).NotTo(HaveOccurred(), "plugin %s not built: run ./build_linux.sh", bin)
	}
}

var _ = Describe("route plugins keep ECMP after macvlan", func() {
	dual := []family{ipv4, ipv6}

	It("sbr: one multipath route per family in the table, traffic from each address reaches both routers", func() {
		requireChain([]string{"macvlan", "multipath"}, "sbr")
		topo := newTopology(2)
		c := newChainClient(topo, chainConf(dual, `{"type":"sbr"}`))
		_, err := c.add()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.del()).To(Succeed()) })

		// The IPv4 address gets table 100, the IPv6 address 101, each with
		// the gateway routes of its family (and the device routes of both,
		// which are the kernel's and not rendered here).
		Expect(topo.tableText(ipv4, 100)).To(Equal(tableLines(ipv4, 100)))
		Expect(topo.tableText(ipv6, 101)).To(Equal(tableLines(ipv6, 101)))
		Expect(topo.tableText(ipv6, 100)).To(BeEmpty())
		Expect(topo.tableText(ipv4, 101)).To(BeEmpty())
		for _, f := range dual {
			Expect(topo.routeText(ifName, f)).To(BeEmpty(), "%s: nothing left in main", f.name)
			src := net.ParseIP(strings.Split(f.containerAddr(), "/")[0])
			expectSpreadFrom(topo, f, destinations(f.prefixDst, spreadFlows), src, "", "sbr, prefix route")
			expectSpreadFrom(topo, f, destinations(f.defaultDst, spreadFlows), src, "", "sbr, default route")
		}
		// A chained CHECK is not run here: macvlan's CHECK looks for its
		// routes in the main table, which sbr and vrf empty. The plugins'
		// own CHECK is tested in their packages.
		Expect(c.del()).To(Succeed())
		Expect(c.del()).To(Succeed(), "DEL twice")
	})

	It("vrf: one multipath route per family in the VRF's table, traffic in the VRF reaches both routers", func() {
		requireChain([]string{"macvlan", "vrf", "multipath"}, "vrf")
		topo := newTopology(2)
		c := newChainClient(topo, chainConf(dual, `{"type":"vrf","vrfname":"blue","table":1001}`))
		_, err := c.add()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.del()).To(Succeed()) })

		for _, f := range dual {
			Expect(topo.tableText(f, 1001)).To(Equal(tableLines(f, 1001)), f.name)
			Expect(topo.routeText(ifName, f)).To(BeEmpty(), "%s: nothing left in main", f.name)
			src := net.ParseIP(strings.Split(f.containerAddr(), "/")[0])
			expectSpreadFrom(topo, f, destinations(f.prefixDst, spreadFlows), src, "blue", "vrf, prefix route")
			expectSpreadFrom(topo, f, destinations(f.defaultDst, spreadFlows), src, "blue", "vrf, default route")
		}
		// A chained CHECK is not run here: macvlan's CHECK looks for its
		// routes in the main table, which sbr and vrf empty. The plugins'
		// own CHECK is tested in their packages.
		Expect(c.del()).To(Succeed())
		Expect(c.del()).To(Succeed(), "DEL twice")
	})
})
