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
	"errors"
	"net"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("SetupVeth", func() {
	var hostNS, contNS ns.NetNS

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		hostNS = testutils.NewNSForSpec()
		contNS = testutils.NewNSForSpec()
	})

	// setup runs SetupVethWithName inside contNS.
	setup := func(contName, hostName string, mtu int, mac string) (net.Interface, net.Interface, error) {
		var hostVeth, contVeth net.Interface
		err := contNS.Do(func(ns.NetNS) error {
			var err error
			hostVeth, contVeth, err = ip.SetupVethWithName(contName, hostName, mtu, mac, hostNS)
			return err
		})
		return hostVeth, contVeth, err
	}

	It("creates each end in its namespace, up, with the MTU and MAC", func() {
		hostVeth, contVeth, err := setup("eth0", "vethtest0", 1400, "02:00:00:00:00:42")
		Expect(err).NotTo(HaveOccurred())

		Expect(linkNames(contNS)).To(Equal([]string{"eth0", "lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo", "vethtest0"}))

		cont := linkIn(contNS, "eth0")
		Expect(cont.Type()).To(Equal("veth"))
		Expect(cont.Attrs().MTU).To(Equal(1400))
		Expect(cont.Attrs().HardwareAddr).To(Equal(mustMAC("02:00:00:00:00:42")))
		Expect(cont.Attrs().Flags & net.FlagUp).NotTo(BeZero())

		host := linkIn(hostNS, "vethtest0")
		Expect(host.Type()).To(Equal("veth"))
		Expect(host.Attrs().MTU).To(Equal(1400))
		Expect(host.Attrs().Flags & net.FlagUp).NotTo(BeZero())
		// Both ends up: the pair gets carrier, which the kernel's link
		// watcher reports a moment later (slower still under emulation).
		Eventually(func() netlink.LinkOperState {
			return linkIn(hostNS, "vethtest0").Attrs().OperState
		}).WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).
			Should(Equal(netlink.LinkOperState(netlink.OperUp)))

		// The two are each other's peer (IFLA_LINK holds the peer's index).
		Expect(cont.Attrs().ParentIndex).To(Equal(host.Attrs().Index))
		Expect(host.Attrs().ParentIndex).To(Equal(cont.Attrs().Index))

		// The returned values describe the kernel's links. FlagRunning
		// (carrier) may come after SetupVeth read the link, as above:
		// compare the other flags.
		settled := contVeth
		settled.Flags &^= net.FlagRunning
		Expect(settled).To(Equal(net.Interface{
			Index: cont.Attrs().Index, MTU: 1400, Name: "eth0",
			HardwareAddr: cont.Attrs().HardwareAddr, Flags: cont.Attrs().Flags &^ net.FlagRunning,
		}))
		Expect(hostVeth.Index).To(Equal(host.Attrs().Index))
		Expect(hostVeth.Name).To(Equal("vethtest0"))
		Expect(hostVeth.MTU).To(Equal(1400))
		Expect(hostVeth.HardwareAddr).To(Equal(host.Attrs().HardwareAddr))
		Expect(hostVeth.Flags & net.FlagUp).NotTo(BeZero())
	})

	It("SetupVeth picks a random host name and keeps kernel defaults for mtu 0 and no MAC", func() {
		var hostVeth, contVeth net.Interface
		Expect(contNS.Do(func(ns.NetNS) error {
			var err error
			hostVeth, contVeth, err = ip.SetupVeth("eth0", 0, "", hostNS)
			return err
		})).To(Succeed())
		Expect(hostVeth.Name).To(MatchRegexp(`^veth[0-9a-f]{8}$`))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo", hostVeth.Name}))
		Expect(contVeth.MTU).To(Equal(1500))
		Expect(hostVeth.MTU).To(Equal(1500))
		Expect(contVeth.HardwareAddr).To(HaveLen(6))
		Expect(linkIn(contNS, "eth0").Attrs().HardwareAddr).To(Equal(contVeth.HardwareAddr))
	})

	It("SetupVeth draws another host name when the random one is taken", func() {
		addVethPair(hostNS, "vethtaken0", hostNS, "vethtaken1")
		DeferCleanup(ip.SetRandomVethNames("vethtaken0", "vethtaken1", "vethfree0"))

		var hostVeth net.Interface
		Expect(contNS.Do(func(ns.NetNS) error {
			var err error
			hostVeth, _, err = ip.SetupVeth("eth0", 0, "", hostNS)
			return err
		})).To(Succeed())
		Expect(hostVeth.Name).To(Equal("vethfree0"))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo", "vethfree0", "vethtaken0", "vethtaken1"}))
	})

	It("SetupVeth gives up after 10 taken random names", func() {
		addVethPair(hostNS, "vethtaken0", hostNS, "vethtaken1")
		names := make([]string, 10)
		for i := range names {
			names[i] = "vethtaken0"
		}
		DeferCleanup(ip.SetRandomVethNames(names...))

		err := contNS.Do(func(ns.NetNS) error {
			_, _, err := ip.SetupVeth("eth0", 0, "", hostNS)
			return err
		})
		Expect(errors.Is(err, os.ErrExist)).To(BeTrue(), "errors.Is(%v, os.ErrExist) = false", err)
		Expect(err).To(MatchError(ContainSubstring("host interface vethtaken0 already exists")))
		Expect(linkNames(contNS)).To(Equal([]string{"lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo", "vethtaken0", "vethtaken1"}))
	})

	It("fails with os.ErrExist when the container name is taken, leaving nothing new", func() {
		_, _, err := setup("eth0", "vethtest0", 0, "")
		Expect(err).NotTo(HaveOccurred())

		_, _, err = setup("eth0", "", 0, "")
		Expect(errors.Is(err, os.ErrExist)).To(BeTrue(), "errors.Is(%v, os.ErrExist) = false", err)
		Expect(err).To(MatchError(ContainSubstring("container interface eth0 already exists")))
		Expect(linkNames(contNS)).To(Equal([]string{"eth0", "lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo", "vethtest0"}))
	})

	It("fails when the given host name is taken, leaving nothing behind", func() {
		addVethPair(hostNS, "vethtest0", hostNS, "other0")

		_, _, err := setup("eth0", "vethtest0", 0, "")
		Expect(errors.Is(err, os.ErrExist)).To(BeTrue(), "errors.Is(%v, os.ErrExist) = false", err)
		Expect(err).To(MatchError(ContainSubstring("host interface vethtest0 already exists")))
		Expect(linkNames(contNS)).To(Equal([]string{"lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo", "other0", "vethtest0"}))
	})

	It("fails on an MTU the kernel refuses, leaving nothing behind", func() {
		_, _, err := setup("eth0", "vethtest0", 70000, "")
		Expect(err).To(MatchError(ContainSubstring("add veth eth0 peer vethtest0")))
		Expect(linkNames(contNS)).To(Equal([]string{"lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo"}))
	})

	It("fails on a multicast MAC (EADDRNOTAVAIL from the kernel), leaving nothing behind", func() {
		_, _, err := setup("eth0", "vethtest0", 0, "03:00:00:00:00:01")
		Expect(err).To(MatchError(ContainSubstring("cannot assign requested address")))
		Expect(linkNames(contNS)).To(Equal([]string{"lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo"}))
	})

	It("rejects bad arguments before touching the kernel", func() {
		for _, tc := range []struct {
			cont, host, mac string
			mtu             int
			want            string
		}{
			{"", "vethtest0", "", 0, "interface name is empty"},
			{"eth0-much-too-long", "vethtest0", "", 0, "longer than 15 bytes"},
			{"eth0", "veth-much-too-long", "", 0, "longer than 15 bytes"},
			{"eth/0", "vethtest0", "", 0, "invalid interface name"},
			{"eth0", "vethtest0", "not-a-mac", 0, "not-a-mac"},
			{"eth0", "vethtest0", "", -1, "invalid MTU -1"},
		} {
			_, _, err := setup(tc.cont, tc.host, tc.mtu, tc.mac)
			Expect(err).To(MatchError(ContainSubstring(tc.want)),
				"SetupVethWithName(%q, %q, %d, %q) = %v, want %q", tc.cont, tc.host, tc.mtu, tc.mac, err, tc.want)
		}
		Expect(linkNames(contNS)).To(Equal([]string{"lo"}))
		Expect(linkNames(hostNS)).To(Equal([]string{"lo"}))
	})
})
