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
	"encoding/json"
	"fmt"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The kernel facts Documentation/ecmp.md states about routes of other
// interfaces: installing without NLM_F_EXCL never fails because another
// interface holds a route to the same destination; IPv4 then keeps two
// routes with the newer first, while IPv6 merges them into one route with
// nexthops on both interfaces.
var _ = Describe("routes to one destination on two interfaces", func() {
	It("are kept apart by IPv4 and merged by IPv6", func() {
		testutils.RequireKernelFeature("multipath")
		p := newPair(1, 1)
		Expect(p.cont.Do(func(ns.NetNS) error {
			_, _, err := ip.SetupVethWithName("net1", "peer1", 0, "", p.peer)
			return err
		})).To(Succeed())
		Expect(p.configure(ifaceResult(addr4+","+addr6, `{"dst":"0.0.0.0/0"},{"dst":"::/0"}`))).To(Succeed())

		second := &current.Result{}
		Expect(json.Unmarshal([]byte(`{"interfaces":[{"name":"net1"}],
			"ips":[{"interface":0,"address":"203.0.113.10/24","gateway":"203.0.113.1"},
			       {"interface":0,"address":"2001:db8:3::10/64","gateway":"2001:db8:3::1"}],
			"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}`), second)).To(Succeed())
		Expect(p.in(func() error { return ipam.ConfigureIface("net1", second) })).To(Succeed())

		var v4, v6 string
		Expect(p.in(func() error {
			var err error
			if v4, err = testutils.RouteText("", netlink.FAMILY_V4, 0); err != nil {
				return err
			}
			v6, err = testutils.RouteText("", netlink.FAMILY_V6, 0)
			return err
		})).To(Succeed())
		Expect(v4).To(Equal("default via 203.0.113.1 dev net1\ndefault via 198.51.100.1 dev eth0"))
		Expect(v6).To(Equal(fmt.Sprint("default metric 1024",
			" nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:3::1 dev net1 weight 1")))
		// CHECK of either interface still passes: the other's route is
		// someone else's.
		Expect(p.check(ifaceResult(addr4+","+addr6, `{"dst":"0.0.0.0/0"},{"dst":"::/0"}`))).To(Succeed())
		Expect(p.in(func() error { return ipam.CheckIface("net1", second) })).To(Succeed())
	})
})
