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

// hostileCases feed what a broken IPAM plugin, runtime or user may send:
// IPAM results that carry nothing usable, null list elements, a CNI_NETNS
// that is not a network namespace.
func hostileCases() []Case {
	fake := `{"type":"fake-ipam"}`
	var cs []Case
	for _, f := range []struct{ name, out string }{
		{"ipam-null-ip", `{"cniVersion":"1.1.0","ips":[null]}`},
		{"ipam-null-route", `{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}],"routes":[null]}`},
		{"ipam-error-object-exit-0", `{"code":7,"msg":"nope"}`},
		{"ipam-empty-object", `{}`},
		{"ipam-no-ips", `{"cniVersion":"1.1.0"}`},
	} {
		cs = append(cs, one(Case{Name: "macvlan/" + f.name, Plugins: []string{macvlanWith(fake, "")}, Setup: fakeIPAM("fake-ipam", f.out, 0)}, "1.1.0"))
	}
	cs = append(cs, one(Case{Name: "macvlan/ipam-fails", Plugins: []string{macvlanWith(fake, "")},
		Setup: fakeIPAM("fake-ipam", `{"cniVersion":"1.1.0","code":11,"msg":"try again"}`, 1)}, "1.1.0"))

	v4 := `{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}`
	hl := `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}]]}`
	cs = append(cs,
		one(Case{Name: "macvlan/check-null-ip", Plugins: []string{macvlanWith(v4, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "CHECK", Extra: map[string]any{"prevResult": map[string]any{"cniVersion": "1.1.0", "ips": []any{nil}}}}, {Verb: "DEL"},
		}}, "1.1.0"),
		one(Case{Name: "host-local/check-null-ip", Plugins: []string{ipamAlone(hl, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "CHECK", Extra: map[string]any{"prevResult": map[string]any{"cniVersion": "1.1.0", "ips": []any{nil}}}}, {Verb: "DEL"},
		}}, "1.1.0"),
		one(Case{Name: "host-local/check-missing-address", Plugins: []string{ipamAlone(hl, "")}, Steps: []Step{
			{Verb: "ADD"}, {Verb: "CHECK", Extra: map[string]any{"prevResult": map[string]any{"cniVersion": "1.1.0", "ips": []any{map[string]any{"address": "192.0.2.99/24"}}}}}, {Verb: "DEL"},
		}}, "1.1.0"),
		one(Case{Name: "static/null-address", Plugins: []string{ipamAlone(`{"type":"static","addresses":[null]}`, "")}}, "1.0.0"),
		one(Case{Name: "static/null-route", Plugins: []string{ipamAlone(`{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[null]}`, "")}}, "1.0.0"),
		one(Case{Name: "host-local/null-range", Plugins: []string{ipamAlone(`{"type":"host-local","dataDir":"{{dataDir}}","ranges":[null]}`, "")}}, "1.0.0"),
		one(Case{Name: "macvlan/netns-not-netns", Plugins: []string{macvlanWith(hl, "")}, Setup: writeFile("notns", ""),
			Steps: []Step{{Verb: "ADD", NetNS: "{{dir}}/notns"}, {Verb: "DEL", NetNS: "{{dir}}/notns"}}}, "1.0.0"),
		one(Case{Name: "macvlan/netns-missing", Plugins: []string{macvlanWith(hl, "")},
			Steps: []Step{{Verb: "ADD", NetNS: "{{dir}}/nosuch"}, {Verb: "DEL", NetNS: "{{dir}}/nosuch"}}}, "1.0.0"),
		one(Case{Name: "loopback/netns-missing", Plugins: []string{`{"type":"loopback"}`},
			Steps: []Step{{Verb: "ADD", NetNS: "{{dir}}/nosuch"}, {Verb: "DEL", NetNS: "{{dir}}/nosuch"}}}, "1.0.0"),
	)

	// Runtime-style inputs on link plugins.
	cri := "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=ctr-1;K8S_POD_UID=0f0e"
	cs = append(cs, perVersion(Case{Name: "macvlan-host-local/cri-args", Plugins: []string{macvlanWith(hl, "")}, CNIArgs: cri})...)
	cs = append(cs,
		one(Case{Name: "macvlan/default-master", Plugins: []string{`{"type":"macvlan","ipam":` + v4 + `}`}, Setup: hostDefaultRoute}, "1.0.0"),
		one(Case{Name: "macvlan/err-no-master-no-default", Plugins: []string{`{"type":"macvlan","ipam":` + v4 + `}`}}, "1.0.0"),
		one(Case{Name: "macvlan/ipv6-duplicate-address", Plugins: []string{macvlanWith(`{"type":"static","addresses":[{"address":"2001:db8::10/64"}]}`, "")},
			Setup: hostPeerAddress("2001:db8::10/64")}, "1.0.0"),
		one(Case{Name: "macvlan/mtu-zero", Plugins: []string{macvlanWith(v4, `"mtu":0`)}}, "1.0.0"),
		one(Case{Name: "macvlan-host-local/gc", Plugins: []string{macvlanWith(hl, "")}, Steps: []Step{
			{Label: "ADD1", Verb: "ADD"}, {Label: "ADD2", Verb: "ADD", ContainerID: "ctr-2", IfName: "net1"},
			{Verb: "GC", Extra: map[string]any{"cni.dev/valid-attachments": []any{map[string]any{"containerID": "ctr-1", "ifname": "eth0"}}}},
			{Verb: "STATUS"},
		}}, "1.1.0"),
	)
	return cs
}
