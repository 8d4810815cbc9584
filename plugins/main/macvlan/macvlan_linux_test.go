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
	"encoding/binary"
	"net"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

var plugin = linktest.Plugin{
	Type: "macvlan", Add: cmdAdd, Check: cmdCheck, Del: cmdDel, GC: cmdGC, Status: cmdStatus,
}

func newFixture() *linktest.Fixture { return linktest.NewFixture(plugin, "macvlan") }

const master = linktest.MasterName

var _ = Describe("macvlan, as every link plugin", func() {
	linktest.CommonSpecs(newFixture)
})

// refused are the configs only macvlan's ADD refuses.
var refused = []linktest.Refused{
	{Name: "invalid config mac", Fields: map[string]any{"mac": "zz"},
		Code: uint(types.ErrInvalidNetworkConfig), Msg: `invalid mac "zz" from config mac`},
	{Name: "invalid runtimeConfig mac", Fields: map[string]any{"runtimeConfig": map[string]any{"mac": "zz"}},
		Code: uint(types.ErrInvalidNetworkConfig), Msg: `invalid mac "zz" from runtimeConfig mac`},
	{Name: "multicast runtimeConfig mac", Fields: map[string]any{"runtimeConfig": map[string]any{"mac": "01:00:5e:00:00:01"}},
		Code: uint(types.ErrInvalidNetworkConfig), Msg: "multicast address"},
	{Name: "invalid CNI_ARGS MAC", CNIArgs: "IgnoreUnknown=1;MAC=zz",
		Code: uint(types.ErrInvalidNetworkConfig), Msg: `invalid mac "zz" from CNI_ARGS MAC`},
	{Name: "unknown CNI_ARGS key", CNIArgs: "FOO=bar",
		Code: uint(types.ErrInvalidNetworkConfig), Msg: "FOO"},
}

var _ = Describe("macvlan DEL of configs its ADD refuses", func() {
	linktest.RefusedSpecs(newFixture, refused)
})

var _ = Describe("macvlan", func() {
	var f *linktest.Fixture
	BeforeEach(func() { f = newFixture() })

	DescribeTable("every mode",
		func(mode string, want netlink.MacvlanMode) {
			args := f.Args(f.Conf("1.1.0", map[string]any{"master": master, "mode": mode}), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.ContLink().(*netlink.Macvlan).Mode).To(Equal(want))
			Expect(f.Check(linktest.WithPrev(args, res))).To(Succeed())

			other := "private"
			if mode == "private" {
				other = "bridge"
			}
			wrong := f.Args(f.Conf("1.1.0", map[string]any{"master": master, "mode": other}), "")
			Expect(f.Check(linktest.WithPrev(wrong, res))).To(MatchError(ContainSubstring("check link eth0: mode is " + mode + ", want " + other)))
			Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		},
		Entry("bridge", "bridge", netlink.MACVLAN_MODE_BRIDGE),
		Entry("private", "private", netlink.MACVLAN_MODE_PRIVATE),
		Entry("vepa", "vepa", netlink.MACVLAN_MODE_VEPA),
		Entry("passthru", "passthru", netlink.MACVLAN_MODE_PASSTHRU),
	)

	It("takes the MAC from runtimeConfig over CNI_ARGS and the config, and ignores args.cni.mac", func() {
		const want = "02:00:5e:00:53:04"
		args := f.Args(f.Conf("1.1.0", map[string]any{
			"master":        master,
			"mac":           "02:00:5e:00:53:01",
			"args":          map[string]any{"cni": map[string]any{"mac": "02:00:5e:00:53:03"}},
			"runtimeConfig": map[string]any{"mac": want},
		}), "IgnoreUnknown=1;K8S_POD_NAME=p;MAC=02:00:5e:00:53:02")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().HardwareAddr.String()).To(Equal(want))
		Expect(linktest.AsCurrent(res).Interfaces[0].Mac).To(Equal(want))
		Expect(f.Check(linktest.WithPrev(args, res))).To(Succeed())
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
	})

	DescribeTable("MAC from a single source",
		func(fields map[string]any, cniArgs, want string) {
			fields["master"] = master
			args := f.Args(f.Conf("1.1.0", fields), cniArgs)
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.ContLink().Attrs().HardwareAddr.String()).To(Equal(want))
			Expect(f.Check(linktest.WithPrev(args, res))).To(Succeed())
			Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		},
		Entry("config", map[string]any{"mac": "02:00:5e:00:53:11"}, "", "02:00:5e:00:53:11"),
		Entry("CNI_ARGS", map[string]any{}, "MAC=02:00:5e:00:53:12", "02:00:5e:00:53:12"),
		Entry("runtimeConfig", map[string]any{"runtimeConfig": map[string]any{"mac": "02:00:5e:00:53:14"}}, "", "02:00:5e:00:53:14"),
	)

	DescribeTable("parses only the MAC source that wins, as upstream",
		func(fields map[string]any, cniArgs, want string) {
			fields["master"] = master
			args := f.Args(f.Conf("1.1.0", fields), cniArgs)
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.ContLink().Attrs().HardwareAddr.String()).To(Equal(want))
			Expect(f.Check(linktest.WithPrev(args, res))).To(Succeed())
			Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		},
		Entry("invalid config mac, runtimeConfig mac",
			map[string]any{"mac": "zz", "runtimeConfig": map[string]any{"mac": "02:00:5e:00:53:31"}}, "", "02:00:5e:00:53:31"),
		Entry("invalid config mac, CNI_ARGS MAC",
			map[string]any{"mac": "zz"}, "MAC=02:00:5e:00:53:32", "02:00:5e:00:53:32"),
		Entry("invalid CNI_ARGS MAC, runtimeConfig mac",
			map[string]any{"runtimeConfig": map[string]any{"mac": "02:00:5e:00:53:33"}}, "IgnoreUnknown=1;MAC=zz", "02:00:5e:00:53:33"),
		Entry("invalid args.cni.mac (ignored), runtimeConfig mac",
			map[string]any{"args": map[string]any{"cni": map[string]any{"mac": "zz"}}, "runtimeConfig": map[string]any{"mac": "02:00:5e:00:53:34"}}, "", "02:00:5e:00:53:34"),
	)

	DescribeTable("sets arp_notify on a link with addresses, as upstream",
		func(ipam map[string]any, want string) {
			fields := map[string]any{"master": master}
			if ipam != nil {
				fields["ipam"] = ipam
			}
			args := f.Args(f.Conf("1.1.0", fields), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			var notify string
			Expect(f.ContNS.Do(func(ns.NetNS) (err error) {
				notify, err = sysctl.Get("net/ipv4/conf/eth0/arp_notify")
				return err
			})).To(Succeed())
			Expect(notify).To(Equal(want))
			Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		},
		Entry("IPv4", linktest.StaticIPAM(linktest.V4Addr, nil), "1"),
		Entry("IPv6 only", linktest.StaticIPAM([]map[string]string{{"address": "2001:db8::10/64"}}, nil), "1"),
		Entry("no ipam", nil, "0"),
	)

	It("sets bcqueuelen", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": master, "bcqueuelen": 100}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().(*netlink.Macvlan).BCQueueLen).To(Equal(uint32(100)))
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
	})

	It("announces its addresses: gratuitous ARP and unsolicited neighbor advertisement from its MAC", func() {
		arp := listen(f, unix.ETH_P_ARP)
		v6 := listen(f, unix.ETH_P_IPV6)

		const mac = "02:00:5e:00:53:21"
		args := f.Args(f.Conf("1.1.0", map[string]any{
			"master": master, "mac": mac,
			"ipam": linktest.StaticIPAM([]map[string]string{{"address": "192.0.2.10/24"}, {"address": "2001:db8::10/64"}}, nil),
		}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed()) })

		// The kernel sent the ARP when the link came up: the plugin set
		// arp_notify rather than open a packet socket, whose close waits
		// for an RCU grace period.
		var notify string
		Expect(f.ContNS.Do(func(ns.NetNS) (err error) {
			notify, err = sysctl.Get("net/ipv4/conf/eth0/arp_notify")
			return err
		})).To(Succeed())
		Expect(notify).To(Equal("1"))

		// ARP request, sender and target protocol address both the new
		// address, sender hardware address the new MAC.
		Eventually(received(arp, func(p []byte) bool {
			return len(p) >= 28 && binary.BigEndian.Uint16(p[6:]) == 1 &&
				net.HardwareAddr(p[8:14]).String() == mac &&
				net.IP(p[14:18]).Equal(net.ParseIP("192.0.2.10")) &&
				net.IP(p[24:28]).Equal(net.ParseIP("192.0.2.10"))
		})).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(BeTrue())

		// IPv6 header (40 bytes), ICMPv6 type 136 with the override flag
		// and no solicited flag, to ff02::1 with hop limit 255, target the
		// new address, target link-layer address option the new MAC.
		Eventually(received(v6, func(p []byte) bool {
			if len(p) < 40+32 || p[6] != unix.IPPROTO_ICMPV6 || p[7] != 255 {
				return false
			}
			icmp := p[40:]
			return icmp[0] == 136 && icmp[4] == 0x20 &&
				net.IP(p[24:40]).Equal(net.ParseIP("ff02::1")) &&
				net.IP(icmp[8:24]).Equal(net.ParseIP("2001:db8::10")) &&
				icmp[24] == 2 && icmp[25] == 1 && net.HardwareAddr(icmp[26:32]).String() == mac
		})).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(BeTrue())
	})
})

// listen opens a packet socket for frames of ethertype proto arriving on
// the master's peer, in the host namespace: what the macvlan sends leaves
// through the master. Reads time out after 100ms.
func listen(f *linktest.Fixture, proto uint16) int {
	GinkgoHelper()
	var fd int
	Expect(f.HostNS.Do(func(ns.NetNS) error {
		peer, err := net.InterfaceByName(master + "p")
		if err != nil {
			return err
		}
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM, int(htons(proto)))
		if err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(proto), Ifindex: peer.Index})
	})).To(Succeed())
	DeferCleanup(unix.Close, fd)
	tv := unix.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
	Expect(unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)).To(Succeed())
	return fd
}

// received reports whether a frame matching match arrives on fd before
// the read times out.
func received(fd int, match func(p []byte) bool) func() bool {
	return func() bool {
		buf := make([]byte, 1500)
		for {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				return false
			}
			if match(buf[:n]) {
				return true
			}
		}
	}
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
