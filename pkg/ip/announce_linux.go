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

package ip

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// AnnounceOnUp arranges for the kernel to announce ifName's IPv4 addresses
// itself when the link comes up, and returns the addresses of ips left for
// Announce once the link is up: the IPv6 ones, and the IPv4 ones too when
// the kernel could not be asked. Call it before the link is brought up.
//
// It sets the link's arp_notify sysctl (in the calling thread's namespace)
// to 1: on NETDEV_UP the kernel then sends, for every IPv4 address on the
// link, the same ARP request sendGratuitousARP builds
// (inetdev_send_gratuitous_arp in net/ipv4/devinet.c), and later ups and
// MAC changes of the link are announced too. That is cheaper than sending
// the ARP from a packet socket: the kernel waits for an RCU grace period
// whenever a packet socket is closed (synchronize_net in packet_release,
// net/packet/af_packet.c), whoever opened it, which measured 8-22 ms here,
// most of an ADD. It also sets ndisc_notify to 1, the IPv6 counterpart
// (unsolicited neighbor advertisements when the link's MAC changes or its
// peers are notified, ndisc_netdev_event in net/ipv6/ndisc.c). Both are
// set whatever the families of ips, and neither without an address, as
// upstream v1.10.0's macvlan leaves them (measured with its binary);
// ndisc_notify best effort, since a kernel without IPv6 has no such key.
func AnnounceOnUp(ifName string, ips []net.IP) []net.IP {
	if len(ips) == 0 {
		return nil
	}
	var rest []net.IP
	for _, a := range ips {
		if !ipaddr.Is4(a) {
			rest = append(rest, a)
		}
	}
	_ = sysctl.Set("net/ipv6/conf/"+ifName+"/ndisc_notify", "1")
	if setARPNotify(ifName) == nil {
		return rest
	}
	return ips
}

// setARPNotify sets ifName's arp_notify sysctl to 1.
func setARPNotify(ifName string) error {
	return sysctl.Set("net/ipv4/conf/"+ifName+"/arp_notify", "1")
}

// Announce tells the neighbors on ifName, in the namespace of h (nil: the
// calling thread's), that ips now live at ifName's MAC address: a gratuitous ARP
// for each IPv4 address and an unsolicited neighbor advertisement for each
// IPv6 one. A new link keeps an address that another MAC had a moment ago
// (a restarted pod), and neighbors would otherwise keep sending to the old
// MAC until their cache entry expires. It is best effort: errors are
// written to stderr and never returned, so that it cannot fail an ADD.
func Announce(h *netlinksafe.Handle, ifName string, ips []net.IP) {
	if err := AnnounceAddrs(h, ifName, ips); err != nil {
		fmt.Fprintf(os.Stderr, "announce addresses on %s: %v\n", ifName, err)
	}
}

// AnnounceAddrs is Announce returning its errors, one per address that
// could not be announced. The link is looked up through h (nil: a socket of
// its own).
func AnnounceAddrs(h *netlinksafe.Handle, ifName string, ips []net.IP) error {
	if len(ips) == 0 {
		return nil
	}
	l, err := linkByName(handleOrDefault(h), ifName)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifName, err)
	}
	attrs := l.Attrs()
	iface := &net.Interface{Index: attrs.Index, Name: attrs.Name, HardwareAddr: attrs.HardwareAddr, Flags: attrs.Flags}
	if len(iface.HardwareAddr) != 6 || iface.Flags&net.FlagLoopback != 0 {
		// Neighbor discovery needs an Ethernet address to announce.
		return nil
	}
	var errs []error
	for _, a := range ips {
		switch {
		case ipaddr.Is4(a):
			errs = append(errs, sendGratuitousARP(iface, a.To4()))
		case ipaddr.Is6(a):
			errs = append(errs, sendUnsolicitedNA(iface, a))
		default:
			errs = append(errs, fmt.Errorf("announce %v: invalid address", a))
		}
	}
	return errors.Join(errs...)
}

// htons converts a 16-bit value to network byte order, as the socket
// address of a packet socket wants its protocol.
func htons(v uint16) uint16 {
	return v<<8 | v>>8
}

// sendGratuitousARP broadcasts an ARP announcement (RFC 5227 section 2.3):
// a request whose sender and target protocol addresses are both addr.
// Requests rather than replies because some hosts update their cache only
// on requests.
func sendGratuitousARP(iface *net.Interface, addr net.IP) error {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ARP)))
	if err != nil {
		return fmt.Errorf("send gratuitous arp for %s: open packet socket: %w", addr, err)
	}
	defer unix.Close(fd)

	pkt := make([]byte, 28)
	binary.BigEndian.PutUint16(pkt[0:], 1)             // hardware type Ethernet
	binary.BigEndian.PutUint16(pkt[2:], unix.ETH_P_IP) // protocol type IPv4
	pkt[4], pkt[5] = 6, 4                              // address lengths
	binary.BigEndian.PutUint16(pkt[6:], 1)             // operation request
	copy(pkt[8:14], iface.HardwareAddr)                // sender hardware address
	copy(pkt[14:18], addr)                             // sender protocol address
	copy(pkt[24:28], addr)                             // target protocol address; target hw stays zero
	to := &unix.SockaddrLinklayer{
		Protocol: htons(unix.ETH_P_ARP),
		Ifindex:  iface.Index,
		Halen:    6,
		Addr:     [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
	if err := unix.Sendto(fd, pkt, 0, to); err != nil {
		return fmt.Errorf("send gratuitous arp for %s on %s: %w", addr, iface.Name, err)
	}
	return nil
}

// allNodes is ff02::1, where unsolicited advertisements go (RFC 4861 7.2.6).
var allNodes = [16]byte{0xff, 0x02, 15: 1}

// sendUnsolicitedNA sends a neighbor advertisement for addr to all nodes,
// with the override flag and the target link-layer address option, as
// RFC 4861 section 7.2.6 describes. The kernel fills in the ICMPv6 checksum
// of raw ICMPv6 sockets (RFC 3542 section 3.1). Hop limit 255 is required:
// receivers drop neighbor discovery messages that crossed a router.
func sendUnsolicitedNA(iface *net.Interface, addr net.IP) error {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
	if err != nil {
		return fmt.Errorf("send neighbor advertisement for %s: open icmpv6 socket: %w", addr, err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255); err != nil {
		return fmt.Errorf("send neighbor advertisement for %s: set hop limit: %w", addr, err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, iface.Index); err != nil {
		return fmt.Errorf("send neighbor advertisement for %s: set interface %s: %w", addr, iface.Name, err)
	}
	// Send from the announced address itself when the kernel allows it;
	// an address still in DAD cannot be bound (EADDRNOTAVAIL), and then
	// the kernel picks the source.
	src := &unix.SockaddrInet6{ZoneId: uint32(iface.Index)}
	copy(src.Addr[:], addr.To16())
	_ = unix.Bind(fd, src)

	pkt := make([]byte, 32)
	pkt[0] = 136  // type neighbor advertisement; code and checksum zero
	pkt[4] = 0x20 // flags: override, not solicited, not router
	copy(pkt[8:24], addr.To16())
	pkt[24], pkt[25] = 2, 1 // option target link-layer address, 8 bytes
	copy(pkt[26:32], iface.HardwareAddr)
	to := &unix.SockaddrInet6{Addr: allNodes, ZoneId: uint32(iface.Index)}
	if err := unix.Sendto(fd, pkt, 0, to); err != nil {
		return fmt.Errorf("send neighbor advertisement for %s on %s: %w", addr, iface.Name, err)
	}
	return nil
}
