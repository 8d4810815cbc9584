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

	"github.com/containernetworking/cni/pkg/types"
	"github.com/insomniacslk/dhcp/dhcpv4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// ack builds an ACK for 192.0.2.10/24 with the given options.
func ack(opts ...dhcpv4.Option) *dhcpv4.DHCPv4 {
	GinkgoHelper()
	mods := []dhcpv4.Modifier{
		dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.ParseIP("192.0.2.10")),
		dhcpv4.WithOption(dhcpv4.OptSubnetMask(net.CIDRMask(24, 32))),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.ParseIP("192.0.2.1"))),
	}
	for _, o := range opts {
		mods = append(mods, dhcpv4.WithOption(o))
	}
	m, err := dhcpv4.New(mods...)
	Expect(err).NotTo(HaveOccurred())
	return m
}

func cidr(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	Expect(err).NotTo(HaveOccurred())
	return n
}

func routeStrings(rs []*types.Route) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Dst.String()+" via "+r.GW.String())
	}
	return out
}

var _ = Describe("buildRoutes", func() {
	router := dhcpv4.OptRouter(net.ParseIP("192.0.2.1"), net.ParseIP("192.0.2.254"))
	static33 := dhcpv4.OptGeneric(dhcpv4.OptionStaticRoutingTable, []byte{198, 51, 100, 7, 192, 0, 2, 5, 10, 1, 2, 3, 192, 0, 2, 6})
	classless := dhcpv4.OptClasslessStaticRoute(
		&dhcpv4.Route{Dest: cidr("203.0.113.0/24"), Router: net.ParseIP("192.0.2.2")},
		&dhcpv4.Route{Dest: cidr("203.0.113.0/24"), Router: net.ParseIP("192.0.2.3")},
		&dhcpv4.Route{Dest: cidr("0.0.0.0/0"), Router: net.ParseIP("192.0.2.4")},
		&dhcpv4.Route{Dest: cidr("198.51.100.0/25"), Router: net.IPv4zero},
	)
	DescribeTable("routes of an ACK",
		func(opts []dhcpv4.Option, want []string) {
			Expect(routeStrings(buildRoutes(ack(opts...)))).To(Equal(want))
		},
		Entry("router only: default via the first router (order of preference)",
			[]dhcpv4.Option{router}, []string{"0.0.0.0/0 via 192.0.2.1"}),
		Entry("option 33: classful destinations, then the default route",
			[]dhcpv4.Option{router, static33},
			[]string{"198.51.100.0/24 via 192.0.2.5", "10.0.0.0/8 via 192.0.2.6", "0.0.0.0/0 via 192.0.2.1"}),
		Entry("option 121 overrides 3 and 33 (RFC 3442); one destination, two routers; on-link left out",
			[]dhcpv4.Option{router, static33, classless},
			[]string{"203.0.113.0/24 via 192.0.2.2", "203.0.113.0/24 via 192.0.2.3", "0.0.0.0/0 via 192.0.2.4"}),
		Entry("nothing", nil, []string{}),
	)

	It("builds the result: address, mask, first router as gateway, DNS", func() {
		res, err := buildResult(ack(router, dhcpv4.OptDNS(net.ParseIP("192.0.2.53")), dhcpv4.OptDomainName("example.test")))
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IPs).To(HaveLen(1))
		Expect(res.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
		Expect(res.IPs[0].Gateway.String()).To(Equal("192.0.2.1"))
		Expect(res.DNS.Nameservers).To(Equal([]string{"192.0.2.53"}))
		Expect(res.DNS.Domain).To(Equal("example.test"))
	})

	It("refuses an ACK without an address", func() {
		m, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck))
		Expect(err).NotTo(HaveOccurred())
		_, err = buildResult(m)
		Expect(err).To(MatchError(ContainSubstring("no address")))
	})
})

var _ = Describe("options", func() {
	DescribeTable("optionCode",
		func(in string, want uint8, wantErr string) {
			got, err := optionCode(in)
			if wantErr != "" {
				Expect(err).To(MatchError(ContainSubstring(wantErr)), "optionCode(%q)", in)
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want), "optionCode(%q)", in)
		},
		Entry("name", "host-name", uint8(12), ""),
		Entry("name, any case", "Classless-Static-Routes", uint8(121), ""),
		Entry("code", "60", uint8(60), ""),
		Entry("pad", "0", uint8(0), "out of range"),
		Entry("end", "255", uint8(0), "out of range"),
		Entry("unknown name", "hostname", uint8(0), `unknown option "hostname"`),
	)

	It("requests the defaults plus the requested options", func() {
		o, err := parseOptions(&IPAMConfig{Request: []*RequestOption{nil, {Option: "ntp-servers"}, {Option: "routers"}}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(o.request).To(Equal([]uint8{1, 3, 6, 15, 33, 121, 42}))
	})

	It("drops the defaults with skipDefault", func() {
		o, err := parseOptions(&IPAMConfig{Request: []*RequestOption{{SkipDefault: true, Option: "subnet-mask"}}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(o.request).To(Equal([]uint8{1}))
	})

	It("provides literal values and CNI_ARGS values", func() {
		o, err := parseOptions(&IPAMConfig{Provide: []*ProvideOption{
			{Option: "host-name", FromArg: "K8S_POD_NAME"},
			{Option: "60", Value: "cni"},
			{Option: "user-class", FromArg: "ABSENT"},
		}}, "IgnoreUnknown=1;K8S_POD_NAME=web-0")
		Expect(err).NotTo(HaveOccurred())
		Expect(o.provide).To(Equal(map[uint8][]byte{12: []byte("web-0"), 60: []byte("cni")}))
	})

	DescribeTable("refuses bad options with code 7, naming the field",
		func(ipam *IPAMConfig, want string) {
			_, err := parseOptions(ipam, "")
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		},
		Entry("request", &IPAMConfig{Request: []*RequestOption{{Option: "nope"}}}, "ipam.request[0].option"),
		Entry("provide", &IPAMConfig{Provide: []*ProvideOption{{Option: "nope", Value: "x"}}}, "ipam.provide[0].option"),
		Entry("provide without a value", &IPAMConfig{Provide: []*ProvideOption{{Option: "host-name"}}}, "no value and no fromArg"),
	)
})
