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
	"encoding/json"
	"maps"
	"slices"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// readmeKernel is the kernel state the README's ECMP section describes for
// an example once an interface plugin has configured "net1" from static's
// result: routes of the main table as testutils.RouteText renders them.
type readmeKernel struct {
	v4, v6   string
	useNeigh bool // net.ipv4.fib_multipath_use_neigh must be 1 (the README says so)
}

var readmeKernelState = map[string]readmeKernel{
	"provider-ecmp": {
		v4:       "198.51.100.0/24 nexthop via 203.0.113.1 dev net1 weight 1 nexthop via 203.0.113.2 dev net1 weight 1 nexthop via 203.0.113.3 dev net1 weight 1",
		v6:       "2001:db8:198::/48 metric 1024 nexthop via 2001:db8:203::1 dev net1 weight 1 nexthop via 2001:db8:203::2 dev net1 weight 1 nexthop via 2001:db8:203::3 dev net1 weight 1",
		useNeigh: true,
	},
	"dualstack-ecmp": {
		v4:       "default nexthop via 192.0.2.1 dev net1 weight 1 nexthop via 192.0.2.2 dev net1 weight 1",
		v6:       "default metric 1024 nexthop via 2001:db8::1 dev net1 weight 1 nexthop via 2001:db8::2 dev net1 weight 1",
		useNeigh: true,
	},
	"primary-backup": {
		v4: "default via 192.0.2.1 dev net1 metric 100\ndefault via 192.0.2.2 dev net1 metric 200",
	},
	"legacy-two-gateways": {
		v4:       "default nexthop via 192.0.2.1 dev net1 weight 1 nexthop via 192.0.2.2 dev net1 weight 1",
		useNeigh: true,
	},
}

var _ = Describe("README.md ECMP examples in a network namespace", func() {
	// Sorted, so that every ginkgo process builds the same spec tree.
	for _, name := range slices.Sorted(maps.Keys(readmeKernelState)) {
		want := readmeKernelState[name]
		It("installs "+name+" as the README describes", func() {
			testutils.RequireKernelFeature("multipath")
			var conf []byte
			configs, err := readmeConfigs()
			Expect(err).NotTo(HaveOccurred())
			for _, c := range configs {
				var n struct {
					Name string `json:"name"`
				}
				Expect(json.Unmarshal(c.config, &n)).To(Succeed())
				if n.Name == name {
					conf = c.config
				}
			}
			Expect(conf).NotTo(BeNil(), "README has no %q example", name)

			res, _, err := testutils.CmdAdd(cmdArgs(conf, ""), cmdAdd)
			Expect(err).NotTo(HaveOccurred())
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			// What the interface plugin does with an IPAM result: name
			// the interface and point every address at it.
			cur.Interfaces = []*current.Interface{{Name: "net1"}}
			for _, ipc := range cur.IPs {
				ipc.Interface = current.Int(0)
			}

			target := testutils.NewNSForSpec()
			var v4, v6, useNeigh string
			err = target.Do(func(ns.NetNS) error {
				// No DAD on links created from here on: the test is
				// about routes, and DAD would only add a second.
				if err := sysctl.Set("net.ipv6.conf.default.accept_dad", "0"); err != nil {
					return err
				}
				veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "net1"}, PeerName: "peer1"}
				if err := netlink.LinkAdd(veth); err != nil {
					return err
				}
				peer, err := netlink.LinkByName("peer1")
				if err != nil {
					return err
				}
				if err := netlink.LinkSetUp(peer); err != nil {
					return err
				}
				if err := ipam.ConfigureIface("net1", cur); err != nil {
					return err
				}
				if v4, err = testutils.RouteText("net1", ipaddr.FamilyV4, 0); err != nil {
					return err
				}
				if v6, err = testutils.RouteText("net1", ipaddr.FamilyV6, 0); err != nil {
					return err
				}
				useNeigh, err = sysctl.Get("net.ipv4.fib_multipath_use_neigh")
				return err
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(v4).To(Equal(want.v4))
			Expect(v6).To(Equal(want.v6))
			if want.useNeigh {
				Expect(useNeigh).To(Equal("1"))
			}
		})
	}
})
