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

// bridgeHL is host-local for bridge: both families, default routes.
const bridgeHL = `{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24","gateway":"192.0.2.1"}],[{"subnet":"2001:db8:2::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}`

// bridgeWith returns a bridge plugin object on bridge cni0 with the given
// ipam object (JSON, or "" for none) and extra fields (JSON members).
func bridgeWith(ipam, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	if ipam != "" {
		extra += `, "ipam":` + ipam
	}
	return fmt.Sprintf(`{"type":"bridge","bridge":"cni0"%s}`, extra)
}

// podmanChain is the chain of podman's default network (its CNI backend's
// default conflist), with documentation prefixes and the test's own data
// directories: bridge with masquerading, portmap, firewall, tuning.
func podmanChain(bridgeExtra, firewallExtra string) []string {
	return []string{
		bridgeWith(bridgeHL, `"isGateway":true,"ipMasq":true,"hairpinMode":true`+bridgeExtra),
		`{"type":"portmap","backend":"iptables","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":8053,"containerPort":53,"protocol":"udp","hostIP":"203.0.113.2"}]}}`,
		`{"type":"firewall","backend":"iptables"` + firewallExtra + `}`,
		`{"type":"tuning","dataDir":"{{dataDir}}/tuning"}`,
	}
}

func bridgeCases() []Case {
	var cs []Case
	// Firewall refuses 0.3.x upstream (firewall-versions): the chain runs
	// at the versions podman sends.
	cs = append(cs, perVersion(Case{Name: "podman-default/chain", Plugins: podmanChain("", ""), HostRules: true}, "0.4.0", "1.0.0", "1.1.0")...)
	cs = append(cs,
		one(Case{Name: "podman-default/isolated", HostRules: true, Plugins: podmanChain("", `,"ingressPolicy":"isolated"`)}, "1.0.0"),
		one(Case{Name: "podman-default/same-bridge-admin-chain", HostRules: true, Plugins: podmanChain("", `,"ingressPolicy":"same-bridge","iptablesAdminChainName":"ADMIN"`)}, "1.0.0"),
		one(Case{Name: "podman-default/ipmasq-iptables-mtu", HostRules: true, Plugins: podmanChain(`,"ipMasqBackend":"iptables","mtu":1400`, "")}, "1.0.0"),
	)
	// portmap after rules someone else put in the nat table's built-in
	// chains: where its jumps go matters (a jump after another chain's
	// ACCEPT is never reached).
	pm := `{"type":"portmap","backend":"iptables","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}}`
	cs = append(cs, one(Case{Name: "ptp-host-local-portmap/existing-rules", HostRules: true, Setup: hostNATRules,
		Plugins: []string{ptpWith(ptpHL, ""), pm}}, "1.0.0"))
	cs = append(cs, perVersion(Case{Name: "bridge-host-local/gateway", Plugins: []string{bridgeWith(bridgeHL, `"isGateway":true`)}})...)
	cs = append(cs,
		one(Case{Name: "bridge/l2", Plugins: []string{bridgeWith("", "")}}, "1.0.0"),
		one(Case{Name: "bridge-host-local/default-gateway", Plugins: []string{bridgeWith(`{"type":"host-local","dataDir":"{{dataDir}}","ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8:2::/64"}]]}`, `"isDefaultGateway":true`)}}, "1.0.0"),
		// isDefaultGateway and the IPAM result's own default routes.
		one(Case{Name: "bridge-host-local/default-gateway-dup", Plugins: []string{bridgeWith(bridgeHL, `"isDefaultGateway":true`)}}, "1.0.0"),
		one(Case{Name: "bridge-host-local/promisc", Plugins: []string{bridgeWith(bridgeHL, `"isGateway":true,"promiscMode":true`)}}, "1.0.0"),
		one(Case{Name: "bridge-host-local/isolation", Plugins: []string{bridgeWith(bridgeHL, `"isGateway":true,"portIsolation":true`)}}, "1.0.0"),
		one(Case{Name: "bridge-host-local/force-address", Plugins: []string{bridgeWith(bridgeHL, `"isGateway":true,"forceAddress":true`)}}, "1.0.0"),
		one(Case{Name: "bridge-host-local/runtime-mac", Plugins: []string{bridgeWith(bridgeHL, `"capabilities":{"mac":true},"runtimeConfig":{"mac":"02:00:00:00:00:30"}`)}}, "1.1.0"),
		one(Case{Name: "bridge-static/ecmp", Plugins: []string{bridgeWith(`{"type":"static","addresses":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1"},{"dst":"198.51.100.0/24","gw":"192.0.2.2"}]}`, "")}}, "1.0.0"),
		one(Case{Name: "bridge/err-mtu-negative", Plugins: []string{bridgeWith(bridgeHL, `"mtu":-5`)}}, "1.0.0"),
		one(Case{Name: "bridge/err-hairpin-promisc", Plugins: []string{bridgeWith(bridgeHL, `"hairpinMode":true,"promiscMode":true`)}}, "1.0.0"),
		one(Case{Name: "bridge/string-boolean", Plugins: []string{bridgeWith(bridgeHL, `"isGateway":"true"`)}}, "1.0.0"),
	)
	return cs
}
