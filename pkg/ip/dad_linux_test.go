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

// dadTimeout bounds the waits that should succeed. DAD takes a random delay
// of up to rtr_solicit_delay (1s) before the first probe, then
// dad_transmits (1) retransmission timers (1s).
const dadTimeout = 10 * time.Second

var _ = Describe("WaitForDAD", func() {
	var contNS, peerNS ns.NetNS

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		if !haveIPv6() {
			Skip("IPv6 is disabled in this kernel")
		}
		contNS = testutils.NewNSForSpec()
		peerNS = testutils.NewNSForSpec()
		addVethPair(contNS, "eth0", peerNS, "peer0")
		// Do not depend on the host's defaults, which a new namespace may
		// inherit (net.core.devconf_inherit_init_net): DAD on, one probe.
		// enhanced_dad stays at its default (1, RFC 7527): our own probe
		// looped back is recognized by its nonce, not taken for a duplicate.
		Expect(contNS.Do(func(ns.NetNS) error {
			for key, val := range map[string]string{
				"net.ipv6.conf.eth0.disable_ipv6":  "0",
				"net.ipv6.conf.eth0.accept_dad":    "1",
				"net.ipv6.conf.eth0.dad_transmits": "1",
			} {
				if err := sysctl.Set(key, val); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
		// DAD starts only on a link that is up and has carrier: a veth has
		// carrier once both ends are up.
		setUp(peerNS, "peer0")
		setUp(contNS, "eth0")
	})

	// addAddr is `ip addr add CIDR dev NAME [nodad]` in n.
	addAddr := func(n ns.NetNS, dev, cidr string, flags int) {
		Expect(n.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(dev)
			if err != nil {
				return err
			}
			return netlink.AddrAdd(l, &netlink.Addr{IPNet: ipnet(cidr), Flags: flags})
		})).To(Succeed())
	}

	// wait runs WaitForDAD on eth0 in contNS and returns its error and the
	// time it took.
	wait := func(addrs []string, timeout time.Duration) (time.Duration, error) {
		var (
			took time.Duration
			werr error
		)
		Expect(contNS.Do(func(ns.NetNS) error {
			h, err := netlinksafe.NewHandle()
			if err != nil {
				return err
			}
			defer h.Close()
			l, err := h.LinkByName("eth0")
			if err != nil {
				return err
			}
			ips := make([]net.IP, len(addrs))
			for i, a := range addrs {
				ips[i] = net.ParseIP(a)
			}
			start := time.Now()
			werr = ip.WaitForDAD(h, l.Attrs().Index, ips, timeout)
			took = time.Since(start)
			return nil
		})).To(Succeed())
		return took, werr
	}

	// flagsOf returns the IFA_F_* flags of addr on eth0 in contNS.
	flagsOf := func(addr string) int {
		flags := -1
		Expect(contNS.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName("eth0")
			if err != nil {
				return err
			}
			addrs, err := netlinksafe.AddrList(l, netlink.FAMILY_V6)
			if err != nil {
				return err
			}
			for _, a := range addrs {
				if a.IP.Equal(net.ParseIP(addr)) {
					flags = a.Flags
				}
			}
			return nil
		})).To(Succeed())
		Expect(flags).NotTo(Equal(-1), "address %s not on eth0", addr)
		return flags
	}

	It("returns once the address is no longer tentative", func() {
		addAddr(contNS, "eth0", "2001:db8::1/64", 0)
		Expect(flagsOf("2001:db8::1") & unix.IFA_F_TENTATIVE).NotTo(BeZero())

		took, err := wait([]string{"2001:db8::1"}, dadTimeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(flagsOf("2001:db8::1") & unix.IFA_F_TENTATIVE).To(BeZero())
		AddReportEntry("DAD wait for one IPv6 address", took.String())
		GinkgoWriter.Printf("DAD for one IPv6 address took %s\n", took)
	})

	It("waits for every given IPv6 address and ignores IPv4 ones", func() {
		addAddr(contNS, "eth0", "2001:db8::1/64", 0)
		addAddr(contNS, "eth0", "2001:db8:1::1/64", 0)
		addAddr(contNS, "eth0", "192.0.2.1/24", 0)

		_, err := wait([]string{"2001:db8::1", "192.0.2.1", "2001:db8:1::1"}, dadTimeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(flagsOf("2001:db8::1") & unix.IFA_F_TENTATIVE).To(BeZero())
		Expect(flagsOf("2001:db8:1::1") & unix.IFA_F_TENTATIVE).To(BeZero())
	})

	It("returns at once for an address added with nodad, not waiting for others", func() {
		addAddr(contNS, "eth0", "2001:db8::1/64", unix.IFA_F_NODAD)
		addAddr(contNS, "eth0", "2001:db8::2/64", 0)

		took, err := wait([]string{"2001:db8::1"}, dadTimeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(took).To(BeNumerically("<", 500*time.Millisecond))
		// The address it was not asked about is still being probed.
		Expect(flagsOf("2001:db8::2") & unix.IFA_F_TENTATIVE).NotTo(BeZero())
	})

	It("returns nil at once when there is no IPv6 address to wait for", func() {
		took, err := wait([]string{"192.0.2.1"}, dadTimeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(took).To(BeNumerically("<", 500*time.Millisecond))

		Expect(ip.WaitForDAD(nil, 0, nil, time.Second)).To(Succeed())
	})

	It("fails when a neighbor already uses the address", func() {
		addAddr(peerNS, "peer0", "2001:db8::1/64", unix.IFA_F_NODAD)
		addAddr(contNS, "eth0", "2001:db8::1/64", 0)

		_, err := wait([]string{"2001:db8::1"}, dadTimeout)
		Expect(err).To(MatchError("duplicate address detected for 2001:db8::1 on dev eth0"))
		Expect(errors.Is(err, ip.ErrDADFailed)).To(BeTrue())
		Expect(errors.Is(err, ip.ErrDADTimeout)).To(BeFalse())
		var dadErr *ip.DADFailedError
		Expect(errors.As(err, &dadErr)).To(BeTrue())
		Expect(dadErr.Addr.String()).To(Equal("2001:db8::1"))
		Expect(flagsOf("2001:db8::1") & unix.IFA_F_DADFAILED).NotTo(BeZero())
	})

	It("fails when the address is already marked dadfailed", func() {
		addAddr(peerNS, "peer0", "2001:db8::1/64", unix.IFA_F_NODAD)
		addAddr(contNS, "eth0", "2001:db8::1/64", 0)
		Eventually(func() int { return flagsOf("2001:db8::1") & unix.IFA_F_DADFAILED }).
			WithTimeout(dadTimeout).WithPolling(50 * time.Millisecond).ShouldNot(BeZero())

		took, err := wait([]string{"2001:db8::1"}, dadTimeout)
		Expect(errors.Is(err, ip.ErrDADFailed)).To(BeTrue(), "WaitForDAD = %v, want ErrDADFailed", err)
		Expect(took).To(BeNumerically("<", 500*time.Millisecond))
	})

	It("times out naming the address and the device", func() {
		addAddr(contNS, "eth0", "2001:db8::1/64", 0)
		addAddr(contNS, "eth0", "2001:db8::2/64", unix.IFA_F_NODAD)

		took, err := wait([]string{"2001:db8::2", "2001:db8::1"}, 100*time.Millisecond)
		Expect(err).To(MatchError("wait for DAD on dev eth0: 2001:db8::1 still tentative after 100ms"))
		Expect(errors.Is(err, ip.ErrDADTimeout)).To(BeTrue())
		Expect(errors.Is(err, ip.ErrDADFailed)).To(BeFalse())
		Expect(took).To(BeNumerically(">=", 100*time.Millisecond))
		Expect(took).To(BeNumerically("<", time.Second))
	})

	It("says so when the link has no carrier", func() {
		Expect(peerNS.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName("peer0")
			if err != nil {
				return err
			}
			return netlink.LinkSetDown(l)
		})).To(Succeed())
		addAddr(contNS, "eth0", "2001:db8::1/64", 0)

		_, err := wait([]string{"2001:db8::1"}, 200*time.Millisecond)
		Expect(err).To(MatchError("wait for DAD on dev eth0: 2001:db8::1 still tentative after 200ms (link has no carrier)"))
	})

	It("fails at once for an address that is not on the link", func() {
		addAddr(contNS, "eth0", "2001:db8::1/64", unix.IFA_F_NODAD)

		took, err := wait([]string{"2001:db8::1", "2001:db8::99"}, dadTimeout)
		Expect(err).To(MatchError("wait for DAD on dev eth0: address 2001:db8::99 not found"))
		Expect(took).To(BeNumerically("<", 500*time.Millisecond))
	})

	for _, lost := range []bool{false, true} {
		name := "cannot be opened"
		if lost {
			name = "fails after opening"
		}
		It("falls back to listing when the notification socket "+name, func() {
			DeferCleanup(ip.BreakAddrSubscription(lost))
			addAddr(contNS, "eth0", "2001:db8::1/64", 0)

			_, err := wait([]string{"2001:db8::1"}, dadTimeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(flagsOf("2001:db8::1") & unix.IFA_F_TENTATIVE).To(BeZero())

			addAddr(peerNS, "peer0", "2001:db8::2/64", unix.IFA_F_NODAD)
			addAddr(contNS, "eth0", "2001:db8::2/64", 0)
			_, err = wait([]string{"2001:db8::2"}, dadTimeout)
			Expect(err).To(MatchError("duplicate address detected for 2001:db8::2 on dev eth0"))
		})
	}
})
