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

// tuningAfter chains tuning (with the given fields, JSON members) after
// macvlan with static addresses; tuning keeps its state files in the
// side's data directory, where the suite compares them byte for byte.
func tuningAfter(fields string) []string {
	if fields != "" {
		fields = ", " + fields
	}
	return []string{macvlanWith(macvlanIPAM, ""), fmt.Sprintf(`{"type":"tuning","dataDir":"{{dataDir}}/tuning"%s}`, fields)}
}

// tuningSysctls are the sysctls the tuning cases set, compared per link.
var tuningSysctls = []string{"ipv4/conf/%s/arp_filter", "ipv4/conf/%s/rp_filter"}

func tuningCases() []Case {
	var cs []Case
	all := `"mac":"02:00:00:00:00:20","promisc":true,"allmulti":true,"mtu":1400,"txQLen":500,"sysctl":{"net.ipv4.conf.IFNAME.arp_filter":"1","net.ipv4.conf.eth0.rp_filter":"2"}`
	cs = append(cs, perVersion(Case{Name: "tuning/all-fields", Plugins: tuningAfter(all), Sysctls: tuningSysctls})...)
	for _, e := range []struct{ name, fields, args string }{
		{"mac", `"mac":"02:00:00:00:00:21"`, ""},
		{"promisc", `"promisc":true`, ""},
		{"promisc-false", `"promisc":false`, ""},
		{"allmulti", `"allmulti":true`, ""},
		{"mtu", `"mtu":1300`, ""},
		{"txqlen", `"txQLen":0`, ""},
		{"sysctl", `"sysctl":{"net.ipv4.conf.IFNAME.arp_filter":"1"}`, ""},
		{"runtime-mac", `"mac":"02:00:00:00:00:21","capabilities":{"mac":true},"runtimeConfig":{"mac":"02:00:00:00:00:22"}`, ""},
		{"args-cni", `"args":{"cni":{"mac":"02:00:00:00:00:23","mtu":1200,"promisc":true}}`, ""},
		{"cni-args-mac", "", "IgnoreUnknown=1;MAC=02:00:00:00:00:24"},
		{"err-txqlen-negative", `"txQLen":-1`, ""},
		{"err-mtu-negative", `"mtu":-1`, ""},
		{"err-mac", `"mac":"zz"`, ""},
		{"err-multicast-mac", `"mac":"01:00:5e:00:00:01"`, ""},
		{"err-sysctl-dotdot", `"sysctl":{"net.ipv4.conf.IFNAME..arp_filter":"1"}`, ""},
	} {
		cs = append(cs, one(Case{Name: "tuning/" + e.name, Plugins: tuningAfter(e.fields), CNIArgs: e.args, Sysctls: tuningSysctls}, "1.0.0"))
	}
	// tuning run on its own has no prevResult.
	cs = append(cs, one(Case{Name: "tuning/err-no-prevresult", Plugins: []string{`{"type":"tuning","dataDir":"{{dataDir}}/tuning","mtu":1400}`}}, "1.0.0"))
	// The chain a runtime builds for ptp pods: ptp, host-local, tuning.
	cs = append(cs, perVersion(Case{Name: "ptp-host-local-tuning/chain", Sysctls: tuningSysctls, Plugins: []string{
		ptpWith(ptpHL, `"mtu":1400`),
		`{"type":"tuning","dataDir":"{{dataDir}}/tuning","sysctl":{"net.ipv4.conf.IFNAME.arp_filter":"1"},"txQLen":500}`,
	}})...)
	return cs
}
