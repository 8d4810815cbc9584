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

// ipvlanCases need CONFIG_IPVLAN: they skip on kernels without it (this
// project's development hosts), and the suite does not run in the VM guest,
// so they wait for a way to run upstream's binaries there.
func ipvlanCases() []Case {
	ipam := `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8::10/64"}],"routes":[{"dst":"0.0.0.0/0"}]}`
	var cs []Case
	for _, m := range []string{"l2", "l3", "l3s"} {
		cs = append(cs, one(Case{Name: "ipvlan/mode-" + m, GuestOnly: "ipvlan",
			Plugins: []string{fmt.Sprintf(`{"type":"ipvlan","master":"eth1","mode":%q,"ipam":%s}`, m, ipam)}}, "1.0.0"))
	}
	cs = append(cs,
		one(Case{Name: "ipvlan/mtu", GuestOnly: "ipvlan", Plugins: []string{fmt.Sprintf(`{"type":"ipvlan","master":"eth1","mtu":1400,"ipam":%s}`, ipam)}}, "1.1.0"),
		one(Case{Name: "ipvlan/link-in-container", GuestOnly: "ipvlan", Plugins: []string{fmt.Sprintf(`{"type":"ipvlan","master":"cmaster","linkInContainer":true,"ipam":%s}`, ipam)},
			Setup: func(s *Side) error { return s.containerVeth("cmaster") }}, "1.0.0"),
		one(Case{Name: "ipvlan/err-missing-master", GuestOnly: "ipvlan", Plugins: []string{fmt.Sprintf(`{"type":"ipvlan","master":"nosuch0","ipam":%s}`, ipam)}}, "1.0.0"),
		one(Case{Name: "ipvlan/err-mode", GuestOnly: "ipvlan", Plugins: []string{fmt.Sprintf(`{"type":"ipvlan","master":"eth1","mode":"l4","ipam":%s}`, ipam)}}, "1.0.0"),
		one(Case{Name: "ipvlan/chained", GuestOnly: "ipvlan", Plugins: []string{fmt.Sprintf(`{"type":"macvlan","master":"eth1","ipam":%s}`, ipam), `{"type":"ipvlan","mode":"l2"}`}}, "1.0.0"),
	)
	return cs
}
