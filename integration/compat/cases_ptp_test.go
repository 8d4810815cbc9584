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

package compat_test

import "fmt"

// ptpHL is host-local for ptp: both families, host-local's default gateways
// (the first address of each subnet), default routes.
const ptpHL = `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8:1::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}`

// ptpWith returns a ptp plugin object with the given ipam object and
// extra top-level fields (JSON members, may be empty).
func ptpWith(ipam, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return fmt.Sprintf(`{"type":"ptp"%s,"ipam":%s}`, extra, ipam)
}

func ptpCases() []Case {
	var cs []Case
	cs = append(cs, perVersion(Case{Name: "ptp-host-local/dual", Plugins: []string{ptpWith(ptpHL, "")}})...)
	cs = append(cs,
		one(Case{Name: "ptp-host-local/mtu", Plugins: []string{ptpWith(ptpHL, `"mtu":1400`)}}, "1.0.0"),
		one(Case{Name: "ptp-host-local/ipmasq", Plugins: []string{ptpWith(ptpHL, `"ipMasq":true`)}, HostRules: true}, "1.0.0"),
		one(Case{Name: "ptp-host-local/ipmasq-iptables", Plugins: []string{ptpWith(ptpHL, `"ipMasq":true,"ipMasqBackend":"iptables"`)}, HostRules: true}, "1.1.0"),
		one(Case{Name: "ptp-host-local/v4-only", Plugins: []string{ptpWith(`{"type":"host-local","dataDir":"{{dataDir}}","subnet":"198.51.100.0/24","routes":[{"dst":"0.0.0.0/0"}]}`, "")}}, "0.3.1"),
		one(Case{Name: "ptp-static/gateway", Plugins: []string{ptpWith(`{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[{"dst":"0.0.0.0/0"}]}`, "")}}, "1.0.0"),
		one(Case{Name: "ptp-static/slash32", Plugins: []string{ptpWith(`{"type":"static","addresses":[{"address":"192.0.2.10/32","gateway":"192.0.2.1"}],"routes":[{"dst":"0.0.0.0/0"}]}`, "")}}, "1.0.0"),
		one(Case{Name: "ptp-static/ecmp", Plugins: []string{ptpWith(`{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1"},{"dst":"198.51.100.0/24","gw":"192.0.2.2"}]}`, "")}}, "1.0.0"),
		one(Case{Name: "ptp-static/err-no-gateway", Plugins: []string{ptpWith(`{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}`, "")}}, "1.0.0"),
		one(Case{Name: "ptp/err-mtu-negative", Plugins: []string{ptpWith(ptpHL, `"mtu":-1`)}}, "1.0.0"),
		one(Case{Name: "ptp/err-masq-backend", Plugins: []string{ptpWith(ptpHL, `"ipMasq":true,"ipMasqBackend":"bogus"`)}}, "1.0.0"),
		one(Case{Name: "ptp/err-ipam-missing-plugin", Plugins: []string{ptpWith(`{"type":"nosuch-ipam"}`, "")}}, "1.0.0"),
	)
	return cs
}

// bandwidthCases chain bandwidth after ptp, whose host end it shapes. The
// tc state itself is compared by plugins/meta/bandwidth's own
// differential specs; here the result, the links (the ifb in the host
// namespace) and the exit codes.
func bandwidthCases() []Case {
	rates := `"ingressRate":8000000,"ingressBurst":80000,"egressRate":16000000,"egressBurst":160000`
	var cs []Case
	cs = append(cs, perVersion(Case{Name: "ptp-host-local-bandwidth/rates", Plugins: []string{
		ptpWith(ptpHL, ""), `{"type":"bandwidth",` + rates + `}`,
	}})...)
	cs = append(cs,
		one(Case{Name: "ptp-host-local-bandwidth/runtime-config", Plugins: []string{
			ptpWith(ptpHL, ""), `{"type":"bandwidth","capabilities":{"bandwidth":true},"runtimeConfig":{"bandwidth":{"ingressRate":8000000,"ingressBurst":80000}}}`,
		}}, "1.1.0"),
		one(Case{Name: "ptp-host-local-bandwidth/err-rate-below-8", Plugins: []string{
			ptpWith(ptpHL, ""), `{"type":"bandwidth","ingressRate":4,"ingressBurst":80000}`,
		}}, "1.0.0"),
		one(Case{Name: "bandwidth/err-no-prevresult", Plugins: []string{`{"type":"bandwidth",` + rates + `}`}}, "1.0.0"),
	)
	return cs
}
