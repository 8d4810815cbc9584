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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

// errorCode returns the code of the error object a failed run printed.
func errorCode(r run) float64 {
	var e struct {
		Code float64 `json:"code"`
	}
	_ = json.Unmarshal(r.stdout, &e)
	return e.Code
}

var _ = Describe("compared with upstream's static "+upstream.Release, func() {
	var theirs string
	BeforeEach(func() {
		theirs = upstream.RequireBin("static")
	})

	const addrs = `"addresses": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64"}]`

	// Each case runs through both binaries; the exit status and the output
	// must be the same (JSON compared by value, not layout).
	DescribeTable("ADD gives the same result",
		func(cniArgs string, stdin []byte) {
			ours, up := runStatic("ADD", cniArgs, stdin), runBin(theirs, "ADD", cniArgs, stdin)
			Expect(ours.exitCode).To(Equal(up.exitCode), "ours %s, upstream %s", ours.stdout, up.stdout)
			if up.exitCode != 0 {
				return // codes and wording: Documentation/compatibility.md
			}
			Expect(ours.stdout).To(MatchJSON(up.stdout))
		},
		Entry("addresses, gateways and DNS", "", netConf("1.1.0", `{`+addrs+`,
			"dns": {"nameservers": ["192.0.2.53"], "domain": "example.test", "search": ["a.test", "b.test"], "options": ["ndots:2"]}}`)),
		Entry("a route dst with host bits is echoed as written", "",
			netConf("1.1.0", `{`+addrs+`, "routes": [{"dst": "198.51.100.7/24", "gw": "192.0.2.1"}, {"dst": "2001:db8:1::7/48"}]}`)),
		Entry("exact duplicate routes stay", "",
			netConf("1.1.0", `{`+addrs+`, "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0"}]}`)),
		Entry("every route field", "",
			netConf("1.1.0", `{`+addrs+`, "routes": [{"dst": "203.0.113.0/24", "gw": "192.0.2.254", "mtu": 1400, "advmss": 1360, "priority": 100, "table": 100, "scope": 0}]}`)),
		Entry("ECMP routes in config order", "",
			netConf("1.1.0", `{`+addrs+`, "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "::/0", "gw": "2001:db8::1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.2"}]}`)),
		Entry("CNI_ARGS IP and GATEWAY", "IP=198.51.100.5/24;GATEWAY=198.51.100.1", netConf("1.1.0", `{`+addrs+`}`)),
		Entry("args.cni.ips replaces the addresses", "", netConf("1.1.0", `{`+addrs+`}`, `"args": {"cni": {"ips": ["203.0.113.7/24"]}}`)),
		Entry("runtimeConfig.ips replaces the addresses", "", netConf("1.1.0", `{`+addrs+`}`, `"runtimeConfig": {"ips": ["203.0.113.9/28"]}`)),
		Entry("spec 0.4.0", "", netConf("0.4.0", `{`+addrs+`, "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}`)),
		Entry("spec 0.2.0", "", netConf("0.2.0", `{`+addrs+`, "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}`)),
		Entry("an address that is not a CIDR fails", "", netConf("1.1.0", `{"addresses": [{"address": "192.0.2.300/24"}]}`)),
	)

	DescribeTable("CHECK exits as upstream's does",
		func(prev string) {
			stdin := netConf("1.1.0", `{`+addrs+`}`)
			if prev != "" {
				stdin = netConf("1.1.0", `{`+addrs+`}`, `"prevResult": {"cniVersion": "1.1.0", "ips": `+prev+`}`)
			}
			ours, up := runStatic("CHECK", "", stdin), runBin(theirs, "CHECK", "", stdin)
			Expect(ours.exitCode).To(Equal(up.exitCode), "ours %s, upstream %s", ours.stdout, up.stdout)
			if up.exitCode != 0 {
				Expect(errorCode(ours)).NotTo(BeZero(), "ours printed an error object: %s", ours.stdout)
			}
		},
		Entry("no prevResult: both fail", ""),
		Entry("every address, gateways matching", `[{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64"}]`),
		Entry("another gateway: both fail", `[{"address": "192.0.2.10/24", "gateway": "192.0.2.9"}, {"address": "2001:db8::10/64"}]`),
		Entry("the gateway missing: both fail", `[{"address": "192.0.2.10/24"}, {"address": "2001:db8::10/64"}]`),
		Entry("a gateway where the config has none", `[{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64", "gateway": "2001:db8::1"}]`),
		Entry("another prefix length and another plugin's address", `[{"address": "192.0.2.10/25", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64"}, {"address": "203.0.113.5/24"}]`),
	)

	It("CHECK of an address missing from prevResult: upstream passes, ours fails (Documentation/compatibility.md)", func() {
		stdin := netConf("1.1.0", `{`+addrs+`}`, `"prevResult": {"cniVersion": "1.1.0", "ips": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}]}`)
		Expect(runBin(theirs, "CHECK", "", stdin).exitCode).To(BeZero())
		ours := runStatic("CHECK", "", stdin)
		Expect(ours.exitCode).NotTo(BeZero())
		Expect(ours.stdout).To(MatchJSON(`{"code": 999, "msg": "check address 2001:db8::10/64: missing from prevResult"}`))
	})

	It("a bare requested address: upstream refuses it, ours takes its subnet's prefix length (issue 18)", func() {
		stdin := netConf("1.1.0", `{`+addrs+`}`, `"runtimeConfig": {"ips": ["192.0.2.20"]}`)
		Expect(runBin(theirs, "ADD", "", stdin).exitCode).NotTo(BeZero())
		ours := runStatic("ADD", "", stdin)
		Expect(ours.exitCode).To(BeZero(), "stdout %s", ours.stdout)
		Expect(ours.stdout).To(MatchJSON(`{"cniVersion": "1.1.0", "ips": [{"address": "192.0.2.20/24"}]}`))
	})
})
