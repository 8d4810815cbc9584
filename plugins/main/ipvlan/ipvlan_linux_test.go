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
	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

var plugin = linktest.Plugin{
	Type: "ipvlan", Add: cmdAdd, Check: cmdCheck, Del: cmdDel, GC: cmdGC, Status: cmdStatus,
}

// newFixture skips on kernels without ipvlan (this workplace's), with the
// marker the VM runner fails on, so the specs run in the VM.
func newFixture() *linktest.Fixture { return linktest.NewFixture(plugin, "ipvlan") }

const master = linktest.MasterName

var _ = Describe("ipvlan, as every link plugin", func() {
	linktest.CommonSpecs(newFixture)
})

// twoInterfaces is a prevResult that names two interfaces.
var twoInterfaces = map[string]any{
	"cniVersion": "1.1.0",
	"interfaces": []map[string]any{{"name": master}, {"name": "veth1"}},
	"ips":        []map[string]any{{"address": "192.0.2.20/24", "interface": 0}},
}

// refused are the configs only ipvlan's ADD refuses.
var refused = []linktest.Refused{
	{Name: "l4 mode", Fields: map[string]any{"mode": "l4"},
		Code: uint(types.ErrInvalidNetworkConfig), Msg: `invalid mode "l4"`},
	{Name: "chained without master after two interfaces", Fields: map[string]any{"master": "", "prevResult": twoInterfaces},
		Code: uint(types.ErrInvalidNetworkConfig), Msg: "want exactly one interface, prevResult has 2"},
	{Name: "chained after a prevResult with a null ips element", NoIPAM: true,
		Fields: map[string]any{"prevResult": map[string]any{"cniVersion": "1.1.0", "interfaces": []map[string]any{{"name": master}}, "ips": []any{nil}}},
		Code:   uint(types.ErrInvalidNetworkConfig), Msg: "prevResult: ips[0] is null"},
}

var _ = Describe("ipvlan DEL of configs its ADD refuses", func() {
	linktest.RefusedSpecs(newFixture, refused)
})

var _ = Describe("ipvlan", func() {
	var f *linktest.Fixture
	BeforeEach(func() { f = newFixture() })

	DescribeTable("every mode",
		func(mode string, want netlink.IPVlanMode) {
			args := f.Args(f.Conf("1.1.0", map[string]any{
				"master": master, "mode": mode, "ipam": linktest.StaticIPAM(linktest.V4Addr, nil),
			}), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.ContLink().(*netlink.IPVlan).Mode).To(Equal(want))
			Expect(f.Check(linktest.WithPrev(args, res))).To(Succeed())

			other := "l3"
			if mode == "l3" {
				other = "l2"
			}
			wrong := f.Args(f.Conf("1.1.0", map[string]any{
				"master": master, "mode": other, "ipam": linktest.StaticIPAM(linktest.V4Addr, nil),
			}), "")
			Expect(f.Check(linktest.WithPrev(wrong, res))).To(MatchError(ContainSubstring("check link eth0: mode is " + mode + ", want " + other)))
			Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		},
		Entry("l2", "l2", netlink.IPVLAN_MODE_L2),
		Entry("l3", "l3", netlink.IPVLAN_MODE_L3),
		Entry("l3s", "l3s", netlink.IPVLAN_MODE_L3S),
	)

	It("takes the addresses, routes and DNS of the previous result when chained without ipam", func() {
		stdin := f.Conf("1.1.0", map[string]any{
			"master": master,
			"prevResult": map[string]any{
				"cniVersion": "1.1.0",
				"interfaces": []map[string]any{{"name": "veth0"}},
				"ips":        []map[string]any{{"address": "192.0.2.20/24", "gateway": "192.0.2.1", "interface": 0}},
				"routes":     []map[string]any{{"dst": "198.51.100.0/24"}},
				"dns":        map[string]any{"nameservers": []string{"192.0.2.53"}},
			},
		})
		args := f.Args(stdin, "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		r := linktest.AsCurrent(res)
		Expect(r.Interfaces).To(HaveLen(1))
		Expect(r.Interfaces[0].Name).To(Equal("eth0"))
		Expect(r.IPs).To(HaveLen(1))
		Expect(r.IPs[0].Address.String()).To(Equal("192.0.2.20/24"))
		Expect(*r.IPs[0].Interface).To(Equal(0))
		Expect(r.DNS.Nameservers).To(Equal([]string{"192.0.2.53"}))
		Expect(f.Routes(netlink.FAMILY_V4)).To(Equal("198.51.100.0/24 via 192.0.2.1 dev eth0"))

		Expect(f.Check(linktest.WithPrev(args, res))).To(Succeed())
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		f.ContHasNoLink()
	})

	It("sits on the interface of the previous result when chained without master", func() {
		prev := map[string]any{
			"cniVersion": "1.1.0",
			"interfaces": []map[string]any{{"name": master}},
			"ips":        []map[string]any{{"address": "192.0.2.20/24", "interface": 0}},
		}
		args := f.Args(f.Conf("1.1.0", map[string]any{"prevResult": prev}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().ParentIndex).To(Equal(f.Master.Attrs().Index))
		Expect(linktest.AsCurrent(res).IPs[0].Address.String()).To(Equal("192.0.2.20/24"))
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		f.ContHasNoLink()
	})

	It("looks the interface of the previous result up in the container with linkInContainer", func() {
		var inner netlink.Link
		Expect(f.InCont(func() error {
			var err error
			inner, err = linktest.AddMaster("cmaster0", 1500)
			return err
		})).To(Succeed())
		prev := map[string]any{
			"cniVersion": "1.1.0",
			"interfaces": []map[string]any{{"name": "cmaster0", "sandbox": f.ContNS.Path()}},
			"ips":        []map[string]any{{"address": "192.0.2.21/24", "interface": 0}},
		}
		args := f.Args(f.Conf("1.1.0", map[string]any{"linkInContainer": true, "prevResult": prev}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().ParentIndex).To(Equal(inner.Attrs().Index))
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
		f.ContHasNoLink()
	})

	It("sets arp_notify on the link, as upstream", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": master, "ipam": linktest.StaticIPAM(linktest.V4Addr, nil)}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		var notify string
		Expect(f.ContNS.Do(func(ns.NetNS) (err error) {
			notify, err = sysctl.Get("net/ipv4/conf/eth0/arp_notify")
			return err
		})).To(Succeed())
		Expect(notify).To(Equal("1"))
		Expect(f.Del(linktest.WithPrev(args, res))).To(Succeed())
	})
})
