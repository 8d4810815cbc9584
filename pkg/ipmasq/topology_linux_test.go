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

package ipmasq_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The test topology: a container namespace on 192.0.2.0/24 and
// 2001:db8:1::/64 behind a router namespace, where the masquerading rules
// live, and an uplink namespace on 198.51.100.0/24 and 2001:db8:2::/64
// beyond it. The uplink has no route back to the container's subnets, so a
// datagram it receives from the router's own uplink address was NAT'd.
var (
	ctrAddrs    = []string{"192.0.2.2/24", "2001:db8:1::2/64"}
	ctrGWs      = []string{"192.0.2.1/24", "2001:db8:1::1/64"}
	routerUp    = []string{"198.51.100.1/24", "2001:db8:2::1/64"}
	uplinkAddrs = []string{"198.51.100.2/24", "2001:db8:2::2/64"}
)

const probePort = 5555

type topology struct {
	router, ctr, uplink ns.NetNS
}

// ctrIPNets returns the container's addresses as Setup takes them.
func ctrIPNets() []*net.IPNet {
	out := make([]*net.IPNet, 0, len(ctrAddrs))
	for _, s := range ctrAddrs {
		ip, n, err := net.ParseCIDR(s)
		Expect(err).NotTo(HaveOccurred())
		n.IP = ip
		out = append(out, n)
	}
	return out
}

func newTopology() *topology {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	t := &topology{router: testutils.NewNSForSpec(), ctr: testutils.NewNSForSpec(), uplink: testutils.NewNSForSpec()}
	Expect(t.router.Do(func(ns.NetNS) error {
		if err := linkUp("lo"); err != nil {
			return err
		}
		for _, key := range []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"} {
			if err := os.WriteFile(key, []byte("1"), 0o644); err != nil {
				return err
			}
		}
		if err := veth("ctr0", "eth0", t.ctr, ctrGWs, ctrAddrs); err != nil {
			return err
		}
		return veth("up0", "eth0", t.uplink, routerUp, uplinkAddrs)
	})).To(Succeed())
	// Routes back to the container: without masquerading the uplink sees
	// (and accepts, whatever its rp_filter) the container's own address.
	Expect(t.uplink.Do(func(ns.NetNS) error {
		for i, dst := range []string{"192.0.2.0/24", "2001:db8:1::/64"} {
			_, d, _ := net.ParseCIDR(dst)
			gw, _, _ := net.ParseCIDR(routerUp[i])
			if err := netlink.RouteAdd(&netlink.Route{Dst: d, Gw: gw}); err != nil {
				return fmt.Errorf("add route %s via %s: %w", d, gw, err)
			}
		}
		return nil
	})).To(Succeed())
	Expect(t.ctr.Do(func(ns.NetNS) error {
		for _, gw := range ctrGWs {
			ip, _, _ := net.ParseCIDR(gw)
			dst := "0.0.0.0/0"
			if ip.To4() == nil {
				dst = "::/0"
			}
			_, d, _ := net.ParseCIDR(dst)
			if err := netlink.RouteAdd(&netlink.Route{Dst: d, Gw: ip}); err != nil {
				return fmt.Errorf("add default route via %s: %w", ip, err)
			}
		}
		return nil
	})).To(Succeed())
	return t
}

func linkUp(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	return netlink.LinkSetUp(l)
}

// veth links the current namespace (local, with localAddrs) to peerNS
// (peer, with peerAddrs); IPv6 addresses skip DAD.
func veth(local, peer string, peerNS ns.NetNS, localAddrs, peerAddrs []string) error {
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: local}, PeerName: peer,
		PeerNamespace: netlink.NsFd(int(peerNS.Fd()))}); err != nil {
		return fmt.Errorf("add veth %s: %w", local, err)
	}
	if err := addrsUp(local, localAddrs); err != nil {
		return err
	}
	return peerNS.Do(func(ns.NetNS) error {
		if err := linkUp("lo"); err != nil {
			return err
		}
		return addrsUp(peer, peerAddrs)
	})
}

func addrsUp(name string, addrs []string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	for _, s := range addrs {
		a, err := netlink.ParseAddr(s)
		if err != nil {
			return err
		}
		if a.IP.To4() == nil {
			a.Flags = unix.IFA_F_NODAD
		}
		if err := netlink.AddrAdd(l, a); err != nil {
			return fmt.Errorf("add %s to %s: %w", s, name, err)
		}
	}
	return netlink.LinkSetUp(l)
}

// sourceSeen sends datagrams from the container to the uplink's address
// of dst's family and returns the source address the uplink saw.
func (t *topology) sourceSeen(dst string) string {
	GinkgoHelper()
	var conn *net.UDPConn
	Expect(t.uplink.Do(func(ns.NetNS) error {
		var err error
		conn, err = net.ListenUDP("udp", &net.UDPAddr{Port: probePort})
		return err
	})).To(Succeed())
	defer conn.Close()
	ip, _, err := net.ParseCIDR(dst)
	Expect(err).NotTo(HaveOccurred())
	seen := make(chan string, 1)
	go func() {
		defer GinkgoRecover()
		buf := make([]byte, 64)
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, from, err := conn.ReadFromUDP(buf)
		if err != nil {
			seen <- "none: " + err.Error()
			return
		}
		seen <- from.IP.String()
	}()
	// Send until the uplink reads one: the first datagrams may wait for
	// neighbor resolution.
	Eventually(func() error {
		if len(seen) > 0 {
			return nil
		}
		err := t.ctr.Do(func(ns.NetNS) error {
			c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: ip, Port: probePort})
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.Write([]byte("probe"))
			return err
		})
		if err != nil {
			return err
		}
		return fmt.Errorf("no datagram yet")
	}).WithTimeout(20 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
	return <-seen
}

// inNS runs a command in n and returns its output.
func inNS(n ns.NetNS, name string, args ...string) (string, error) {
	var out []byte
	err := n.Do(func(ns.NetNS) error {
		var err error
		out, err = exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, out)
		}
		return nil
	})
	return string(out), err
}

// requireBinaries skips the spec when a netfilter tool is missing (the VM
// guest has none).
func requireBinaries(names ...string) {
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			Skip(name + " not installed (the VM guest has no netfilter tools)")
		}
	}
}

// natRules returns the nat table's rules of both families in n as
// iptables-save prints them, without comments, counters and the chain
// policies.
func natRules(n ns.NetNS) string {
	GinkgoHelper()
	var lines []string
	for _, bin := range []string{"iptables-save", "ip6tables-save"} {
		out, err := inNS(n, bin, "-t", "nat")
		Expect(err).NotTo(HaveOccurred())
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "-A ") || (strings.HasPrefix(l, ":CNI-")) {
				lines = append(lines, l)
			}
		}
	}
	return strings.Join(lines, "\n")
}
