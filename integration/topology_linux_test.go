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
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// The test network, documentation prefixes only. Every router sits on one L2
// segment with the container and accepts any address of the destination
// prefixes as its own (an AnyIP local route), so a datagram sent to a
// destination is received by whichever router the container's route chose.
const (
	probePort    = 5555
	masterName   = "master0" // the container interface's master, in the host namespace
	segmentName  = "seg0"    // each router's interface on the segment
	bridgeName   = "br0"
	hostPortName = "host0" // the bridge port towards the host namespace
)

// family is one address family of the test network.
type family struct {
	name       string // "IPv4", "IPv6"
	netlink    int    // netlink.FAMILY_V4 or FAMILY_V6
	segment    *net.IPNet
	prefixDst  *net.IPNet // the non-default prefix routed over the routers
	defaultDst *net.IPNet // reached only through the default route
	hashPolicy string     // sysctl key of the multipath hash policy
}

var (
	ipv4 = family{
		name: "IPv4", netlink: netlink.FAMILY_V4,
		segment:    mustCIDR("198.51.100.0/24"),
		prefixDst:  mustCIDR("203.0.113.0/24"),
		defaultDst: mustCIDR("192.0.2.0/24"),
		hashPolicy: "net.ipv4.fib_multipath_hash_policy",
	}
	ipv6 = family{
		name: "IPv6", netlink: netlink.FAMILY_V6,
		segment:    mustCIDR("2001:db8:1::/64"),
		prefixDst:  mustCIDR("2001:db8:2::/64"),
		defaultDst: mustCIDR("2001:db8:3::/64"),
		hashPolicy: "net.ipv6.fib_multipath_hash_policy",
	}
)

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

// nthAddr returns the address n past the network address of prefix.
func nthAddr(prefix *net.IPNet, n int) net.IP {
	ip := make(net.IP, len(prefix.IP))
	copy(ip, prefix.IP)
	for i := len(ip) - 1; i >= 0 && n > 0; i-- {
		sum := int(ip[i]) + n
		ip[i] = byte(sum)
		n = sum >> 8
	}
	return ip
}

// gateway is router i's address on the segment (.1, .2, …).
func (f family) gateway(i int) net.IP { return nthAddr(f.segment, 1+i) }

// containerAddr is the container's address on the segment, in CIDR form.
func (f family) containerAddr() string { return f.segmentAddr(100) }

// segmentAddr is address n of the segment, in CIDR form.
func (f family) segmentAddr(n int) string {
	ones, _ := f.segment.Mask.Size()
	return fmt.Sprintf("%s/%d", nthAddr(f.segment, n), ones)
}

// destinations returns n distinct addresses of prefix, from .1 on.
func destinations(prefix *net.IPNet, n int) []net.IP {
	out := make([]net.IP, n)
	for i := range out {
		out[i] = nthAddr(prefix, 1+i)
	}
	return out
}

// router is one gateway namespace on the segment.
type router struct {
	index int
	name  string // "router-a", …
	ns    ns.NetNS
	port  string // its bridge port in the switch namespace
}

// topology is a switch namespace with a bridge, a host namespace holding the
// master link of the container's interface, routers on the same bridge, and
// an empty container namespace.
type topology struct {
	sw, host, container ns.NetNS
	routers             []*router
	tally               *tally
}

// newTopology builds the network for the running spec with n routers; every
// namespace is removed by the spec's cleanup.
func newTopology(n int) *topology {
	GinkgoHelper()
	Expect(n).To(BeNumerically("<=", 26))
	t := &topology{
		sw:        testutils.NewNSForSpec(),
		host:      testutils.NewNSForSpec(),
		container: testutils.NewNSForSpec(),
		tally:     newTally(n),
	}
	sw := handleAt(t.sw)
	// No STP and no multicast snooping: ports forward at once, and IPv6
	// neighbor solicitations are flooded like ARP requests.
	snooping := false
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: bridgeName}, MulticastSnooping: &snooping}
	Expect(sw.LinkAdd(br)).To(Succeed(), "add bridge")
	Expect(sw.LinkSetUp(br)).To(Succeed())

	Expect(addPort(sw, br, hostPortName, masterName, t.host)).To(Succeed(), "wire host namespace")
	h := handleAt(t.host)
	Expect(setUp(h, masterName, "lo")).To(Succeed())
	Expect(setUp(handleAt(t.container), "lo")).To(Succeed())

	for i := range n {
		r := &router{index: i, name: "router-" + string(rune('a'+i)), ns: testutils.NewNSForSpec(), port: fmt.Sprintf("port%d", i)}
		Expect(addPort(sw, br, r.port, segmentName, r.ns)).To(Succeed(), "wire %s", r.name)
		Expect(r.configure()).To(Succeed(), "configure %s", r.name)
		conn, err := r.listen()
		Expect(err).NotTo(HaveOccurred(), "listen in %s", r.name)
		DeferCleanup(conn.Close)
		go t.tally.collect(conn, i)
		t.routers = append(t.routers, r)
	}
	return t
}

// handleAt opens a netlink handle in n, closed by the spec's cleanup.
func handleAt(n ns.NetNS) *netlinksafe.Handle {
	GinkgoHelper()
	h, err := netlinksafe.NewHandleAt(netns.NsHandle(n.Fd()))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(h.Close)
	return h
}

func setUp(h *netlinksafe.Handle, names ...string) error {
	for _, name := range names {
		l, err := h.LinkByName(name)
		if err != nil {
			return err
		}
		if err := h.LinkSetUp(l); err != nil {
			return fmt.Errorf("set %s up: %w", name, err)
		}
	}
	return nil
}

// addPort creates a veth pair: portName on the bridge in the switch
// namespace, peerName in peerNS, both up.
func addPort(sw *netlinksafe.Handle, br *netlink.Bridge, portName, peerName string, peerNS ns.NetNS) error {
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: portName, MasterIndex: br.Attrs().Index},
		PeerName:      peerName,
		PeerNamespace: netlink.NsFd(int(peerNS.Fd())),
	}
	if err := sw.LinkAdd(veth); err != nil {
		return fmt.Errorf("add veth %s/%s: %w", portName, peerName, err)
	}
	if err := setUp(sw, portName); err != nil {
		return err
	}
	h, err := netlinksafe.NewHandleAt(netns.NsHandle(peerNS.Fd()))
	if err != nil {
		return err
	}
	defer h.Close()
	return setUp(h, peerName)
}

// configure gives the router its gateway addresses (no DAD: nothing else
// claims them), AnyIP routes for the destination prefixes, and forwarding.
func (r *router) configure() error {
	return r.ns.Do(func(ns.NetNS) error {
		for _, key := range []string{"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"} {
			if err := sysctl.Set(key, "1"); err != nil {
				return err
			}
		}
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		if err := setUp(h, "lo"); err != nil {
			return err
		}
		seg, err := h.LinkByName(segmentName)
		if err != nil {
			return err
		}
		lo, err := h.LinkByName("lo")
		if err != nil {
			return err
		}
		for _, f := range []family{ipv4, ipv6} {
			addr := &netlink.Addr{IPNet: &net.IPNet{IP: f.gateway(r.index), Mask: f.segment.Mask}, Flags: unix.IFA_F_NODAD}
			if err := h.AddrAdd(seg, addr); err != nil {
				return fmt.Errorf("add address %s: %w", addr.IPNet, err)
			}
			for _, dst := range []*net.IPNet{f.prefixDst, f.defaultDst} {
				rt := &netlink.Route{
					LinkIndex: lo.Attrs().Index, Dst: dst, Type: unix.RTN_LOCAL,
					Table: unix.RT_TABLE_LOCAL, Scope: netlink.SCOPE_HOST,
				}
				if err := h.RouteAdd(rt); err != nil {
					return fmt.Errorf("add local route %s: %w", dst, err)
				}
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

// setSegment brings the router's segment link down or up: the router
// vanishes from (or returns to) the segment.
func (r *router) setSegment(up bool) error {
	return r.ns.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(segmentName)
		if err != nil {
			return err
		}
		if up {
			return netlink.LinkSetUp(l)
		}
		return netlink.LinkSetDown(l)
	})
}

// tally counts the probe datagrams each router received, by batch.
type tally struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every arrival
	counts  map[string][]int
	routers int
}

func newTally(routers int) *tally {
	return &tally{changed: make(chan struct{}), counts: map[string][]int{}, routers: routers}
}

// collect records every datagram arriving on conn for router i until conn
// is closed. A datagram's payload is "<batch>/<sequence>".
func (t *tally) collect(conn *net.UDPConn, i int) {
	buf := make([]byte, 512)
	for {
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		batch, _, _ := strings.Cut(string(buf[:n]), "/")
		t.mu.Lock()
		c := t.counts[batch]
		if c == nil {
			c = make([]int, t.routers)
			t.counts[batch] = c
		}
		c[i]++
		close(t.changed)
		t.changed = make(chan struct{})
		t.mu.Unlock()
	}
}

// wait returns the per-router counts of batch once want datagrams of it
// arrived, or what arrived when timeout passes.
func (t *tally) wait(batch string, want int, timeout time.Duration) []int {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		t.mu.Lock()
		counts := make([]int, t.routers)
		copy(counts, t.counts[batch])
		changed := t.changed
		t.mu.Unlock()
		if sum(counts) >= want {
			return counts
		}
		select {
		case <-changed:
		case <-deadline.C:
			return counts
		}
	}
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

var batchSeq struct {
	sync.Mutex
	n int
}

// newBatch returns a batch name unique in this test run.
func newBatch(label string) string {
	batchSeq.Lock()
	defer batchSeq.Unlock()
	batchSeq.n++
	return fmt.Sprintf("%s-%d", label, batchSeq.n)
}

// send sends one datagram to each destination from the container, each on a
// socket of its own: every datagram is a new flow with its own source port.
func (t *topology) send(batch string, dsts []net.IP) error {
	return t.container.Do(func(ns.NetNS) error {
		for i, dst := range dsts {
			c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: dst, Port: probePort})
			if err != nil {
				return fmt.Errorf("dial %s: %w", dst, err)
			}
			_, err = fmt.Fprintf(c, "%s/%d", batch, i)
			c.Close()
			if err != nil {
				return fmt.Errorf("send to %s: %w", dst, err)
			}
		}
		return nil
	})
}

// probe sends a new batch to dsts and returns how many datagrams each router
// received, waiting at most timeout for all of them.
func (t *topology) probe(label string, dsts []net.IP, timeout time.Duration) ([]int, error) {
	batch := newBatch(label)
	if err := t.send(batch, dsts); err != nil {
		return nil, err
	}
	return t.tally.wait(batch, len(dsts), timeout), nil
}
