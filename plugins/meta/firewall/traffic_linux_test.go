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

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// container is one container of the traffic specs: its namespace, address
// and bridge, and a TCP listener in it that accepts and closes.
type container struct {
	ns     ns.NetNS
	addr   string
	bridge string
}

// bridged is a host namespace whose FORWARD policy drops, as on a host
// whose administrator (or Docker) set it so, with bridges and containers
// attached to them, each with a default route through its bridge.
type bridged struct {
	*fixture
	cs []*container
}

// newBridged makes bridge br0 192.0.2.1/24 with containers c0 .2 and c1 .3,
// and bridge br1 198.51.100.1/24 with container c2 .2.
func newBridged() *bridged {
	GinkgoHelper()
	b := &bridged{fixture: newFixture()}
	bridges := map[string]string{"br0": "192.0.2.1/24", "br1": "198.51.100.1/24"}
	Expect(b.host.Do(func(ns.NetNS) error {
		for name, addr := range bridges {
			br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}
			if err := netlink.LinkAdd(br); err != nil {
				return fmt.Errorf("add bridge %s: %w", name, err)
			}
			a, _ := netlink.ParseAddr(addr)
			if err := netlink.AddrAdd(br, a); err != nil {
				return err
			}
			if err := netlink.LinkSetUp(br); err != nil {
				return err
			}
		}
		if err := ip.EnableIP4Forward(); err != nil {
			return err
		}
		out, err := exec.Command("iptables", "-P", "FORWARD", "DROP").CombinedOutput()
		if err != nil {
			return fmt.Errorf("iptables -P FORWARD DROP: %w: %s", err, out)
		}
		return nil
	})).To(Succeed())
	for i, c := range []struct{ addr, gw, bridge string }{
		{"192.0.2.2/24", "192.0.2.1", "br0"},
		{"192.0.2.3/24", "192.0.2.1", "br0"},
		{"198.51.100.2/24", "198.51.100.1", "br1"},
	} {
		cn := &container{ns: testutils.NewNSForSpec(), addr: c.addr, bridge: c.bridge}
		hostName := fmt.Sprintf("veth%d", i)
		Expect(cn.ns.Do(func(ns.NetNS) error {
			if _, _, err := ip.SetupVethWithName("eth0", hostName, 1500, "", b.host); err != nil {
				return err
			}
			l, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			a, _ := netlink.ParseAddr(c.addr)
			if err := netlink.AddrAdd(l, a); err != nil {
				return err
			}
			if err := netlink.RouteAdd(&netlink.Route{Gw: net.ParseIP(c.gw)}); err != nil {
				return fmt.Errorf("add default route: %w", err)
			}
			lis, err := net.Listen("tcp4", ":8080")
			if err != nil {
				return err
			}
			DeferCleanup(lis.Close)
			go func() {
				for {
					conn, err := lis.Accept()
					if err != nil {
						return
					}
					_ = conn.Close()
				}
			}()
			return nil
		})).To(Succeed())
		Expect(b.host.Do(func(ns.NetNS) error {
			l, err := netlink.LinkByName(hostName)
			if err != nil {
				return err
			}
			br, err := netlink.LinkByName(c.bridge)
			if err != nil {
				return err
			}
			return netlink.LinkSetMaster(l, br)
		})).To(Succeed())
		b.cs = append(b.cs, cn)
	}
	return b
}

// attach runs the firewall ADD for container i with policy.
func (b *bridged) attach(i int, policy string) {
	GinkgoHelper()
	c := b.cs[i]
	conf := fmt.Appendf(nil, `{"cniVersion":"1.0.0","name":"net-%s","type":"firewall","backend":"iptables","ingressPolicy":%q,
		"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":%q},{"name":"veth%d"},{"name":"eth0","sandbox":%q}],"ips":[{"address":%q,"interface":2}]}}`,
		c.bridge, policy, c.bridge, i, c.ns.Path(), c.addr)
	_, err := b.exec(filepath.Join(binDir, "firewall"), "ADD", fmt.Sprintf("c%d", i), conf, c.ns.Path())
	Expect(err).NotTo(HaveOccurred())
}

// reach tells whether a TCP connection from container i to container j
// is established within timeout.
func (b *bridged) reach(i, j int, timeout time.Duration) bool {
	GinkgoHelper()
	to, _, _ := net.ParseCIDR(b.cs[j].addr)
	var ok bool
	Expect(b.cs[i].ns.Do(func(ns.NetNS) error {
		conn, err := net.DialTimeout("tcp4", net.JoinHostPort(to.String(), "8080"), timeout)
		var nerr net.Error
		switch {
		case err == nil:
			ok = true
			return conn.Close()
		case errors.As(err, &nerr) && nerr.Timeout():
			return nil
		}
		return err
	})).To(Succeed())
	return ok
}

// brNetfilter tells whether bridged traffic of the host namespace passes
// iptables (br_netfilter's bridge-nf-call-iptables).
func (b *bridged) brNetfilter() bool {
	GinkgoHelper()
	var on bool
	Expect(b.host.Do(func(ns.NetNS) error {
		v, err := os.ReadFile("/proc/sys/net/bridge/bridge-nf-call-iptables")
		on = err == nil && strings.TrimSpace(string(v)) == "1"
		return nil
	})).To(Succeed())
	return on
}

// matrix is what container i reaches of containers j, as "i>j" for every
// pair. A pair in want gets 5 s, so that a loaded machine does not make an
// open path look closed; the others 1 s, more than a veth handshake takes.
func (b *bridged) matrix(want ...string) []string {
	var out []string
	for i := range b.cs {
		for j := range b.cs {
			if i == j {
				continue
			}
			pair := fmt.Sprintf("%d>%d", i, j)
			timeout := time.Second
			if slices.Contains(want, pair) {
				timeout = 5 * time.Second
			}
			if b.reach(i, j, timeout) {
				out = append(out, pair)
			}
		}
	}
	return out
}

var _ = Describe("traffic through the host", func() {
	// c0 and c1 share br0; c2 is on br1. FORWARD's policy drops, so only
	// what the plugin accepts passes.
	It("passes nothing through FORWARD without the plugin", func() {
		b := newBridged()
		if b.brNetfilter() {
			Expect(b.matrix()).To(BeEmpty())
		} else {
			Expect(b.matrix("0>1", "1>0")).To(Equal([]string{"0>1", "1>0"}), "bridged, never forwarded")
		}
	})

	DescribeTable("per ingress policy",
		func(policy string, needsBrNetfilter bool, want []string) {
			b := newBridged()
			if needsBrNetfilter && !b.brNetfilter() {
				Skip("bridge-nf-call-iptables is off or br_netfilter is not loaded: traffic between ports of one bridge does not pass iptables here")
			}
			for i := range b.cs {
				b.attach(i, policy)
			}
			Expect(b.matrix(want...)).To(Equal(want))
		},
		Entry("open: every pair", policyOpen, false, []string{"0>1", "0>2", "1>0", "1>2", "2>0", "2>1"}),
		Entry("same-bridge: only within a bridge", policySameBridge, false, []string{"0>1", "1>0"}),
		Entry("isolated: not even within a bridge", policyIsolated, true, nil),
	)
})
