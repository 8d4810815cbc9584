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

package ip_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

var _ = Describe("announcing addresses", func() {
	const mac = "02:00:5e:00:53:31"
	// The link under test is a0 in nsA; what it sends arrives on its peer
	// b0 in nsB, where the specs listen.
	var nsA, nsB ns.NetNS

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		nsA = testutils.NewNSForSpec()
		nsB = testutils.NewNSForSpec()
		addVethPair(nsA, "a0", nsB, "b0")
		Expect(nsA.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName("a0")
			if err != nil {
				return err
			}
			return netlink.LinkSetHardwareAddr(l, mustMAC(mac))
		})).To(Succeed())
		setUp(nsB, "b0")
	})

	// addAddrs adds the prefixes to a0 in nsA.
	addAddrs := func(prefixes ...string) {
		Expect(nsA.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName("a0")
			if err != nil {
				return err
			}
			for _, p := range prefixes {
				if err := netlink.AddrAdd(l, &netlink.Addr{IPNet: ipnet(p), Flags: unix.IFA_F_NODAD}); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
	}

	// gratuitousARPs collects, for up to wait, the sender addresses of the
	// ARP announcements from mac that arrive on b0: requests whose sender
	// and target protocol addresses are equal and whose target hardware
	// address is zero, broadcast.
	gratuitousARPs := func(fd int, wait time.Duration) []string {
		var got []string
		deadline := time.Now().Add(wait)
		buf := make([]byte, 1500)
		for time.Now().Before(deadline) {
			n, from, err := unix.Recvfrom(fd, buf, 0)
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			Expect(err).NotTo(HaveOccurred())
			p := buf[:n]
			ll, ok := from.(*unix.SockaddrLinklayer)
			if !ok || ll.Pkttype != unix.PACKET_BROADCAST || len(p) < 28 {
				continue
			}
			if binary.BigEndian.Uint16(p[6:]) == 1 && net.HardwareAddr(p[8:14]).String() == mac &&
				net.IP(p[14:18]).Equal(net.IP(p[24:28])) && net.HardwareAddr(p[18:24]).String() == "00:00:00:00:00:00" {
				got = append(got, net.IP(p[14:18]).String())
			}
		}
		return got
	}

	It("AnnounceAddrs sends a gratuitous ARP for each IPv4 address and an advertisement for each IPv6 one", func() {
		if !haveIPv6() {
			Skip("the kernel has no IPv6")
		}
		addAddrs("192.0.2.10/24", "192.0.2.11/24", "2001:db8::10/64")
		setUp(nsA, "a0")
		// IPv6 configures the link once it has carrier, which the
		// kernel's link watcher reports a moment after it is up (slower
		// still under emulation): until then no multicast route, and a
		// send to ff02::1 is "network is unreachable".
		Eventually(func() error {
			return nsA.Do(func(ns.NetNS) error {
				l, err := netlinksafe.LinkByName("a0")
				if err != nil {
					return err
				}
				routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_V6,
					&netlink.Route{Table: unix.RT_TABLE_LOCAL, LinkIndex: l.Attrs().Index}, netlink.RT_FILTER_TABLE|netlink.RT_FILTER_OIF)
				if err != nil {
					return err
				}
				for _, r := range routes {
					if r.Dst != nil && r.Dst.String() == "ff00::/8" {
						return nil
					}
				}
				return fmt.Errorf("no ff00::/8 route on a0 yet")
			})
		}).WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())
		arp := listenOn(nsB, "b0", unix.ETH_P_ARP)
		v6 := listenOn(nsB, "b0", unix.ETH_P_IPV6)

		Expect(nsA.Do(func(ns.NetNS) error {
			return ip.AnnounceAddrs(nil, "a0", []net.IP{
				net.ParseIP("192.0.2.10"), net.ParseIP("192.0.2.11"), net.ParseIP("2001:db8::10"),
			})
		})).To(Succeed())

		Expect(gratuitousARPs(arp, 500*time.Millisecond)).To(ConsistOf("192.0.2.10", "192.0.2.11"))
		// ICMPv6 type 136 with only the override flag, to all nodes with
		// hop limit 255, for the address, with the MAC as the target
		// link-layer address option. The kernel's own traffic on the new
		// link (its DAD probes, router solicitations) is skipped.
		buf := make([]byte, 1500)
		found := false
		for deadline := time.Now().Add(2 * time.Second); !found && time.Now().Before(deadline); {
			n, _, err := unix.Recvfrom(v6, buf, 0)
			if err != nil {
				continue
			}
			p := buf[:n]
			if len(p) < 40+32 || p[6] != unix.IPPROTO_ICMPV6 || p[7] != 255 {
				continue
			}
			icmp := p[40:]
			found = icmp[0] == 136 && icmp[4] == 0x20 &&
				net.IP(p[24:40]).Equal(net.ParseIP("ff02::1")) &&
				net.IP(icmp[8:24]).Equal(net.ParseIP("2001:db8::10")) &&
				icmp[24] == 2 && icmp[25] == 1 && net.HardwareAddr(icmp[26:32]).String() == mac
		}
		Expect(found).To(BeTrue(), "no unsolicited neighbour advertisement for 2001:db8::10 arrived")
	})

	It("AnnounceAddrs names an address that is neither IPv4 nor IPv6", func() {
		setUp(nsA, "a0")
		err := nsA.Do(func(ns.NetNS) error {
			return ip.AnnounceAddrs(nil, "a0", []net.IP{{1, 2, 3}})
		})
		Expect(err).To(MatchError(ContainSubstring("invalid address")))
	})

	It("AnnounceOnUp has the kernel announce every IPv4 address when the link comes up", func() {
		arp := listenOn(nsB, "b0", unix.ETH_P_ARP)
		var later []net.IP
		Expect(nsA.Do(func(ns.NetNS) error {
			later = ip.AnnounceOnUp("a0", []net.IP{
				net.ParseIP("192.0.2.20"), net.ParseIP("2001:db8::20"), net.ParseIP("198.51.100.20"),
			})
			return nil
		})).To(Succeed())
		// Only the IPv6 address is left to the caller.
		Expect(later).To(Equal([]net.IP{net.ParseIP("2001:db8::20")}))
		Expect(arpNotify(nsA, "a0")).To(Equal("1"))

		addAddrs("192.0.2.20/24", "198.51.100.20/24")
		setUp(nsA, "a0")
		Expect(gratuitousARPs(arp, 500*time.Millisecond)).To(ConsistOf("192.0.2.20", "198.51.100.20"))
	})

	It("without AnnounceOnUp the link comes up without announcing", func() {
		// The control for the spec above: the kernel's default sends nothing.
		// A new namespace takes its IPv4 "all" settings from the host's.
		if arpNotify(nsA, "all") != "0" {
			Skip("net.ipv4.conf.all.arp_notify is set on this host")
		}
		arp := listenOn(nsB, "b0", unix.ETH_P_ARP)
		addAddrs("192.0.2.20/24")
		setUp(nsA, "a0")
		Expect(gratuitousARPs(arp, 300*time.Millisecond)).To(BeEmpty())
	})

	It("AnnounceOnUp leaves every address to the caller when arp_notify cannot be set", func() {
		ips := []net.IP{net.ParseIP("192.0.2.20"), net.ParseIP("2001:db8::20")}
		var later []net.IP
		Expect(nsA.Do(func(ns.NetNS) error {
			later = ip.AnnounceOnUp("nosuch0", ips)
			return nil
		})).To(Succeed())
		Expect(later).To(Equal(ips))
	})

	It("AnnounceOnUp sets arp_notify and ndisc_notify also when there is no IPv4 address", func() {
		var later []net.IP
		Expect(nsA.Do(func(ns.NetNS) error {
			later = ip.AnnounceOnUp("a0", []net.IP{net.ParseIP("2001:db8::20")})
			return nil
		})).To(Succeed())
		Expect(later).To(Equal([]net.IP{net.ParseIP("2001:db8::20")}))
		Expect(arpNotify(nsA, "a0")).To(Equal("1"))
		Expect(nsA.Do(func(ns.NetNS) error {
			v, err := sysctl.Get("net/ipv6/conf/a0/ndisc_notify")
			if err == nil && v != "1" {
				err = fmt.Errorf("ndisc_notify = %s, want 1", v)
			}
			return err
		})).To(Succeed())
	})
	It("AnnounceOnUp leaves both sysctls alone without an address, as upstream", func() {
		var later []net.IP
		Expect(nsA.Do(func(ns.NetNS) error {
			later = ip.AnnounceOnUp("a0", nil)
			return nil
		})).To(Succeed())
		Expect(later).To(BeEmpty())
		Expect(arpNotify(nsA, "a0")).To(Equal("0"))
		Expect(nsA.Do(func(ns.NetNS) error {
			v, err := sysctl.Get("net/ipv6/conf/a0/ndisc_notify")
			if err == nil && v != "0" {
				err = fmt.Errorf("ndisc_notify = %s, want 0", v)
			}
			return err
		})).To(Succeed())
	})
})

// arpNotify reads net.ipv4.conf.<conf>.arp_notify in n.
func arpNotify(n ns.NetNS, conf string) string {
	GinkgoHelper()
	var v string
	Expect(n.Do(func(ns.NetNS) (err error) {
		v, err = sysctl.Get("net/ipv4/conf/" + conf + "/arp_notify")
		return err
	})).To(Succeed())
	return v
}

// listenOn opens a packet socket for frames of ethertype proto arriving on
// ifName in n. Reads time out after 50ms; the socket is closed when the
// spec ends.
func listenOn(n ns.NetNS, ifName string, proto uint16) int {
	GinkgoHelper()
	var fd int
	Expect(n.Do(func(ns.NetNS) error {
		l, err := net.InterfaceByName(ifName)
		if err != nil {
			return err
		}
		p := proto<<8 | proto>>8
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(p))
		if err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: p, Ifindex: l.Index})
	})).To(Succeed())
	DeferCleanup(unix.Close, fd)
	tv := unix.NsecToTimeval((50 * time.Millisecond).Nanoseconds())
	Expect(unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)).To(Succeed())
	return fd
}
