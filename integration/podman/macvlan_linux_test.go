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

package podman_test

import (
	"fmt"
	"net"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The macvlan networks' segment: documentation prefixes only. Two routers
// sit on it, each accepting every address of the routed prefixes as its
// own (AnyIP local routes), so a datagram to a routed destination arrives
// at whichever router the container's route chose.
const (
	masterName = "m0"   // the macvlan master, in podman's host namespace
	probePort  = 5555   // the routers' UDP listeners
	segLink    = "seg0" // each router's link on the segment
)

var (
	segment4 = mustCIDR("198.51.100.0/24")
	segment6 = mustCIDR("2001:db8:1::/64")
	routed4  = mustCIDR("203.0.113.0/24")
	routed6  = mustCIDR("2001:db8:2::/64")
)

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

// nth returns the address n past prefix's network address.
func nth(prefix *net.IPNet, n int) net.IP {
	ip := make(net.IP, len(prefix.IP))
	copy(ip, prefix.IP)
	for i := len(ip) - 1; i >= 0 && n > 0; i-- {
		sum := int(ip[i]) + n
		ip[i] = byte(sum)
		n = sum >> 8
	}
	return ip
}

// router is a gateway namespace on the segment; hits counts the probe
// datagrams it received, IPv4 and IPv6.
type router struct {
	ns    ns.NetNS
	hits4 atomic.Int64
	hits6 atomic.Int64
	addr4 net.IP
	addr6 net.IP
}

// newSegment builds the segment for p: a bridge in a switch namespace, the
// master link in podman's host namespace, and n routers, at .1, .2, … of
// each family. Everything is removed by the spec's cleanup.
func newSegment(p *podman, n int) []*router {
	GinkgoHelper()
	sw := testutils.NewNSForSpec()
	h := handleAt(sw)
	snooping := false
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}, MulticastSnooping: &snooping}
	Expect(h.LinkAdd(br)).To(Succeed(), "add bridge")
	Expect(h.LinkSetUp(br)).To(Succeed())
	Expect(addPort(h, br, "port-host", masterName, p.host)).To(Succeed())

	var routers []*router
	for i := range n {
		r := &router{ns: testutils.NewNSForSpec(), addr4: nth(segment4, 1+i), addr6: nth(segment6, 1+i)}
		Expect(addPort(h, br, fmt.Sprintf("port%d", i), segLink, r.ns)).To(Succeed())
		Expect(r.configure()).To(Succeed(), "configure router %d", i)
		conn, err := r.listen()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(conn.Close)
		go r.count(conn)
		routers = append(routers, r)
	}
	return routers
}

// handleAt opens a netlink handle in n, closed by the spec's cleanup.
func handleAt(n ns.NetNS) *netlinksafe.Handle {
	GinkgoHelper()
	h, err := netlinksafe.NewHandleAt(netns.NsHandle(n.Fd()))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(h.Close)
	return h
}

// addPort creates a veth pair: port on br, peer in peerNS, both up.
func addPort(h *netlinksafe.Handle, br *netlink.Bridge, port, peer string, peerNS ns.NetNS) error {
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: port, MasterIndex: br.Attrs().Index},
		PeerName:      peer,
		PeerNamespace: netlink.NsFd(int(peerNS.Fd())),
	}
	if err := h.LinkAdd(veth); err != nil {
		return fmt.Errorf("add veth %s/%s: %w", port, peer, err)
	}
	l, err := h.LinkByName(port)
	if err != nil {
		return err
	}
	if err := h.LinkSetUp(l); err != nil {
		return err
	}
	return peerNS.Do(func(ns.NetNS) error { return linkSetUp(peer, "lo") })
}

// configure gives the router its gateway addresses (no DAD: nothing else
// claims them) and AnyIP routes for the routed prefixes.
func (r *router) configure() error {
	return r.ns.Do(func(ns.NetNS) error {
		seg, err := netlinksafe.LinkByName(segLink)
		if err != nil {
			return err
		}
		lo, err := netlinksafe.LinkByName("lo")
		if err != nil {
			return err
		}
		for _, a := range []*net.IPNet{
			{IP: r.addr4, Mask: segment4.Mask},
			{IP: r.addr6, Mask: segment6.Mask},
		} {
			if err := netlink.AddrAdd(seg, &netlink.Addr{IPNet: a, Flags: unix.IFA_F_NODAD}); err != nil {
				return fmt.Errorf("add address %s: %w", a, err)
			}
		}
		for _, dst := range []*net.IPNet{routed4, routed6} {
			rt := &netlink.Route{
				LinkIndex: lo.Attrs().Index, Dst: dst, Type: unix.RTN_LOCAL,
				Table: unix.RT_TABLE_LOCAL, Scope: netlink.SCOPE_HOST,
			}
			if err := netlink.RouteAdd(rt); err != nil {
				return fmt.Errorf("add local route %s: %w", dst, err)
			}
		}
		return nil
	})
}

// listen opens the router's probe socket, IPv4 and IPv6 on one port.
func (r *router) listen() (conn *net.UDPConn, err error) {
	err = r.ns.Do(func(ns.NetNS) error {
		conn, err = net.ListenUDP("udp", &net.UDPAddr{Port: probePort})
		return err
	})
	return conn, err
}

// count tallies datagrams by the family of their destination until conn
// is closed.
func (r *router) count(conn *net.UDPConn) {
	buf := make([]byte, 64)
	for {
		_, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if buf[0] == '4' {
			r.hits4.Add(1)
		} else {
			r.hits6.Add(1)
		}
	}
}

// probe sends one datagram to each of n addresses of dst from the
// container, each a flow of its own; the payload names the family.
func probe(c container, dst *net.IPNet, n int) error {
	tag := "6"
	if dst.IP.To4() != nil {
		tag = "4"
	}
	return c.do(func() error {
		for i := range n {
			conn, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: nth(dst, 1+i), Port: probePort})
			if err != nil {
				return err
			}
			_, err = conn.Write([]byte(tag))
			conn.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// macvlanNet is a macvlan network on the master link with host-local IPAM
// on the segment, container addresses from .100 on, and routes.
func (p *podman) macvlanNet(name string, routes ...map[string]string) {
	GinkgoHelper()
	ranges := [][]map[string]string{
		{{"subnet": segment4.String(), "rangeStart": nth(segment4, 100).String(), "rangeEnd": nth(segment4, 199).String()}},
		{{"subnet": segment6.String(), "rangeStart": nth(segment6, 0x100).String(), "rangeEnd": nth(segment6, 0x1ff).String()}},
	}
	p.writeNetwork(name, map[string]any{"type": "macvlan", "master": masterName, "ipam": p.hostLocal(ranges, routes...)})
}

// ecmpRoutes lists each routed prefix once per router: two gateways per
// destination and family.
func ecmpRoutes(routers []*router) []map[string]string {
	var out []map[string]string
	for _, dst := range []*net.IPNet{routed4, routed6} {
		for _, r := range routers {
			gw := r.addr4
			if dst.IP.To4() == nil {
				gw = r.addr6
			}
			out = append(out, map[string]string{"dst": dst.String(), "gw": gw.String()})
		}
	}
	return out
}

var _ = Describe("podman on a macvlan network", func() {
	BeforeEach(func() { requirePlugins("macvlan", "host-local", "static") })

	It("installs one multipath route per family, spreads flows over both routers and leaves nothing behind", func() {
		p := newPodman()
		routers := newSegment(p, 2)
		p.macvlanNet("ecmp", ecmpRoutes(routers)...)

		p.mustRun("run", "--detach", "--name", "ecmp", "--network", "ecmp", image, "sleep", "600")
		c := p.inspect("ecmp")
		Expect(c.routes("eth0", netlink.FAMILY_V4)).To(Equal(
			"203.0.113.0/24 nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.2 dev eth0 weight 1"))
		Expect(c.routes("eth0", netlink.FAMILY_V6)).To(Equal(
			"2001:db8:2::/64 metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1"))
		Expect(p.records("ecmp")).To(ConsistOf("198.51.100.100", "2001:db8:1::100"))

		// Flows to distinct destinations hash over both nexthops; resend
		// until neighbor resolution is done and both routers saw some.
		for _, f := range []struct {
			dst  *net.IPNet
			hits func(*router) int64
		}{
			{routed4, func(r *router) int64 { return r.hits4.Load() }},
			{routed6, func(r *router) int64 { return r.hits6.Load() }},
		} {
			Eventually(func() error {
				if err := probe(c, f.dst, 64); err != nil {
					return err
				}
				for i, r := range routers {
					if f.hits(r) == 0 {
						return fmt.Errorf("router %d received nothing for %s", i, f.dst)
					}
				}
				return nil
			}, 30*time.Second, 500*time.Millisecond).Should(Succeed())
		}

		// network reload sets the attachment up again: the same address,
		// one host-local record per family, the same multipath routes.
		p.mustRun("network", "reload", "ecmp")
		Expect(c.addrs("eth0")).To(Equal([]string{"198.51.100.100/24", "2001:db8:1::100/64"}))
		Expect(p.records("ecmp")).To(ConsistOf("198.51.100.100", "2001:db8:1::100"))
		Expect(c.routes("eth0", netlink.FAMILY_V4)).To(Equal(
			"203.0.113.0/24 nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.2 dev eth0 weight 1"))
		Expect(c.routes("eth0", netlink.FAMILY_V6)).To(Equal(
			"2001:db8:2::/64 metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1"))

		p.mustRun("stop", "--time", "0", "ecmp")
		p.mustRun("rm", "ecmp")
		Expect(p.hostLinks()).To(Equal([]string{"lo", masterName}))
		Expect(p.records("ecmp")).To(BeEmpty())
		expectGone(c)
	})

	DescribeTable("takes a bare address from --ip and a MAC address from --mac-address",
		func(ipam func(p *podman) map[string]any, want []string) {
			p := newPodman()
			newSegment(p, 1)
			p.writeNetwork("fixed", map[string]any{"type": "macvlan", "master": masterName, "ipam": ipam(p)})

			const mac = "02:00:5e:00:53:2a"
			p.mustRun("run", "--detach", "--name", "fixed", "--network", "fixed", "--ip", "198.51.100.120", "--mac-address", mac,
				image, "sleep", "600")
			c := p.inspect("fixed")
			Expect(c.addrs("eth0")).To(Equal(want))
			Expect(c.do(func() error {
				l, err := netlinksafe.LinkByName("eth0")
				if err != nil {
					return err
				}
				if got := l.Attrs().HardwareAddr.String(); got != mac {
					return fmt.Errorf("eth0 has MAC %s, want %s", got, mac)
				}
				return nil
			})).To(Succeed())

			p.mustRun("rm", "--force", "--time", "0", "fixed")
			Expect(p.hostLinks()).To(Equal([]string{"lo", masterName}))
			Expect(p.records("fixed")).To(BeEmpty())
			expectGone(c)
		},
		Entry("host-local", func(p *podman) map[string]any {
			return p.hostLocal([][]map[string]string{{{"subnet": segment4.String()}}})
		}, []string{"198.51.100.120/24"}),
		Entry("static", func(*podman) map[string]any {
			return map[string]any{"type": "static", "addresses": []map[string]string{{"address": "198.51.100.10/24"}}}
		}, []string{"198.51.100.10/24", "198.51.100.120/24"}),
	)

	It("connects and disconnects a running container", func() {
		p := newPodman()
		newSegment(p, 1)
		p.macvlanNet("first")
		p.writeNetwork("second", map[string]any{"type": "macvlan", "master": masterName, "ipam": p.hostLocal(
			[][]map[string]string{{{"subnet": routed4.String(), "rangeStart": nth(routed4, 50).String()}}})})

		p.mustRun("run", "--detach", "--name", "multi", "--network", "first", image, "sleep", "600")
		c := p.inspect("multi")
		Expect(c.addrs("eth0")).To(Equal([]string{"198.51.100.100/24", "2001:db8:1::100/64"}))

		p.mustRun("network", "connect", "second", "multi")
		Expect(c.addrs("eth1")).To(Equal([]string{"203.0.113.50/24"}))
		Expect(p.records("second")).To(ConsistOf("203.0.113.50"))

		p.mustRun("network", "disconnect", "second", "multi")
		Expect(c.do(func() error {
			_, err := netlinksafe.LinkByName("eth1")
			return err
		})).To(MatchError(ContainSubstring("not found")))
		Expect(p.records("second")).To(BeEmpty())
		Expect(c.addrs("eth0")).To(Equal([]string{"198.51.100.100/24", "2001:db8:1::100/64"}))

		p.mustRun("rm", "--force", "--time", "0", "multi")
		Expect(p.hostLinks()).To(Equal([]string{"lo", masterName}))
		Expect(p.records("first")).To(BeEmpty())
		expectGone(c)
	})
})
