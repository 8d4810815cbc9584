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

// crossStoreCases run one implementation's host-local after the other's on
// the same data directory: a package upgrade (upstream -> ours) or a
// downgrade (ours -> upstream) on a node with running pods.
func crossStoreCases() []Case {
	r := `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`
	podA := map[string]any{"cni.dev/valid-attachments": []any{map[string]any{"containerID": "ctr-1", "ifname": "eth0"}}}
	var cs []Case
	for _, dir := range []string{"upgrade", "downgrade"} {
		// pin sets which steps run which binaries. Upgrade: the first step
		// is upstream's on both sides, the rest each side's own, so ours is
		// compared with upstream's unchanged package. Downgrade: the first
		// step is each side's own and the rest upstream's, so an ADD of
		// ours is compared with an ADD of upstream's under upstream's later
		// verbs.
		pin := func(steps ...Step) []Step {
			for i := range steps {
				if (dir == "upgrade") == (i == 0) {
					steps[i].Impl = "upstream"
				}
			}
			return steps
		}
		cs = append(cs,
			one(Case{Name: "cross-" + dir + "/del", Plugins: []string{ipamAlone(r, "")}, Steps: pin(
				Step{Verb: "ADD"}, Step{Verb: "DEL"}, Step{Label: "DEL2", Verb: "DEL"},
			)}, "1.0.0"),
			one(Case{Name: "cross-" + dir + "/check", Plugins: []string{ipamAlone(r, "")}, Steps: pin(
				Step{Verb: "ADD"}, Step{Verb: "CHECK"},
			)}, "1.0.0"),
			one(Case{Name: "cross-" + dir + "/readd", Plugins: []string{ipamAlone(r, "")}, Steps: pin(
				Step{Label: "ADD1", Verb: "ADD"}, Step{Label: "ADD2", Verb: "ADD"},
			)}, "1.0.0"),
			one(Case{Name: "cross-" + dir + "/next-pod", Plugins: []string{ipamAlone(r, "")}, Steps: pin(
				Step{Label: "ADD1", Verb: "ADD"}, Step{Label: "ADD2", Verb: "ADD", ContainerID: "ctr-2"},
			)}, "1.0.0"),
			// The "done when": upstream ADD podA, our GC listing podA
			// as valid, our ADD of another pod asking for podA's address.
			one(Case{Name: "cross-" + dir + "/gc-then-requested-ip", Plugins: []string{ipamAlone(r, "")}, Steps: pin(
				Step{Label: "ADD1", Verb: "ADD"}, Step{Verb: "GC", Extra: podA},
				Step{Label: "ADD2", Verb: "ADD", ContainerID: "ctr-2", CNIArgs: strp("IP=192.0.2.2")},
			)}, "1.1.0"),
			one(Case{Name: "cross-" + dir + "/gc-releases", Plugins: []string{ipamAlone(r, "")}, Steps: pin(
				Step{Label: "ADD1", Verb: "ADD"}, Step{Verb: "GC", Extra: map[string]any{"cni.dev/valid-attachments": []any{}}},
			)}, "1.1.0"),
			one(Case{Name: "cross-" + dir + "/macvlan-del", Plugins: []string{macvlanWith(r, "")}, Steps: pin(
				Step{Verb: "ADD"}, Step{Verb: "CHECK"}, Step{Verb: "DEL"},
			)}, "1.0.0"),
		)
	}
	return cs
}
