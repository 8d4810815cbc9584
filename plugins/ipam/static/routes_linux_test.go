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
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("routes echoed as written, in a network namespace", func() {
	It("install masked and merged, and pass CHECK against the result", func() {
		testutils.RequireKernelFeature("multipath")
		conf := netConf("1.0.0", `{"addresses": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}],
			"routes": [{"dst": "198.51.100.7/24", "gw": "192.0.2.1"}, {"dst": "198.51.100.7/24", "gw": "192.0.2.1"},
				{"dst": "203.0.113.0/24", "gw": "192.0.2.1"}, {"dst": "203.0.113.9/24", "gw": "192.0.2.2"}]}`)
		res, _, err := testutils.CmdAdd(cmdArgs(conf, ""), cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		cur, err := current.NewResultFromResult(res)
		Expect(err).NotTo(HaveOccurred())
		var dsts []string
		for _, r := range cur.Routes {
			dsts = append(dsts, r.Dst.String())
		}
		Expect(dsts).To(Equal([]string{"198.51.100.7/24", "198.51.100.7/24", "203.0.113.0/24", "203.0.113.9/24"}))
		cur.Interfaces = []*current.Interface{{Name: "net1"}}
		for _, ipc := range cur.IPs {
			ipc.Interface = current.Int(0)
		}

		target := testutils.NewNSForSpec()
		var v4 string
		err = target.Do(func(ns.NetNS) error {
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
			return ipam.CheckIface("net1", cur)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(v4).To(Equal("198.51.100.0/24 via 192.0.2.1 dev net1\n" +
			"203.0.113.0/24 nexthop via 192.0.2.1 dev net1 weight 1 nexthop via 192.0.2.2 dev net1 weight 1"))
	})
})
