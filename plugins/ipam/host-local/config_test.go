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
	"fmt"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// netJSON returns a network config of version ver whose "ipam" object is
// ipam and whose extra top-level keys are extra (a JSON fragment ending
// with a comma, or "").
func netJSON(ver, extra, ipam string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"net1","type":"macvlan",%s"ipam":%s}`, ver, extra, ipam))
}

// setsText renders range sets as "start-end gw" lists.
func setsText(c *Config) []string {
	var out []string
	for _, s := range c.Sets {
		var parts []string
		for _, r := range s {
			parts = append(parts, fmt.Sprintf("%s-%s gw %s", r.RangeStart, r.RangeEnd, r.Gateway))
		}
		out = append(out, strings.Join(parts, ", "))
	}
	return out
}

var _ = Describe("config", func() {
	DescribeTable("range sets",
		func(extra, ipam string, want []string) {
			c, err := loadConfig(netJSON("1.0.0", extra, ipam), "", true)
			Expect(err).NotTo(HaveOccurred())
			Expect(setsText(c)).To(Equal(want))
			Expect(c.IPAM.DataDir).To(Equal("/var/lib/cni/networks"))
		},
		Entry("legacy single-range fields",
			``, `{"type":"host-local","subnet":"192.0.2.0/24","rangeStart":"192.0.2.100","rangeEnd":"192.0.2.200","gateway":"192.0.2.254"}`,
			[]string{"192.0.2.100-192.0.2.200 gw 192.0.2.254"}),
		Entry("legacy subnet only: defaults",
			``, `{"type":"host-local","subnet":"192.0.2.0/24"}`,
			[]string{"192.0.2.1-192.0.2.254 gw 192.0.2.1"}),
		Entry("legacy range comes before ranges",
			``, `{"type":"host-local","subnet":"192.0.2.0/24","ranges":[[{"subnet":"2001:db8::/64"}]]}`,
			[]string{"192.0.2.1-192.0.2.254 gw 192.0.2.1", "2001:db8::1-2001:db8::ffff:ffff:ffff:ffff gw 2001:db8::1"}),
		Entry("dual stack with two ranges in the first set",
			``, `{"type":"host-local","ranges":[
				[{"subnet":"192.0.2.0/28"},{"subnet":"198.51.100.0/28"}],
				[{"subnet":"2001:db8::/120"}]]}`,
			[]string{"192.0.2.1-192.0.2.14 gw 192.0.2.1, 198.51.100.1-198.51.100.14 gw 198.51.100.1",
				"2001:db8::1-2001:db8::ff gw 2001:db8::1"}),
		Entry("runtimeConfig.ipRanges come before the legacy range and ranges, all kept",
			`"runtimeConfig":{"ipRanges":[[{"subnet":"203.0.113.0/24","rangeStart":"203.0.113.10"}]]},`,
			`{"type":"host-local","subnet":"192.0.2.0/24","ranges":[[{"subnet":"198.51.100.0/24"}],[{"subnet":"2001:db8::/64"}]]}`,
			[]string{"203.0.113.10-203.0.113.254 gw 203.0.113.1", "192.0.2.1-192.0.2.254 gw 192.0.2.1",
				"198.51.100.1-198.51.100.254 gw 198.51.100.1", "2001:db8::1-2001:db8::ffff:ffff:ffff:ffff gw 2001:db8::1"}),
	)

	DescribeTable("invalid configs",
		func(c refusedCase) {
			_, err := loadConfig(netJSON(c.ver, c.extra, c.ipam), c.args, true)
			Expect(testutils.ErrCode(err)).To(Equal(c.code), "error %v", err)
			Expect(err).To(MatchError(ContainSubstring(c.msg)))
		},
		refusedEntries(),
	)

	It("accepts one range set per family before 0.3.0", func() {
		_, err := loadConfig(netJSON("0.2.0", "",
			`{"type":"host-local","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`), "", true)
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("requested addresses",
		func(extra, args string, want []string) {
			c, err := loadConfig(netJSON("1.0.0", extra,
				`{"type":"host-local","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`), args, true)
			Expect(err).NotTo(HaveOccurred())
			var got []string
			for _, r := range c.Requested {
				got = append(got, r.String())
			}
			Expect(got).To(Equal(want))
		},
		Entry("none", ``, "", nil),
		Entry("CNI_ARGS IP list", ``, "IgnoreUnknown=1;K8S_POD_NAME=p;IP=192.0.2.5, 2001:db8::5",
			[]string{"192.0.2.5", "2001:db8::5"}),
		Entry("CNI_ARGS IP with prefix", ``, "IP=192.0.2.5/24", []string{"192.0.2.5"}),
		Entry("args.cni.ips and CNI_ARGS IP are both requested", `"args":{"cni":{"ips":["2001:db8::6/64"]}},`, "IP=192.0.2.5",
			[]string{"2001:db8::6", "192.0.2.5"}),
		Entry("all three sources, each address once", `"args":{"cni":{"ips":["192.0.2.6"]}},"runtimeConfig":{"ips":["2001:db8::7","192.0.2.6"]},`,
			"IP=192.0.2.6", []string{"192.0.2.6", "2001:db8::7"}),
		Entry("a prefix length other than the range's is ignored", ``, "IP=192.0.2.5/16",
			[]string{"192.0.2.5"}),
		Entry("runtimeConfig.ips, deduplicated", `"args":{"cni":{"ips":["192.0.2.6"]}},"runtimeConfig":{"ips":["192.0.2.6","2001:db8::6/64"]},`,
			"", []string{"192.0.2.6", "2001:db8::6"}),
	)

	It("does not need valid ranges for DEL and GC", func() {
		c, err := loadConfig(netJSON("1.1.0", "", `{"type":"host-local","dataDir":"/tmp/x","ranges":[[{"subnet":"192.0.2.1/24"}]]}`), "FOO=1", false)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.IPAM.DataDir).To(Equal("/tmp/x"))
	})

	It("rejects network names that would leave dataDir", func() {
		for _, name := range []string{"..", "../x", "a/b", "n\x00"} {
			quoted, _ := json.Marshal(name)
			js := fmt.Sprintf(`{"cniVersion":"1.0.0","name":%s,"ipam":{"type":"host-local","subnet":"192.0.2.0/24"}}`, quoted)
			_, err := loadConfig([]byte(js), "", false)
			Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig), "name %q: %v", name, err)
		}
	})
})

// refusedCase is a config that ADD refuses, with the error code and a part
// of the message.
type refusedCase struct {
	name, ver, extra, ipam, args string
	code                         uint
	msg                          string
}

// refusedConfigs are the configs ADD refuses; DEL must still release with
// every one of them (verbs_test.go).
var refusedConfigs = []refusedCase{
	{"not JSON", "1.0.0", "", `{`, "", types.ErrDecodingFailure, "decode network config"},
	{"no ipam", "1.0.0", "", `null`, "", types.ErrInvalidNetworkConfig, `no "ipam" object`},
	{"no ranges", "1.0.0", "", `{"type":"host-local"}`, "", types.ErrInvalidNetworkConfig, "no ranges"},
	{"overlapping range sets", "1.0.0", "",
		`{"type":"host-local","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"192.0.2.128/25"}]]}`, "",
		types.ErrInvalidNetworkConfig, "range set 1 [192.0.2.129-192.0.2.254] overlaps range set 0"},
	{"legacy range overlapping ranges", "1.0.0", "",
		`{"type":"host-local","subnet":"192.0.2.0/24","ranges":[[{"subnet":"192.0.2.0/24"}]]}`, "",
		types.ErrInvalidNetworkConfig, "overlaps"},
	{"bad range", "1.0.0", "", `{"type":"host-local","ranges":[[{"subnet":"192.0.2.1/24"}]]}`, "",
		types.ErrInvalidNetworkConfig, "invalid range set 0: invalid range: subnet 192.0.2.1/24 has host bits set"},
	{"two IPv4 range sets before 0.3.0", "0.2.0", "",
		`{"type":"host-local","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"198.51.100.0/24"}]]}`, "",
		types.ErrInvalidNetworkConfig, "cniVersion 0.2.0 supports at most one IPv4 range set"},
	{"route without dst", "1.0.0", "",
		`{"type":"host-local","subnet":"192.0.2.0/24","routes":[{"gw":"192.0.2.1"}]}`, "",
		types.ErrInvalidNetworkConfig, "invalid route 0: no dst"},
	{"route gateway of the other family", "1.0.0", "",
		`{"type":"host-local","subnet":"192.0.2.0/24","routes":[{"dst":"0.0.0.0/0","gw":"2001:db8::1"}]}`, "",
		types.ErrInvalidNetworkConfig, "gateway 2001:db8::1 is not IPv4"},
	{"bad CNI_ARGS IP", "1.0.0", "", `{"type":"host-local","subnet":"192.0.2.0/24"}`, "IP=192.0.2.300",
		types.ErrInvalidNetworkConfig, `invalid address "192.0.2.300" in CNI_ARGS IP`},
	{"unknown CNI_ARGS key", "1.0.0", "", `{"type":"host-local","subnet":"192.0.2.0/24"}`, "FOO=bar",
		types.ErrInvalidNetworkConfig, "invalid CNI_ARGS"},
	{"bad args.cni.ips", "1.0.0", `"args":{"cni":{"ips":["nope"]}},`, `{"type":"host-local","subnet":"192.0.2.0/24"}`, "",
		types.ErrInvalidNetworkConfig, `invalid address "nope" in args.cni.ips`},
	{"a null route", "1.0.0", "",
		`{"type":"host-local","subnet":"192.0.2.0/24","routes":[null]}`, "",
		types.ErrInvalidNetworkConfig, "invalid route 0: no dst"},
	{"a null range set", "1.0.0", "",
		`{"type":"host-local","ranges":[null]}`, "",
		types.ErrInvalidNetworkConfig, "invalid range set 0"},
	{"a null range", "1.0.0", "",
		`{"type":"host-local","ranges":[[null]]}`, "",
		types.ErrInvalidNetworkConfig, "invalid range set 0: invalid range: missing or malformed subnet"},
	{"a null requested address", "1.0.0", `"args":{"cni":{"ips":[null]}},`,
		`{"type":"host-local","subnet":"192.0.2.0/24"}`, "",
		types.ErrInvalidNetworkConfig, `invalid address "" in args.cni.ips`},
	{"a null runtimeConfig.ips element", "1.0.0", `"runtimeConfig":{"ips":[null]},`,
		`{"type":"host-local","subnet":"192.0.2.0/24"}`, "",
		types.ErrInvalidNetworkConfig, `invalid address "" in runtimeConfig.ips`},
	{"runtimeConfig.ipRanges overlapping a configured range", "1.0.0",
		`"runtimeConfig":{"ipRanges":[[{"subnet":"192.0.2.0/25"}]]},`,
		`{"type":"host-local","ranges":[[{"subnet":"192.0.2.0/24"}]]}`, "",
		types.ErrInvalidNetworkConfig, "range set 1 [192.0.2.1-192.0.2.254] overlaps range set 0 [192.0.2.1-192.0.2.126]"},

	{"undecodable subnet", "1.0.0", "", `{"type":"host-local","subnet":"zz"}`, "",
		types.ErrDecodingFailure, "invalid CIDR address: zz"},
	{"ranges of the wrong type", "1.0.0", "", `{"type":"host-local","ranges":"bogus"}`, "",
		types.ErrDecodingFailure, "cannot unmarshal string"},
	{"undecodable route dst", "1.0.0", "", `{"type":"host-local","subnet":"192.0.2.0/24","routes":[{"dst":"zz"}]}`, "",
		types.ErrDecodingFailure, "invalid CIDR address: zz"},
	{"bad runtimeConfig.ips", "1.0.0", `"runtimeConfig":{"ips":["zz"]},`, `{"type":"host-local","subnet":"192.0.2.0/24"}`, "",
		types.ErrInvalidNetworkConfig, `invalid address "zz" in runtimeConfig.ips`},
}

// refusedEntries returns refusedConfigs as table entries.
func refusedEntries() []TableEntry {
	out := make([]TableEntry, 0, len(refusedConfigs))
	for _, c := range refusedConfigs {
		out = append(out, Entry(c.name, c))
	}
	return out
}
