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
	"errors"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// addrText renders addresses as "cidr" or "cidr gw ip", for comparisons.
func addrText(addrs []Address) []string {
	out := []string{}
	for _, a := range addrs {
		s := a.Address.String()
		if a.Gateway != nil {
			s += " gw " + a.Gateway.String()
		}
		out = append(out, s)
	}
	return out
}

// routeText renders routes as their JSON form, which names every field.
func routeText(routes []*types.Route) []string {
	out := []string{}
	for _, r := range routes {
		b, err := r.MarshalJSON()
		Expect(err).NotTo(HaveOccurred())
		out = append(out, string(b))
	}
	return out
}

const twoAddrs = `{"type": "static", "addresses": [
	{"address": "192.0.2.10/24", "gateway": "192.0.2.1"},
	{"address": "2001:db8::10/64", "gateway": "2001:db8::1"}]}`

var _ = Describe("address sources and precedence", func() {
	DescribeTable("loadConfig",
		func(stdin []byte, cniArgs string, want []string) {
			conf, err := loadConfig(stdin, cniArgs)
			Expect(err).NotTo(HaveOccurred())
			Expect(addrText(conf.Addresses)).To(Equal(want))
		},
		Entry("configured addresses, host part and gateways kept",
			netConf("1.1.0", twoAddrs), "",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1"}),
		Entry("no addresses at all (routes or DNS only) on 1.x",
			netConf("1.1.0", `{"type": "static"}`), "", []string{}),
		Entry("an IPv4-mapped address becomes plain IPv4",
			netConf("1.1.0", `{"addresses": [{"address": "::ffff:192.0.2.10/120", "gateway": "::ffff:192.0.2.1"}]}`), "",
			[]string{"192.0.2.10/24 gw 192.0.2.1"}),
		Entry("CNI_ARGS IP appends to the configured addresses",
			netConf("1.1.0", twoAddrs), "IP=198.51.100.5/24",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1", "198.51.100.5/24"}),
		Entry("CNI_ARGS IP alone, a comma list with spaces",
			netConf("1.1.0", `{"type": "static"}`), "IP=198.51.100.5/24, 2001:db8:1::5/64",
			[]string{"198.51.100.5/24", "2001:db8:1::5/64"}),
		Entry("CNI_ARGS GATEWAY sets the gateway of the CNI_ARGS address holding it",
			netConf("1.1.0", `{"type": "static"}`), "IP=198.51.100.5/24;GATEWAY=198.51.100.1",
			[]string{"198.51.100.5/24 gw 198.51.100.1"}),
		Entry("CNI_ARGS GATEWAY overrides a configured gateway in its subnet only",
			netConf("1.1.0", twoAddrs), "GATEWAY=192.0.2.254",
			[]string{"192.0.2.10/24 gw 192.0.2.254", "2001:db8::10/64 gw 2001:db8::1"}),
		Entry("CNI_ARGS GATEWAY with one gateway per family",
			netConf("1.1.0", `{"type": "static"}`), "IP=198.51.100.5/24,2001:db8:1::5/64;GATEWAY=198.51.100.1,2001:db8:1::1",
			[]string{"198.51.100.5/24 gw 198.51.100.1", "2001:db8:1::5/64 gw 2001:db8:1::1"}),
		Entry("CNI_ARGS GATEWAY in no address's subnet is ignored",
			netConf("1.1.0", twoAddrs), "GATEWAY=203.0.113.1",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1"}),
		Entry("unknown CNI_ARGS keys are ignored with IgnoreUnknown=1",
			netConf("1.1.0", twoAddrs), "IgnoreUnknown=1;K8S_POD_NAME=web;IP=198.51.100.5/24",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1", "198.51.100.5/24"}),
		Entry("IgnoreUnknown=true works like 1",
			netConf("1.1.0", twoAddrs), "IgnoreUnknown=true;K8S_POD_NAME=web",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1"}),
		Entry("args.cni.ips replaces configured and CNI_ARGS addresses, gateways included",
			netConf("1.1.0", twoAddrs, `"args": {"cni": {"ips": ["203.0.113.7/24", "2001:db8:2::7/64"]}}`),
			"IP=198.51.100.5/24;GATEWAY=198.51.100.1",
			[]string{"203.0.113.7/24", "2001:db8:2::7/64"}),
		Entry("an empty args.cni.ips list replaces nothing",
			netConf("1.1.0", twoAddrs, `"args": {"cni": {"ips": []}}`), "",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1"}),
		Entry("runtimeConfig.ips replaces configured addresses",
			netConf("1.1.0", twoAddrs, `"runtimeConfig": {"ips": ["203.0.113.9/28"]}`), "",
			[]string{"203.0.113.9/28"}),
		Entry("runtimeConfig.ips wins over args.cni.ips and CNI_ARGS",
			netConf("1.1.0", twoAddrs,
				`"args": {"cni": {"ips": ["203.0.113.7/24"]}}`,
				`"capabilities": {"ips": true}`,
				`"runtimeConfig": {"ips": ["198.51.100.9/25", "2001:db8:3::9/64"]}`),
			"IP=192.0.2.99/24",
			[]string{"198.51.100.9/25", "2001:db8:3::9/64"}),
		Entry("an empty runtimeConfig.ips list replaces nothing",
			netConf("1.1.0", twoAddrs, `"args": {"cni": {"ips": ["203.0.113.7/24"]}}`, `"runtimeConfig": {"ips": []}`), "",
			[]string{"203.0.113.7/24"}),
		Entry("a bare CNI_ARGS IP takes the prefix length of the configured address whose subnet holds it",
			netConf("1.1.0", twoAddrs), "IP=192.0.2.20,2001:db8::20",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1", "192.0.2.20/24", "2001:db8::20/64"}),
		Entry("a bare runtimeConfig.ips address (podman's --ip) takes its subnet's prefix length",
			netConf("1.1.0", twoAddrs, `"runtimeConfig": {"ips": ["192.0.2.20", "2001:db8::20/48"]}`), "",
			[]string{"192.0.2.20/24", "2001:db8::20/48"}),
		Entry("a bare args.cni.ips address likewise",
			netConf("1.1.0", twoAddrs, `"args": {"cni": {"ips": ["::ffff:192.0.2.21"]}}`), "",
			[]string{"192.0.2.21/24"}),
		Entry("two configured addresses in one subnet are one subnet",
			netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}]}`,
				`"runtimeConfig": {"ips": ["192.0.2.22"]}`), "",
			[]string{"192.0.2.22/24"}),
		Entry("0.2.0 with one address per family",
			netConf("0.2.0", twoAddrs), "",
			[]string{"192.0.2.10/24 gw 192.0.2.1", "2001:db8::10/64 gw 2001:db8::1"}),
		Entry("0.2.0: runtimeConfig.ips brings the count back to one per family",
			netConf("0.2.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}]}`,
				`"runtimeConfig": {"ips": ["192.0.2.12/24"]}`), "",
			[]string{"192.0.2.12/24"}),
		Entry("a missing cniVersion means 0.1.0",
			[]byte(`{"name": "n", "ipam": {"addresses": [{"address": "192.0.2.10/24"}]}}`), "",
			[]string{"192.0.2.10/24"}),
	)

	It("keeps the config's cniVersion, DNS and prevResult", func() {
		conf, err := loadConfig(netConf("0.4.0",
			`{"addresses": [{"address": "192.0.2.10/24"}], "dns": {"nameservers": ["192.0.2.53"], "domain": "example.com", "search": ["example.com"], "options": ["ndots:2"]}}`,
			`"prevResult": {"cniVersion": "0.4.0", "ips": [{"version": "4", "address": "192.0.2.10/24"}]}`), "")
		Expect(err).NotTo(HaveOccurred())
		Expect(conf.CNIVersion).To(Equal("0.4.0"))
		Expect(conf.DNS).To(Equal(types.DNS{
			Nameservers: []string{"192.0.2.53"}, Domain: "example.com",
			Search: []string{"example.com"}, Options: []string{"ndots:2"},
		}))
		Expect(conf.PrevResult).NotTo(BeNil())
		Expect(conf.PrevResult.IPs).To(HaveLen(1))
	})
})

var _ = Describe("routes", func() {
	DescribeTable("loadConfig",
		func(routes string, want []string) {
			conf, err := loadConfig(netConf("1.1.0", `{"routes": `+routes+`}`), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(routeText(conf.Routes)).To(Equal(want))
		},
		Entry("every field of the spec's route is kept",
			`[{"dst": "192.0.2.0/24", "gw": "198.51.100.1", "mtu": 1400, "advmss": 1360, "priority": 100, "table": 200, "scope": 0}]`,
			[]string{`{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1400,"advmss":1360,"priority":100,"table":200,"scope":0}`}),
		Entry("a route without gateway (device route) with link scope",
			`[{"dst": "203.0.113.0/24", "scope": 253}]`,
			[]string{`{"dst":"203.0.113.0/24","scope":253}`}),
		Entry("a destination with host bits is echoed as written, as upstream does (the planner masks it for the kernel)",
			`[{"dst": "192.0.2.7/24"}, {"dst": "2001:db8::7/64"}]`,
			[]string{`{"dst":"192.0.2.7/24"}`, `{"dst":"2001:db8::7/64"}`}),
		Entry("same destination through several gateways stays one route per gateway, in order",
			`[{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "::/0", "gw": "2001:db8::1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.2"}, {"dst": "::/0", "gw": "2001:db8::2"}]`,
			[]string{`{"dst":"0.0.0.0/0","gw":"192.0.2.1"}`, `{"dst":"::/0","gw":"2001:db8::1"}`,
				`{"dst":"0.0.0.0/0","gw":"192.0.2.2"}`, `{"dst":"::/0","gw":"2001:db8::2"}`}),
		Entry("exact duplicates are kept, as upstream does (the planner merges them)",
			`[{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.1", "priority": 10}, {"dst": "0.0.0.0/0", "gw": "192.0.2.1", "table": 0}, {"dst": "0.0.0.0/0", "gw": "192.0.2.1", "table": 0}]`,
			[]string{`{"dst":"0.0.0.0/0","gw":"192.0.2.1"}`, `{"dst":"0.0.0.0/0","gw":"192.0.2.1"}`, `{"dst":"0.0.0.0/0","gw":"192.0.2.1","priority":10}`,
				`{"dst":"0.0.0.0/0","gw":"192.0.2.1","table":0}`, `{"dst":"0.0.0.0/0","gw":"192.0.2.1","table":0}`}),
		Entry("the largest 32-bit values are accepted",
			`[{"dst": "192.0.2.0/24", "mtu": 4294967295, "advmss": 4294967295, "priority": 4294967295, "table": 4294967295, "scope": 255}]`,
			[]string{`{"dst":"192.0.2.0/24","mtu":4294967295,"advmss":4294967295,"priority":4294967295,"table":4294967295,"scope":255}`}),
	)
})

var _ = Describe("validation errors", func() {
	DescribeTable("loadConfig",
		func(stdin []byte, cniArgs string, code uint, msg string) {
			conf, err := loadConfig(stdin, cniArgs)
			Expect(conf).To(BeNil())
			var e *types.Error
			Expect(errors.As(err, &e)).To(BeTrue(), "error %v is not a *types.Error", err)
			Expect(e.Code).To(Equal(code), "message %q", e.Msg)
			if code == types.ErrDecodingFailure {
				// The rest of the message is encoding/json's wording.
				Expect(e.Msg).To(HavePrefix(msg))
			} else {
				Expect(e.Msg).To(Equal(msg))
			}
		},
		Entry("undecodable JSON", []byte(`{"cniVersion": "1.1.0", "name": "x",`), "",
			types.ErrDecodingFailure, "decode network config: "),
		Entry("addresses of the wrong JSON type", netConf("1.1.0", `{"addresses": "192.0.2.10/24"}`), "",
			types.ErrDecodingFailure, "decode network config: "),
		Entry("a non-integer mtu", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "mtu": 1.5}]}`), "",
			types.ErrDecodingFailure, "decode network config: "),
		Entry("missing ipam", netConf("1.1.0", ""), "",
			types.ErrInvalidNetworkConfig, `missing ipam: the network config has no "ipam" object`),
		Entry("ipam null", netConf("1.1.0", "null"), "",
			types.ErrInvalidNetworkConfig, `missing ipam: the network config has no "ipam" object`),
		Entry("unsupported cniVersion", netConf("9.9.9", `{}`), "",
			types.ErrIncompatibleCNIVersion, "unsupported cniVersion \"9.9.9\": static supports 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"),
		Entry("malformed cniVersion", netConf("one", `{}`), "",
			types.ErrInvalidNetworkConfig, `invalid cniVersion "one": failed to convert major version part "one": strconv.Atoi: parsing "one": invalid syntax`),
		Entry("address with an invalid IP", netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.300/24"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[1].address "192.0.2.300/24": not a CIDR`),
		Entry("address without prefix length", netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].address "192.0.2.10": not a CIDR`),
		Entry("empty address", netConf("1.1.0", `{"addresses": [{"gateway": "192.0.2.1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].address "": not a CIDR`),
		Entry("prefix length too long", netConf("1.1.0", `{"addresses": [{"address": "2001:db8::10/129"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].address "2001:db8::10/129": not a CIDR`),
		Entry("gateway not an IP", netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24", "gateway": "router"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].gateway "router": not an IP`),
		Entry("IPv6 gateway for an IPv4 address", netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24", "gateway": "2001:db8::1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].gateway "2001:db8::1": IPv6 gateway for IPv4 address 192.0.2.10/24`),
		Entry("IPv4 gateway for an IPv6 address", netConf("1.1.0", `{"addresses": [{"address": "2001:db8::10/64", "gateway": "192.0.2.1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].gateway "192.0.2.1": IPv4 gateway for IPv6 address 2001:db8::10/64`),
		Entry("route without dst", netConf("1.1.0", `{"routes": [{"gw": "192.0.2.1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].dst "": missing, a route needs a destination CIDR`),
		Entry("route dst not a CIDR", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0"}, {"dst": "198.51.100.0"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[1].dst "198.51.100.0": not a CIDR`),
		Entry("route gw not an IP", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.256"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].gw "192.0.2.256": not an IP`),
		Entry("IPv6 route gw for an IPv4 dst", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "gw": "2001:db8::1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].gw "2001:db8::1": IPv6 gateway for IPv4 destination 0.0.0.0/0`),
		Entry("IPv4 route gw for an IPv6 dst", netConf("1.1.0", `{"routes": [{"dst": "::/0", "gw": "192.0.2.1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].gw "192.0.2.1": IPv4 gateway for IPv6 destination ::/0`),
		Entry("negative mtu", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "mtu": -1}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].mtu -1: must be in 0..4294967295`),
		Entry("negative advmss", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "advmss": -1460}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].advmss -1460: must be in 0..4294967295`),
		Entry("negative priority", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0"}, {"dst": "0.0.0.0/0", "priority": -5}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[1].priority -5: must be in 0..4294967295`),
		Entry("priority above 32 bits", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "priority": 4294967296}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].priority 4294967296: must be in 0..4294967295`),
		Entry("negative table", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "table": -1}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].table -1: must be in 0..4294967295`),
		Entry("table above 32 bits", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "table": 4294967296}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].table 4294967296: must be in 0..4294967295`),
		Entry("negative scope", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "scope": -1}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].scope -1: must be in 0..255`),
		Entry("scope above 255", netConf("1.1.0", `{"routes": [{"dst": "0.0.0.0/0", "scope": 256}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.routes[0].scope 256: must be in 0..255`),
		Entry("CNI_ARGS IP bare and in no configured subnet", netConf("1.1.0", twoAddrs), "IP=198.51.100.5/24,198.51.100.6",
			types.ErrInvalidNetworkConfig, `invalid CNI_ARGS IP "198.51.100.6": not a CIDR, and in the subnet of no configured address; write it with its prefix length ("198.51.100.6/<length>")`),
		Entry("CNI_ARGS IP not an address", netConf("1.1.0", twoAddrs), "IP=198.51.100.300",
			types.ErrInvalidNetworkConfig, `invalid CNI_ARGS IP "198.51.100.300": not a CIDR`),
		Entry("a bare address in the subnets of several configured addresses",
			netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.130/25"}]}`,
				`"runtimeConfig": {"ips": ["192.0.2.140"]}`), "",
			types.ErrInvalidNetworkConfig, `invalid runtimeConfig.ips[0] "192.0.2.140": not a CIDR, and in the subnets of several configured addresses; write it with the prefix length of one: "192.0.2.140/24" or "192.0.2.140/25"`),
		Entry("CNI_ARGS GATEWAY not an IP", netConf("1.1.0", `{}`), "IP=198.51.100.5/24;GATEWAY=gw",
			types.ErrInvalidNetworkConfig, `invalid CNI_ARGS GATEWAY "gw": not an IP`),
		Entry("unknown CNI_ARGS key without IgnoreUnknown", netConf("1.1.0", `{}`), "K8S_POD_NAME=web",
			types.ErrInvalidNetworkConfig, `invalid CNI_ARGS "K8S_POD_NAME=web": ARGS: unknown args ["K8S_POD_NAME=web"]`),
		Entry("unknown CNI_ARGS key with IgnoreUnknown=0", netConf("1.1.0", `{}`), "IgnoreUnknown=0;FOO=bar",
			types.ErrInvalidNetworkConfig, `invalid CNI_ARGS "IgnoreUnknown=0;FOO=bar": ARGS: unknown args ["FOO=bar"]`),
		Entry("CNI_ARGS pair without =", netConf("1.1.0", `{}`), "IP",
			types.ErrInvalidNetworkConfig, `invalid CNI_ARGS "IP": ARGS: invalid pair "IP"`),
		Entry("args.cni.ips entry not a CIDR", netConf("1.1.0", `{}`, `"args": {"cni": {"ips": ["203.0.113.7/24", "203.0.113.8"]}}`), "",
			types.ErrInvalidNetworkConfig, `invalid args.cni.ips[1] "203.0.113.8": not a CIDR, and in the subnet of no configured address; write it with its prefix length ("203.0.113.8/<length>")`),
		Entry("runtimeConfig.ips entry not a CIDR", netConf("1.1.0", `{}`, `"runtimeConfig": {"ips": ["2001:db8::zz/64"]}`), "",
			types.ErrInvalidNetworkConfig, `invalid runtimeConfig.ips[0] "2001:db8::zz/64": not a CIDR`),
		Entry("a bad configured address fails even when runtimeConfig.ips replaces it",
			netConf("1.1.0", `{"addresses": [{"address": "bad"}]}`, `"runtimeConfig": {"ips": ["203.0.113.9/24"]}`), "",
			types.ErrInvalidNetworkConfig, `invalid ipam.addresses[0].address "bad": not a CIDR`),
		Entry("0.2.0 with two IPv4 addresses",
			netConf("0.2.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid addresses for cniVersion "0.2.0": 2 IPv4 addresses (192.0.2.10/24, 192.0.2.11/24); versions below 0.3.0 allow one per family`),
		Entry("0.1.0 with two IPv6 addresses, one from CNI_ARGS",
			netConf("0.1.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "2001:db8::10/64"}]}`), "IP=2001:db8::11/64",
			types.ErrInvalidNetworkConfig, `invalid addresses for cniVersion "0.1.0": 2 IPv6 addresses (2001:db8::10/64, 2001:db8::11/64); versions below 0.3.0 allow one per family`),
		Entry("0.2.0 with two IPv4 addresses from args.cni.ips",
			netConf("0.2.0", `{}`, `"args": {"cni": {"ips": ["203.0.113.7/24", "203.0.113.8/24"]}}`), "",
			types.ErrInvalidNetworkConfig, `invalid addresses for cniVersion "0.2.0": 2 IPv4 addresses (203.0.113.7/24, 203.0.113.8/24); versions below 0.3.0 allow one per family`),
		Entry("0.2.0 without any address",
			netConf("0.2.0", `{"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}`), "",
			types.ErrInvalidNetworkConfig, `invalid addresses for cniVersion "0.2.0": none; versions below 0.3.0 need at least one`),
	)
})
