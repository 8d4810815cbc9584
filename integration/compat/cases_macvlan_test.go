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

const macvlanIPAM = `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8::10/64"}],"routes":[{"dst":"0.0.0.0/0"}]}`

func macvlanCases() []Case {
	var cs []Case
	for _, m := range []string{"bridge", "private", "vepa", "passthru"} {
		cs = append(cs, one(Case{Name: "macvlan/mode-" + m, Plugins: []string{macvlanWith(macvlanIPAM, fmt.Sprintf(`"mode":%q`, m))}}, "1.0.0"))
	}
	cs = append(cs, perVersion(Case{Name: "macvlan/mtu", Plugins: []string{macvlanWith(macvlanIPAM, `"mtu":1400`)}})...)
	cs = append(cs,
		one(Case{Name: "macvlan/mac", Plugins: []string{macvlanWith(macvlanIPAM, `"mac":"02:00:00:00:00:10"`)}}, "1.0.0"),
		one(Case{Name: "macvlan/runtime-mac", Plugins: []string{macvlanWith(macvlanIPAM, `"mac":"02:00:00:00:00:10","capabilities":{"mac":true},"runtimeConfig":{"mac":"02:00:00:00:00:11"}`)}}, "1.0.0"),
		one(Case{Name: "macvlan/args-mac", Plugins: []string{macvlanWith(macvlanIPAM, `"args":{"cni":{"mac":"02:00:00:00:00:12"}}`)}}, "1.0.0"),
		one(Case{Name: "macvlan/cni-args-mac", Plugins: []string{macvlanWith(macvlanIPAM, "")}, CNIArgs: "IgnoreUnknown=1;MAC=02:00:00:00:00:13"}, "1.0.0"),
		one(Case{Name: "macvlan/runtime-mac-over-bad-mac", Plugins: []string{macvlanWith(macvlanIPAM, `"mac":"zz","runtimeConfig":{"mac":"02:00:00:00:00:11"}`)}}, "1.0.0"),
		one(Case{Name: "macvlan/bcqueuelen", Plugins: []string{macvlanWith(macvlanIPAM, `"bcqueuelen":100`)}}, "1.1.0"),
		one(Case{Name: "macvlan/dns", Plugins: []string{macvlanWith(macvlanIPAM, `"dns":{"nameservers":["192.0.2.53"],"search":["example.com"]}`)}}, "1.0.0"),
		one(Case{Name: "macvlan/ipam-dns-kept", Plugins: []string{macvlanWith(`{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"dns":{"nameservers":["192.0.2.53"]}}`, "")}}, "1.0.0"),
		one(Case{Name: "macvlan/no-ipam", Plugins: []string{`{"type":"macvlan","master":"eth1"}`}}, "1.0.0"),
		one(Case{Name: "macvlan/ifname-net1", Plugins: []string{macvlanWith(macvlanIPAM, "")}, IfName: "net1"}, "1.0.0"),
		one(Case{Name: "macvlan/link-in-container", Plugins: []string{macvlanWith(macvlanIPAM, `"master":"cmaster","linkInContainer":true`)},
			Setup: func(s *Side) error { return s.containerVeth("cmaster") }}, "1.0.0"),
		one(Case{Name: "macvlan/err-missing-master", Plugins: []string{macvlanWith(macvlanIPAM, `"master":"nosuch0"`)}}, "1.0.0"),
		one(Case{Name: "macvlan/err-mode", Plugins: []string{macvlanWith(macvlanIPAM, `"mode":"bogus"`)}}, "1.0.0"),
		one(Case{Name: "macvlan/err-mtu-above-master", Plugins: []string{macvlanWith(macvlanIPAM, `"mtu":9000`)}}, "1.0.0"),
		one(Case{Name: "macvlan/err-mac", Plugins: []string{macvlanWith(macvlanIPAM, `"mac":"zz"`)}}, "1.0.0"),
		one(Case{Name: "macvlan/err-multicast-mac", Plugins: []string{macvlanWith(macvlanIPAM, `"mac":"01:00:5e:00:00:01"`)}}, "1.0.0"),
		one(Case{Name: "macvlan/err-ipam-missing-plugin", Plugins: []string{macvlanWith(`{"type":"nosuch-ipam"}`, "")}}, "1.0.0"),
		one(Case{Name: "macvlan/err-ecmp-mtu-conflict", Plugins: []string{macvlanWith(`{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1","mtu":1400},{"dst":"0.0.0.0/0","gw":"192.0.2.2","mtu":1300}]}`, "")}}, "1.0.0"),
		one(Case{Name: "macvlan/err-ifname-template", Plugins: []string{macvlanWith(macvlanIPAM, "")}, IfName: "eth%d"}, "1.0.0"),
		one(Case{Name: "macvlan/err-bad-json", Plugins: []string{`{"type":"macvlan","master":"eth1","mtu":"big"}`}}, "1.0.0"),
	)
	// DEL of an edited config: the runtime's DEL must succeed.
	hl := `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}]]}`
	for _, e := range []struct{ name, extra string }{
		{"mode", `"mode":"bogus"`}, {"mtu", `"mtu":-1`}, {"mac", `"mac":"zz"`},
		{"runtime-mac", `"runtimeConfig":{"mac":"zz"}`}, {"args-mac", `"args":{"cni":{"mac":"zz"}}`},
	} {
		cs = append(cs, one(Case{Name: "macvlan/del-edited-" + e.name, Plugins: []string{macvlanWith(hl, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "DEL", Plugins: []string{macvlanWith(hl, e.extra)}},
		}}, "1.0.0"))
	}
	// Chained: the macvlan result passed on to loopback-free CHECK with
	// broken prevResults.
	cs = append(cs,
		one(Case{Name: "macvlan/check-null-interface", Plugins: []string{macvlanWith(macvlanIPAM, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "CHECK", Extra: map[string]any{"prevResult": map[string]any{"cniVersion": "1.0.0", "interfaces": []any{nil}}}}, {Verb: "DEL"},
		}}, "1.0.0"),
		one(Case{Name: "macvlan/check-no-prevresult", Plugins: []string{macvlanWith(macvlanIPAM, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "CHECK", NoPrevResult: true}, {Verb: "DEL"},
		}}, "1.0.0"),
		one(Case{Name: "macvlan/del-no-netns", Plugins: []string{macvlanWith(hl, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "DEL", NoNetNS: true, NoPrevResult: true}, {Label: "DEL-again", Verb: "DEL"},
		}}, "1.0.0"),
		one(Case{Name: "macvlan/chain-loopback", Plugins: []string{macvlanWith(macvlanIPAM, ""), `{"type":"loopback"}`}}, "1.0.0"),
	)
	return cs
}
