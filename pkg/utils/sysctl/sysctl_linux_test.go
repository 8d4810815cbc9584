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

package sysctl_test

import (
	"errors"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// inNS runs f in n and fails the spec on its error.
func inNS(n ns.NetNS, f func() error) {
	GinkgoHelper()
	Expect(n.Do(func(ns.NetNS) error { return f() })).To(Succeed())
}

var _ = Describe("Get, Set and Ensure in a network namespace", func() {
	var (
		netns   ns.NetNS
		hostFwd string
		hostNS  ns.NetNS
	)

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		netns = testutils.NewNSForSpec()
		var err error
		hostNS, err = ns.GetCurrentNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(hostNS.Close)
		inNS(hostNS, func() error {
			hostFwd, err = sysctl.Get("net.ipv4.ip_forward")
			return err
		})
		Expect(hostFwd).To(BeElementOf("0", "1"))
	})

	AfterEach(func() {
		// The namespace's values never reach the host.
		var now string
		inNS(hostNS, func() error {
			var err error
			now, err = sysctl.Get("net.ipv4.ip_forward")
			return err
		})
		Expect(now).To(Equal(hostFwd))
	})

	It("writes, reads back and reports changes of net.ipv4.ip_forward", func() {
		inNS(netns, func() error {
			defer GinkgoRecover()
			Expect(sysctl.Set("net.ipv4.ip_forward", "0")).To(Succeed())
			Expect(sysctl.Get("net/ipv4/ip_forward")).To(Equal("0"))

			changed, err := sysctl.Ensure("net.ipv4.ip_forward", "1")
			Expect(err).NotTo(HaveOccurred())
			Expect(changed).To(BeTrue())
			Expect(sysctl.Get("net.ipv4.ip_forward")).To(Equal("1"))

			changed, err = sysctl.Ensure("net/ipv4/ip_forward", "1")
			Expect(err).NotTo(HaveOccurred())
			Expect(changed).To(BeFalse())
			return nil
		})
	})

	It("reaches an interface whose name has a dot through a slashed key", func() {
		inNS(netns, func() error {
			defer GinkgoRecover()
			Expect(netlinksafe.LinkList()).To(HaveLen(1))
			h, err := netlinksafe.NewHandle()
			Expect(err).NotTo(HaveOccurred())
			defer h.Close()
			Expect(h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "v0.10"}, PeerName: "v1.10"})).To(Succeed())

			key := "net/ipv6/conf/v0.10/disable_ipv6"
			Expect(sysctl.Set(key, "1")).To(Succeed())
			Expect(sysctl.Get(key)).To(Equal("1"))
			changed, err := sysctl.Ensure(key, "0")
			Expect(err).NotTo(HaveOccurred())
			Expect(changed).To(BeTrue())
			Expect(sysctl.Get(key)).To(Equal("0"))
			Expect(sysctl.Get("net/ipv6/conf/v1.10/disable_ipv6")).To(Equal("0"))
			return nil
		})
	})

	It("reports missing and escaping keys", func() {
		inNS(netns, func() error {
			defer GinkgoRecover()
			_, err := sysctl.Get("net.ipv4.conf.nope0.forwarding")
			Expect(errors.Is(err, os.ErrNotExist)).To(BeTrue(), "err = %v", err)
			Expect(err).To(MatchError(ContainSubstring("read sysctl net.ipv4.conf.nope0.forwarding")))

			err = sysctl.Set("net.ipv4.conf.nope0.forwarding", "1")
			Expect(err).To(MatchError(ContainSubstring("write sysctl net.ipv4.conf.nope0.forwarding=1")))

			_, err = sysctl.Ensure("net.ipv4.conf.nope0.forwarding", "1")
			Expect(errors.Is(err, os.ErrNotExist)).To(BeTrue(), "err = %v", err)

			Expect(sysctl.Set("../../tmp/x", "1")).To(MatchError(ContainSubstring("leaves /proc/sys")))
			_, err = sysctl.Get("../../etc/hostname")
			Expect(err).To(MatchError(ContainSubstring("leaves /proc/sys")))
			return nil
		})
	})
})
