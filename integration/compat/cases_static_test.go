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

// staticIPAM are static ipam objects covering each field of its README.
var staticIPAM = []struct{ name, ipam string }{
	{"v4", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}`},
	{"v4-gateway", `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[{"dst":"0.0.0.0/0"}]}`},
	{"v6-gateway", `{"type":"static","addresses":[{"address":"2001:db8::10/64","gateway":"2001:db8::1"}],"routes":[{"dst":"::/0"}]}`},
	{"dual", `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8:0:1::10/64","gateway":"2001:db8:0:1::1"}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"},{"dst":"198.51.100.0/24","gw":"192.0.2.254","mtu":1400}]}`},
	{"route-fields", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1","mtu":1400,"advmss":1360,"priority":100},{"dst":"203.0.113.0/24","gw":"192.0.2.1","table":100},{"dst":"203.0.113.128/25","scope":253}]}`},
	{"dns", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"dns":{"nameservers":["192.0.2.53","2001:db8::53"],"domain":"example.com","search":["example.com","example.org"],"options":["ndots:2"]}}`},
	{"two-v4", `{"type":"static","addresses":[{"address":"192.0.2.10/24"},{"address":"198.51.100.10/24"}]}`},
	{"primary-backup", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1","priority":100},{"dst":"0.0.0.0/0","gw":"192.0.2.2","priority":200}]}`},
	{"ecmp-v4", `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.2"}]}`},
	{"ecmp-v6", `{"type":"static","addresses":[{"address":"2001:db8::10/64"}],"routes":[{"dst":"2001:db8:1::/64","gw":"2001:db8::1"},{"dst":"2001:db8:1::/64","gw":"2001:db8::2"}]}`},
	{"dst-host-bits", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.7/24","gw":"192.0.2.1"}]}`},
	{"dup-route", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1"},{"dst":"198.51.100.0/24","gw":"192.0.2.1"}]}`},
	{"mapped-v4", `{"type":"static","addresses":[{"address":"::ffff:192.0.2.10/120"}]}`},
	{"routes-only", `{"type":"static","routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1"}]}`},
}

// staticErrors are static configs that ADD refuses.
var staticErrors = []struct{ name, ipam, args string }{
	{"bad-address", `{"type":"static","addresses":[{"address":"192.0.2.300/24"}]}`, ""},
	{"no-prefix", `{"type":"static","addresses":[{"address":"192.0.2.10"}]}`, ""},
	{"bad-gateway", `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"router"}]}`, ""},
	{"gateway-family", `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"2001:db8::1"}]}`, ""},
	{"route-no-dst", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"gw":"192.0.2.1"}]}`, ""},
	{"route-bad-dst", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.0"}]}`, ""},
	{"route-gw-family", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"0.0.0.0/0","gw":"2001:db8::1"}]}`, ""},
	{"mtu-negative", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1","mtu":-1}]}`, ""},
	{"scope-256", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.0/24","scope":256}]}`, ""},
	{"address-string-type", `{"type":"static","addresses":"192.0.2.10/24"}`, ""},
	{"no-ipam-addresses", `{"type":"static"}`, ""},
	{"cni-args-unknown", `{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}`, "FOO=bar"},
	{"cni-args-bad-ip", `{"type":"static"}`, "IP=192.0.2.10"},
}

func staticCases() []Case {
	var cs []Case
	// Directly, as the interface plugin would call it: the result JSON
	// exactly as the IPAM plugin prints it.
	for _, b := range staticIPAM {
		cs = append(cs, perVersion(Case{Name: "static/" + b.name, Plugins: []string{ipamAlone(b.ipam, "")}})...)
	}
	// Through macvlan: the kernel state.
	for _, b := range staticIPAM {
		if b.name == "routes-only" {
			continue
		}
		cs = append(cs, one(Case{Name: "macvlan-static/" + b.name, Plugins: []string{macvlanWith(b.ipam, "")}}, "1.0.0"))
	}
	for _, b := range []string{"dual", "route-fields", "ecmp-v4"} {
		for _, v := range []string{"0.3.1", "0.4.0", "1.1.0"} {
			for _, s := range staticIPAM {
				if s.name == b {
					cs = append(cs, one(Case{Name: "macvlan-static/" + b, Plugins: []string{macvlanWith(s.ipam, "")}}, v))
				}
			}
		}
	}
	for _, e := range staticErrors {
		cs = append(cs, one(Case{Name: "static/err-" + e.name, Plugins: []string{ipamAlone(e.ipam, "")}, CNIArgs: e.args}, "1.0.0"))
	}
	for _, e := range staticErrors[:9] {
		cs = append(cs, one(Case{Name: "macvlan-static/err-" + e.name, Plugins: []string{macvlanWith(e.ipam, "")}, CNIArgs: e.args}, "1.1.0"))
	}
	// Runtime inputs: CNI_ARGS, args, runtimeConfig.
	v4 := `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}]}`
	none := `{"type":"static","routes":[{"dst":"0.0.0.0/0"}]}`
	cs = append(cs,
		one(Case{Name: "static/cni-args-ip", Plugins: []string{ipamAlone(none, "")}, CNIArgs: "IP=192.0.2.20/24"}, "1.0.0"),
		one(Case{Name: "static/cni-args-ip-gateway", Plugins: []string{ipamAlone(none, "")}, CNIArgs: "IP=192.0.2.20/24,2001:db8::20/64;GATEWAY=192.0.2.1,2001:db8::1"}, "1.0.0"),
		one(Case{Name: "static/cni-args-adds", Plugins: []string{ipamAlone(v4, "")}, CNIArgs: "IP=198.51.100.20/24"}, "1.0.0"),
		one(Case{Name: "static/cni-args-ignore-unknown", Plugins: []string{ipamAlone(v4, "")}, CNIArgs: "IgnoreUnknown=1;K8S_POD_NAME=web;IP=192.0.2.20/24"}, "1.0.0"),
		one(Case{Name: "static/args-ips", Plugins: []string{ipamAlone(v4, `"args":{"cni":{"ips":["203.0.113.10/24"]}}`)}}, "1.0.0"),
		one(Case{Name: "static/runtime-ips", Plugins: []string{ipamAlone(v4, `"capabilities":{"ips":true},"runtimeConfig":{"ips":["203.0.113.10/24","2001:db8:203::10/64"]}`)}}, "1.0.0"),
		one(Case{Name: "static/runtime-over-args", Plugins: []string{ipamAlone(v4, `"runtimeConfig":{"ips":["203.0.113.10/24"]},"args":{"cni":{"ips":["198.51.100.10/24"]}}`)}}, "1.1.0"),
		one(Case{Name: "static/runtime-ips-bad", Plugins: []string{ipamAlone(v4, `"runtimeConfig":{"ips":["203.0.113.10"]}`)}}, "1.0.0"),
		one(Case{Name: "macvlan-static/cni-args-ip", Plugins: []string{macvlanWith(none, "")}, CNIArgs: "IgnoreUnknown=1;IP=192.0.2.20/24;GATEWAY=192.0.2.1"}, "1.0.0"),
	)
	// CHECK with a prevResult that lacks the address.
	cs = append(cs, one(Case{
		Name:    "static/check-missing-address",
		Plugins: []string{ipamAlone(v4, "")},
		Steps: []Step{{Verb: "ADD"}, {Verb: "CHECK", Extra: map[string]any{"prevResult": map[string]any{
			"cniVersion": "1.0.0", "ips": []any{map[string]any{"address": "198.51.100.10/24"}}}}}},
	}, "1.0.0"))
	cs = append(cs, one(Case{
		Name:    "static/check-no-prevresult",
		Plugins: []string{ipamAlone(v4, "")},
		Steps:   []Step{{Verb: "CHECK"}},
	}, "1.0.0"))
	return cs
}
