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
	"net"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

const (
	v4Forward = "net.ipv4.ip_forward"
	v6Forward = "net.ipv6.conf.all.forwarding"
)

var _ = Describe("forwarding", func() {
	var n ns.NetNS

	// forwarding reads both switches inside n.
	forwarding := func() (v4, v6 string) {
		Expect(n.Do(func(ns.NetNS) error {
			var err error
			if v4, err = sysctl.Get(v4Forward); err != nil {
				return err
			}
			v6, err = sysctl.Get(v6Forward)
			return err
		})).To(Succeed())
		return v4, v6
	}

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		if !haveIPv6() {
			Skip("IPv6 is disabled in this kernel")
		}
		n = testutils.NewNSForSpec()
		// A new namespace may inherit IPv4 forwarding from the host
		// (net.core.devconf_inherit_init_net); start from "off".
		Expect(n.Do(func(ns.NetNS) error {
			if err := sysctl.Set(v4Forward, "0"); err != nil {
				return err
			}
			return sysctl.Set(v6Forward, "0")
		})).To(Succeed())
	})

	It("EnableIP4Forward and EnableIP6Forward switch on one family each, and may be called twice", func() {
		Expect(n.Do(func(ns.NetNS) error { return ip.EnableIP4Forward() })).To(Succeed())
		v4, v6 := forwarding()
		Expect([]string{v4, v6}).To(Equal([]string{"1", "0"}))

		Expect(n.Do(func(ns.NetNS) error { return ip.EnableIP6Forward() })).To(Succeed())
		Expect(n.Do(func(ns.NetNS) error { return ip.EnableIP4Forward() })).To(Succeed())
		Expect(n.Do(func(ns.NetNS) error { return ip.EnableIP6Forward() })).To(Succeed())
		v4, v6 = forwarding()
		Expect([]string{v4, v6}).To(Equal([]string{"1", "1"}))
	})

	It("EnableForward switches on the families of the given addresses", func() {
		for _, tc := range []struct {
			addrs          []string
			wantV4, wantV6 string
		}{
			{nil, "0", "0"},
			{[]string{"192.0.2.2/24"}, "1", "0"},
			{[]string{"2001:db8::2/64"}, "0", "1"},
			{[]string{"192.0.2.2/24", "2001:db8::2/64"}, "1", "1"},
		} {
			var ips []*current.IPConfig
			for _, a := range tc.addrs {
				ips = append(ips, &current.IPConfig{Address: *ipnet(a)})
			}
			Expect(n.Do(func(ns.NetNS) error {
				if err := sysctl.Set(v4Forward, "0"); err != nil {
					return err
				}
				if err := sysctl.Set(v6Forward, "0"); err != nil {
					return err
				}
				return ip.EnableForward(ips)
			})).To(Succeed())
			v4, v6 := forwarding()
			Expect([]string{v4, v6}).To(Equal([]string{tc.wantV4, tc.wantV6}),
				"EnableForward(%v): ip_forward, all.forwarding = %s, %s; want %s, %s", tc.addrs, v4, v6, tc.wantV4, tc.wantV6)
		}
	})

	It("leaves the host's switches alone", func() {
		hostV4, err := sysctl.Get(v4Forward)
		Expect(err).NotTo(HaveOccurred())
		Expect(n.Do(func(ns.NetNS) error {
			return ip.EnableForward([]*current.IPConfig{{Address: net.IPNet{IP: net.ParseIP("192.0.2.2"), Mask: net.CIDRMask(24, 32)}}})
		})).To(Succeed())
		Expect(sysctl.Get(v4Forward)).To(Equal(hostV4))
	})
})
