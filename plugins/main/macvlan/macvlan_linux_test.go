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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/ns"
)

var plugin = linktest.Plugin{
	Type: "macvlan", Add: cmdAdd, Check: cmdCheck, Del: cmdDel, GC: cmdGC, Status: cmdStatus,
}

func newFixture() *linktest.Fixture { return linktest.NewFixture(plugin, "macvlan") }

const master = linktest.MasterName

var _ = Describe("macvlan, as every link plugin", func() {
	linktest.CommonSpecs(newFixture)
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

	It("takes the MAC from runtimeConfig over args.cni.mac, CNI_ARGS and the config", func() {
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
		Entry("args.cni.mac", map[string]any{"args": map[string]any{"cni": map[string]any{"mac": "02:00:5e:00:53:13"}}}, "", "02:00:5e:00:53:13"),
		Entry("runtimeConfig", map[string]any{"runtimeConfig": map[string]any{"mac": "02:00:5e:00:53:14"}}, "", "02:00:5e:00:53:14"),
	)

	It("sets bcqueuelen", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": master, "bcqueuelen": 100}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().(*netlink.Macvlan).BCQueueLen).To(Equal(uint32(100)))
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
	})

	It("announces its IPv4 address with a gratuitous ARP from its MAC", func() {
		// Listen on the master's peer: what the macvlan sends leaves
		// through the master.
		var fd int
		Expect(f.HostNS.Do(func(ns.NetNS) error {
			peer, err := net.InterfaceByName(master + "p")
			if err != nil {
				return err
			}
			fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM, int(htons(unix.ETH_P_ARP)))
			if err != nil {
				return err
			}
			return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: peer.Index})
		})).To(Succeed())
		DeferCleanup(unix.Close, fd)
		tv := unix.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
		Expect(unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)).To(Succeed())

		const mac = "02:00:5e:00:53:21"
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": master, "mac": mac, "ipam": linktest.StaticIPAM(linktest.V4Addr, nil)}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed()) })

		// A gratuitous ARP: sender and target protocol address both the
		// new address, sender hardware address the new MAC.
		garp := func() bool {
			buf := make([]byte, 128)
			for {
				n, _, err := unix.Recvfrom(fd, buf, 0)
				if err != nil {
					return false
				}
				p := buf[:n]
				if len(p) >= 28 && binary.BigEndian.Uint16(p[6:]) == 1 &&
					net.HardwareAddr(p[8:14]).String() == mac &&
					net.IP(p[14:18]).Equal(net.ParseIP("192.0.2.10")) &&
					net.IP(p[24:28]).Equal(net.ParseIP("192.0.2.10")) {
					return true
				}
			}
		}
		Eventually(garp).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(BeTrue())
	})
})

func htons(v uint16) uint16 { return v<<8 | v>>8 }
