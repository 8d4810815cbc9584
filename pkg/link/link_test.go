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

package link_test

import (
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("ResolveMTU", func() {
	DescribeTable("resolves against the master",
		func(requested, masterMTU, want int, wantCode uint) {
			got, err := link.ResolveMTU(requested, "eth0", masterMTU)
			if wantCode != 0 {
				Expect(err).To(HaveOccurred())
				Expect(testutils.ErrCode(err)).To(Equal(wantCode), "ResolveMTU(%d, %d) = %v", requested, masterMTU, err)
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want), "ResolveMTU(%d, %d) = %d, want %d", requested, masterMTU, got, want)
		},
		Entry("zero takes the master's", 0, 1500, 1500, uint(0)),
		Entry("smaller is kept", 1400, 1500, 1400, uint(0)),
		Entry("equal is kept", 9000, 9000, 9000, uint(0)),
		Entry("larger is code 7", 1501, 1500, 0, uint(types.ErrInvalidNetworkConfig)),
		Entry("negative is code 7", -1, 1500, 0, uint(types.ErrInvalidNetworkConfig)),
	)

	It("names the master and both values", func() {
		_, err := link.ResolveMTU(9000, "eth0", 1500)
		Expect(err).To(MatchError(ContainSubstring(`invalid mtu 9000: larger than the mtu 1500 of master "eth0"`)))
	})
})

var _ = Describe("ParseMAC", func() {
	DescribeTable("accepts unicast Ethernet addresses only",
		func(in, want string, wantErr string) {
			mac, err := link.ParseMAC(in, "config")
			if wantErr != "" {
				Expect(err).To(MatchError(ContainSubstring(wantErr)), "ParseMAC(%q)", in)
				Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			if want == "" {
				Expect(mac).To(BeNil())
				return
			}
			Expect(mac.String()).To(Equal(want), "ParseMAC(%q) = %v, want %v", in, mac, want)
		},
		Entry("empty lets the kernel choose", "", "", ""),
		Entry("lower case", "02:00:5e:10:00:01", "02:00:5e:10:00:01", ""),
		Entry("upper case is canonicalised", "02:00:5E:10:00:0A", "02:00:5e:10:00:0a", ""),
		Entry("garbage", "not-a-mac", "", `invalid mac "not-a-mac" from config`),
		Entry("multicast", "01:00:5e:00:00:01", "", "multicast address"),
		Entry("EUI-64 is too long", "02:00:5e:ff:fe:10:00:01", "", "not a 6-byte Ethernet address"),
	)
})

var _ = Describe("FindInterface", func() {
	res := &current.Result{Interfaces: []*current.Interface{
		{Name: "eth0", Sandbox: ""},
		{Name: "eth0", Sandbox: "/var/run/netns/a"},
		{Name: "net1", Sandbox: "/var/run/netns/a"},
	}}

	It("matches name and sandbox", func() {
		i, intf, err := link.FindInterface(res, "net1", "/var/run/netns/a")
		Expect(err).NotTo(HaveOccurred())
		Expect(i).To(Equal(2))
		Expect(intf.Name).To(Equal("net1"))

		i, _, err = link.FindInterface(res, "eth0", "/var/run/netns/a")
		Expect(err).NotTo(HaveOccurred())
		Expect(i).To(Equal(1))
	})

	It("fails when the interface is not there", func() {
		_, _, err := link.FindInterface(res, "net2", "/var/run/netns/a")
		Expect(err).To(MatchError(ContainSubstring("find interface net2 in sandbox /var/run/netns/a")))
	})

	It("wants a prevResult (code 7)", func() {
		_, _, err := link.FindInterface(nil, "eth0", "/x")
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
	})
})

var _ = Describe("CheckMAC", func() {
	It("compares case-insensitively", func() {
		mac, err := link.ParseMAC("02:00:5e:10:00:0a", "test")
		Expect(err).NotTo(HaveOccurred())
		Expect(link.CheckMAC("eth0", mac, "02:00:5E:10:00:0A")).To(Succeed())
		Expect(link.CheckMAC("eth0", mac, "")).To(Succeed())
		Expect(link.CheckMAC("eth0", mac, "02:00:5e:10:00:0b")).To(MatchError(
			"check mac of eth0: have 02:00:5e:10:00:0a, prevResult has 02:00:5e:10:00:0b"))
	})
})
