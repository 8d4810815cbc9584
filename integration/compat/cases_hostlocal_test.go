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

// hostLocalIPAM are host-local ipam objects covering each field of its
// README; each uses the side's own data directory.
var hostLocalIPAM = []struct{ name, ipam string }{
	{"ranges", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}]]}`},
	{"range-fields", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.100","rangeEnd":"192.0.2.199","gateway":"192.0.2.254"}]]}`},
	{"dual-stack", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8:0:1::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}`},
	{"legacy-subnet", `{"type":"host-local","dataDir":"{{dataDir}}","subnet":"198.51.100.0/24","rangeStart":"198.51.100.10","rangeEnd":"198.51.100.20","gateway":"198.51.100.1"}`},
	{"two-ranges", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/30"},{"subnet":"198.51.100.0/24","gateway":"198.51.100.254"}]]}`},
	{"routes", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"203.0.113.0/24","gw":"192.0.2.254","mtu":1400}]}`},
	{"route-fields", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}]],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1","mtu":1400,"advmss":1360,"priority":100},{"dst":"203.0.113.0/24","gw":"192.0.2.1","table":100},{"dst":"203.0.113.128/25","scope":253}]}`},
	{"resolvconf", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}]],"resolvConf":"{{dir}}/resolv.conf"}`},
	{"ecmp", `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.10","gateway":"192.0.2.1"}],[{"subnet":"2001:db8::/64","rangeStart":"2001:db8::10","gateway":"2001:db8::1"}]],"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.2"},{"dst":"::/0","gw":"2001:db8::1"},{"dst":"::/0","gw":"2001:db8::2"}]}`},
}

const resolvConf = "nameserver 192.0.2.53\nnameserver 2001:db8::53\ndomain example.com\nsearch example.com\nsearch example.org\noptions ndots:2 timeout:1\n"

func hostLocalCases() []Case {
	var cs []Case
	setup := writeFile("resolv.conf", resolvConf)
	for _, b := range hostLocalIPAM {
		cs = append(cs, perVersion(Case{Name: "host-local/" + b.name, Plugins: []string{ipamAlone(b.ipam, "")}, Setup: setup})...)
	}
	for _, b := range hostLocalIPAM {
		cs = append(cs, one(Case{Name: "macvlan-host-local/" + b.name, Plugins: []string{macvlanWith(b.ipam, "")}, Setup: setup}, "1.0.0"))
	}
	r := `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`
	cs = append(cs,
		one(Case{Name: "host-local/cni-args-ip", Plugins: []string{ipamAlone(r, "")}, CNIArgs: "IP=192.0.2.50"}, "1.0.0"),
		one(Case{Name: "host-local/cni-args-ip-and-args", Plugins: []string{ipamAlone(r, `"args":{"cni":{"ips":["2001:db8::50"]}}`)}, CNIArgs: "IP=192.0.2.50"}, "1.0.0"),
		one(Case{Name: "host-local/args-ips", Plugins: []string{ipamAlone(r, `"args":{"cni":{"ips":["192.0.2.60","2001:db8::60"]}}`)}}, "1.0.0"),
		one(Case{Name: "host-local/runtime-ips", Plugins: []string{ipamAlone(r, `"runtimeConfig":{"ips":["192.0.2.70/24"]}`)}}, "1.0.0"),
		one(Case{Name: "host-local/runtime-ipranges", Plugins: []string{ipamAlone(r, `"runtimeConfig":{"ipRanges":[[{"subnet":"203.0.113.0/24"}]]}`)}}, "1.0.0"),
		one(Case{Name: "host-local/ip-prefix-differs", Plugins: []string{ipamAlone(r, "")}, CNIArgs: "IP=192.0.2.5/16"}, "1.0.0"),
		one(Case{Name: "host-local/err-ip-outside", Plugins: []string{ipamAlone(r, "")}, CNIArgs: "IP=198.51.100.5"}, "1.0.0"),
		one(Case{Name: "host-local/err-ip-gateway", Plugins: []string{ipamAlone(r, "")}, CNIArgs: "IP=192.0.2.1"}, "1.0.0"),
		one(Case{Name: "host-local/err-bad-subnet", Plugins: []string{ipamAlone(`{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.300/24"}]]}`, "")}}, "1.0.0"),
		one(Case{Name: "host-local/err-overlap", Plugins: []string{ipamAlone(`{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"192.0.2.0/25"}]]}`, "")}}, "1.0.0"),
		one(Case{Name: "host-local/err-start-outside", Plugins: []string{ipamAlone(`{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24","rangeStart":"198.51.100.1"}]]}`, "")}}, "1.0.0"),
		one(Case{Name: "host-local/err-no-ranges", Plugins: []string{ipamAlone(`{"type":"host-local","dataDir":"{{dataDir}}"}`, "")}}, "1.0.0"),
		one(Case{Name: "host-local/cri-args", Plugins: []string{ipamAlone(r, "")}, CNIArgs: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=ctr-1"}, "0.3.1"),
		one(Case{Name: "host-local/err-cni-args-unknown", Plugins: []string{ipamAlone(r, "")}, CNIArgs: "FOO=bar"}, "1.0.0"),
	)
	// Two attachments, then the exhausted /30 (one usable address after
	// the gateway), and a repeated ADD of the same attachment.
	small := `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/30"}]]}`
	cs = append(cs,
		one(Case{Name: "host-local/two-attachments", Plugins: []string{ipamAlone(r, "")}, Steps: []Step{
			{Label: "ADD1", Verb: "ADD"}, {Label: "ADD2", Verb: "ADD", ContainerID: "ctr-2"},
			{Verb: "DEL"}, {Label: "DEL-2", Verb: "DEL", ContainerID: "ctr-2"},
		}}, "1.0.0"),
		one(Case{Name: "host-local/exhausted", Plugins: []string{ipamAlone(small, "")}, Steps: []Step{
			{Label: "ADD1", Verb: "ADD"}, {Label: "ADD2", Verb: "ADD", ContainerID: "ctr-2"},
			{Verb: "STATUS"}, {Verb: "DEL"},
		}}, "1.1.0"),
		one(Case{Name: "host-local/duplicate-add", Plugins: []string{ipamAlone(r, "")}, Steps: []Step{
			{Label: "ADD1", Verb: "ADD"}, {Label: "ADD2", Verb: "ADD"}, {Verb: "DEL"},
		}}, "1.0.0"),
		one(Case{Name: "host-local/gc", Plugins: []string{ipamAlone(r, "")}, Steps: []Step{
			{Label: "ADD1", Verb: "ADD"}, {Label: "ADD2", Verb: "ADD", ContainerID: "ctr-2"},
			{Verb: "GC", Extra: map[string]any{"cni.dev/valid-attachments": []any{map[string]any{"containerID": "ctr-2", "ifname": "eth0"}}}},
		}}, "1.1.0"),
		one(Case{Name: "host-local/check-after-del", Plugins: []string{ipamAlone(r, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "DEL"}, {Verb: "CHECK"},
		}}, "1.0.0"),
	)
	return cs
}
