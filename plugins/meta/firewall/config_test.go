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
	"net"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("config", func() {
	DescribeTable("loadConf refuses what ADD cannot do, with code 7 naming the field and value",
		func(conf, wantMsg string) {
			_, _, err := loadConf([]byte(conf))
			if wantMsg == "" {
				Expect(err).NotTo(HaveOccurred())
				return
			}
			Expect(err).To(HaveOccurred())
			Expect(testutils.ErrCode(err)).To(BeEquivalentTo(7))
			Expect(err.Error()).To(ContainSubstring(wantMsg))
		},
		Entry("defaults", `{"cniVersion":"1.0.0","name":"n","type":"firewall"}`, ""),
		Entry("every field", `{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"iptables","iptablesAdminChainName":"A","firewalldZone":"z","ingressPolicy":"isolated"}`, ""),
		Entry("firewalld", `{"cniVersion":"0.4.0","name":"n","type":"firewall","backend":"firewalld"}`, ""),
		Entry("unknown backend", `{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"nft"}`, `unknown backend "nft"`),
		Entry("unknown policy", `{"cniVersion":"1.0.0","name":"n","type":"firewall","ingressPolicy":"bogus"}`, `unknown ingressPolicy "bogus"`),
	)

	res := func(ifaces ...*current.Interface) *current.Result {
		return &current.Result{
			Interfaces: ifaces,
			IPs: []*current.IPConfig{
				nil,
				{Address: net.IPNet{IP: net.ParseIP("192.0.2.5"), Mask: net.CIDRMask(24, 32)}},
				{Address: net.IPNet{IP: net.ParseIP("2001:db8::5"), Mask: net.CIDRMask(64, 128)}},
				{Address: net.IPNet{IP: net.ParseIP("192.0.2.5"), Mask: net.CIDRMask(24, 32)}},
			},
		}
	}
	bridge := &current.Interface{Name: "cni0"}
	cont := &current.Interface{Name: "eth0", Sandbox: "/run/netns/c1"}

	It("takes every address of the result once, as a host prefix, skipping nulls", func() {
		a, err := (&NetConf{}).attachmentOf(res(cont))
		Expect(err).NotTo(HaveOccurred())
		var got []string
		for _, ip := range a.ips {
			got = append(got, ip.String())
		}
		Expect(got).To(Equal([]string{"192.0.2.5/32", "2001:db8::5/128"}))
		Expect(a.adminChain).To(Equal("CNI-ADMIN"))
		Expect(a.zone).To(Equal("trusted"))
		Expect(a.policy).To(Equal("open"))
	})

	DescribeTable("the bridge of an ingress policy is the result's first interface",
		func(policy string, ifaces []*current.Interface, want, wantMsg string) {
			a, err := (&NetConf{IngressPolicy: policy}).attachmentOf(res(ifaces...))
			if wantMsg != "" {
				Expect(err).To(HaveOccurred())
				Expect(testutils.ErrCode(err)).To(BeEquivalentTo(7))
				Expect(err.Error()).To(ContainSubstring(wantMsg))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(a.bridge).To(Equal(want))
		},
		Entry("bridge first", policySameBridge, []*current.Interface{bridge, {Name: "veth1"}, cont}, "cni0", ""),
		Entry("ptp's host veth first", policyIsolated, []*current.Interface{{Name: "veth9"}, cont}, "veth9", ""),
		Entry("open needs none", policyOpen, nil, "", ""),
		Entry("no interfaces", policySameBridge, nil, "", `ingressPolicy "same-bridge" needs the bridge`),
		Entry("null first", policySameBridge, []*current.Interface{nil, bridge}, "", `which has none`),
		Entry("container interface first", policyIsolated, []*current.Interface{cont}, "", `not "eth0" in the container's namespace`),
	)

	It("drops traffic between ports of an isolated bridge before sending the rest to stage 2", func() {
		Expect(stage1Rules("br0", policyIsolated)).To(Equal([][]string{
			{"-i", "br0", "-o", "br0", "-m", "comment", "--comment", "CNI firewall plugin rules (ingressPolicy: isolated)", "-j", "DROP"},
			{"-i", "br0", "!", "-o", "br0", "-m", "comment", "--comment", "CNI firewall plugin rules (ingressPolicy: isolated)", "-j", "CNI-ISOLATION-STAGE-2"},
		}))
		Expect(stage1Rules("br0", policySameBridge)).To(Equal([][]string{
			{"-i", "br0", "!", "-o", "br0", "-m", "comment", "--comment", "CNI firewall plugin rules (ingressPolicy: same-bridge)", "-j", "CNI-ISOLATION-STAGE-2"},
		}))
	})
})
