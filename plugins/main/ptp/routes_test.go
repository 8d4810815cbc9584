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
	"errors"
	"net"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/testutils"
)

func mustResult(s string) *current.Result {
	GinkgoHelper()
	res := &current.Result{}
	Expect(json.Unmarshal([]byte(s), res)).To(Succeed())
	return res
}

// planText renders the plan of routes as pkg/ipam prints route groups.
func planText(routes []*types.Route, ips []*current.IPConfig) []string {
	GinkgoHelper()
	groups, err := ipam.PlanRoutes(&current.Result{IPs: ips, Routes: routes})
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, g := range groups {
		out = append(out, g.String())
	}
	return out
}

var _ = Describe("routes", func() {
	res := mustResult(`{"cniVersion":"1.0.0",
		"ips":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"192.0.2.11/24","gateway":"192.0.2.2"},
		       {"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"},{"address":"203.0.113.5/32","gateway":"203.0.113.1"}],
		"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.2"},{"dst":"::/0"},null,
		          {"dst":"198.51.100.0/24","gw":"192.0.2.3"}]}`)

	It("puts the gateways on-link, routes each subnet through its gateway, then the IPAM routes", func() {
		onLink, rest := containerRoutes(res)
		Expect(planText(onLink, nil)).To(Equal([]string{
			"192.0.2.1/32 scope link", "192.0.2.2/32 scope link", "2001:db8:1::1/128 metric 1024", "203.0.113.1/32 scope link",
			"192.0.2.3/32 scope link",
		}))
		Expect(planText(rest, res.IPs)).To(Equal([]string{
			"192.0.2.0/24 nexthop via 192.0.2.1 nexthop via 192.0.2.2",
			"2001:db8:1::/64 via 2001:db8:1::1 metric 1024",
			"default nexthop via 192.0.2.1 nexthop via 192.0.2.2",
			"default via 2001:db8:1::1 metric 1024",
			"198.51.100.0/24 via 192.0.2.3",
		}))
	})

	It("routes the host to each container address", func() {
		Expect(planText(hostRoutes(res), nil)).To(Equal([]string{
			"192.0.2.10/32 scope host", "192.0.2.11/32 scope host", "2001:db8:1::10/128 metric 1024", "203.0.113.5/32 scope host",
		}))
		var gws []string
		for _, gw := range gateways(res) {
			gws = append(gws, gw.String())
		}
		Expect(gws).To(Equal([]string{"192.0.2.1", "192.0.2.2", "2001:db8:1::1", "203.0.113.1"}))
	})

	DescribeTable("results ptp cannot route",
		func(s, wantMsg string) {
			err := checkIPs(mustResult(s))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
			Expect(err).To(MatchError(ContainSubstring(wantMsg)))
		},
		Entry("no address", `{"cniVersion":"1.0.0"}`, "IPAM result has no IP address"),
		Entry("a null address", `{"cniVersion":"1.0.0","ips":[null]}`, "null IP entry"),
		Entry("no gateway", `{"cniVersion":"1.0.0","ips":[{"address":"192.0.2.10/24"}]}`, "IP 192.0.2.10/24 has no gateway"),
		Entry("a gateway of the other family", `{"cniVersion":"1.0.0","ips":[{"address":"192.0.2.10/24","gateway":"2001:db8::1"}]}`,
			"gateway 2001:db8::1 is of the other family"),
	)

	DescribeTable("invalid configs",
		func(stdin string, wantCode uint, wantMsg string) {
			_, _, err := loadConf([]byte(stdin))
			Expect(testutils.ErrCode(err)).To(Equal(wantCode), "error %v", err)
			Expect(err).To(MatchError(ContainSubstring(wantMsg)))
		},
		Entry("negative mtu", `{"cniVersion":"1.0.0","name":"n","type":"ptp","mtu":-1,"ipam":{"type":"static"}}`,
			uint(types.ErrInvalidNetworkConfig), "invalid mtu -1"),
		Entry("unknown masquerade backend", `{"cniVersion":"1.0.0","name":"n","type":"ptp","ipMasqBackend":"pf","ipam":{"type":"static"}}`,
			uint(types.ErrInvalidNetworkConfig), `invalid ipMasqBackend "pf"`),
		Entry("no IPAM", `{"cniVersion":"1.0.0","name":"n","type":"ptp"}`,
			uint(types.ErrInvalidNetworkConfig), "ipam: type is missing"),
		Entry("undecodable", `{"cniVersion":"1.0.0","name":"n","type":"ptp","mtu":"big"}`,
			uint(types.ErrDecodingFailure), "decode network config"),
	)
})

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	Expect(err).NotTo(HaveOccurred())
	return n
}

func mustIP(s string) net.IP { return net.ParseIP(s) }

func errorsJoin(errs ...error) error { return errors.Join(errs...) }
