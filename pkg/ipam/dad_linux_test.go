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

package ipam_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// duplicate answers, from peer0 in the peer namespace, every Neighbor
// Solicitation for addr with a Neighbor Advertisement sent delay later, as
// a node that holds addr and answers slowly would. The address itself is not
// on peer0, so the kernel does not answer at once on its own. It stops when
// the spec ends.
func (p pair) duplicate(addr netip.Addr, delay time.Duration) {
	var (
		fd    int
		index int
		mac   net.HardwareAddr
	)
	Expect(p.peer.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(peerIf)
		if err != nil {
			return err
		}
		index, mac = l.Attrs().Index, l.Attrs().HardwareAddr
		// The socket stays in this namespace once opened.
		fd, err = unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
		return err
	})).To(Succeed())
	DeferCleanup(func() { unix.Close(fd) })

	// DAD's solicitation goes to the solicited-node multicast group of addr
	// (RFC 4291 2.7.1): ff02::1:ffXX:XXXX with its last 24 bits.
	a := addr.As16()
	group := [16]byte{0xff, 0x02, 10: 0, 11: 1, 12: 0xff, 13: a[13], 14: a[14], 15: a[15]}
	Expect(unix.SetsockoptIPv6Mreq(fd, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP,
		&unix.IPv6Mreq{Multiaddr: group, Interface: uint32(index)})).To(Succeed())
	// Neighbor Discovery messages carry hop limit 255 (RFC 4861 7.1.2).
	Expect(unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255)).To(Succeed())
	Expect(unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, index)).To(Succeed())
	Expect(unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 50_000})).To(Succeed())

	// Neighbor Advertisement: type 136, code 0, checksum (the kernel's),
	// flags Override, the target, and a target link-layer address option.
	na := []byte{136, 0, 0, 0, 0x20, 0, 0, 0}
	na = append(na, a[:]...)
	na = append(na, 2, 1)
	na = append(na, mac...)

	done := make(chan struct{})
	stopped := make(chan struct{})
	DeferCleanup(func() { close(done); <-stopped })
	go func() {
		defer GinkgoRecover()
		defer close(stopped)
		buf := make([]byte, 1500)
		for {
			select {
			case <-done:
				return
			default:
			}
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				continue // the receive timeout, to look at done
			}
			// Neighbor Solicitation: type 135, 4 reserved bytes, the target.
			if n < 24 || buf[0] != 135 || netip.AddrFrom16([16]byte(buf[8:24])) != addr {
				continue
			}
			time.Sleep(delay)
			allNodes := [16]byte{0xff, 0x02, 15: 1}
			_ = unix.Sendto(fd, na, 0, &unix.SockaddrInet6{Addr: allNodes, ZoneId: uint32(index)})
		}
	}()
}

// retransTime reads eth0's IPv6 retransmission timer in the container.
func (p pair) retransTime() string {
	var v string
	Expect(p.in(func() error {
		var err error
		v, err = sysctl.Get("net/ipv6/neigh/" + contIf + "/retrans_time_ms")
		return err
	})).To(Succeed())
	return v
}

var _ = Describe("ConfigureIface's duplicate address detection", func() {
	const dup = "2001:db8:1::10"

	It("refuses an address a neighbor answers for within 10 ms, and restores the timer", func() {
		p := newPair(0, 1)
		Expect(p.in(func() error { return sysctl.Set("net/ipv6/neigh/"+contIf+"/retrans_time_ms", "800") })).To(Succeed())
		p.duplicate(netip.MustParseAddr(dup), 10*time.Millisecond)
		start := time.Now()
		err := p.configure(ifaceResult(addr6, `{"dst":"::/0"}`))
		took := time.Since(start)
		Expect(err).To(MatchError("duplicate address detected for " + dup + " on dev eth0"))
		Expect(errors.Is(err, ip.ErrDADFailed)).To(BeTrue())
		Expect(p.retransTime()).To(Equal("800"))
		GinkgoWriter.Printf("refused after %s\n", took)
	})

	It("refuses an address a neighbor holds", func() {
		p := newPair(0, 1)
		Expect(p.peer.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(peerIf)
			if err != nil {
				return err
			}
			return netlink.AddrAdd(l, &netlink.Addr{IPNet: mustCIDR(dup + "/64"), Flags: unix.IFA_F_NODAD})
		})).To(Succeed())
		err := p.configure(ifaceResult(addr6, `{"dst":"::/0"}`))
		Expect(err).To(MatchError("duplicate address detected for " + dup + " on dev eth0"))
		Expect(p.retransTime()).To(Equal("1000"))
	})

	It("misses a duplicate that answers after the shortened window, as documented", func() {
		// The trade-off of ipam.DADRetransTime (Documentation/performance.md):
		// an answer later than the window comes for an address that is no
		// longer tentative, and the kernel only logs it.
		p := newPair(0, 1)
		p.duplicate(netip.MustParseAddr(dup), 5*ipam.DADRetransTime)
		Expect(p.configure(ifaceResult(addr6, `{"dst":"::/0"}`))).To(Succeed())
		Expect(p.retransTime()).To(Equal("1000"))
	})

	It("sets keep_addr_on_down, clears lo's disable_ipv6, and keeps the addresses over down and up", func() {
		p := newPair(0, 1)
		Expect(p.in(func() error { return sysctl.Set("net/ipv6/conf/lo/disable_ipv6", "1") })).To(Succeed())
		Expect(p.configure(ifaceResult(addr6, `{"dst":"::/0"}`))).To(Succeed())
		get := func(key string) string {
			var v string
			Expect(p.in(func() error {
				var err error
				v, err = sysctl.Get(key)
				return err
			})).To(Succeed())
			return v
		}
		Expect(get("net/ipv6/conf/eth0/keep_addr_on_down")).To(Equal("1"))
		Expect(get("net/ipv6/conf/lo/disable_ipv6")).To(Equal("0"))
		Expect(get("net/ipv6/conf/eth0/router_solicitation_delay")).To(Equal("0"))
		p.change(func(h *netlinksafe.Handle, l netlink.Link) error {
			if err := h.LinkSetDown(l); err != nil {
				return err
			}
			return h.LinkSetUp(l)
		})
		Expect(p.addrs()).To(ConsistOf("2001:db8:1::10/64"))
	})

	It("leaves the IPv6 sysctls alone for an IPv4-only result", func() {
		p := newPair(1, 0)
		Expect(p.in(func() error { return sysctl.Set("net/ipv6/conf/lo/disable_ipv6", "1") })).To(Succeed())
		Expect(p.configure(ifaceResult(addr4, ""))).To(Succeed())
		Expect(p.in(func() error {
			for key, want := range map[string]string{
				"net/ipv6/conf/eth0/keep_addr_on_down": "0",
				"net/ipv6/conf/lo/disable_ipv6":        "1",
				"net/ipv6/neigh/eth0/retrans_time_ms":  "1000",
			} {
				v, err := sysctl.Get(key)
				if err != nil {
					return err
				}
				if v != want {
					return fmt.Errorf("%s = %q, want %q", key, v, want)
				}
			}
			return nil
		})).To(Succeed())
	})
})
