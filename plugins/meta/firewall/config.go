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
	"net"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// Backends and ingress policies, spelled as in upstream's configs.
const (
	backendIPTables  = "iptables"
	backendFirewalld = "firewalld"

	policyOpen       = "open"
	policySameBridge = "same-bridge"
	policyIsolated   = "isolated"

	defaultAdminChain = "CNI-ADMIN"
	defaultZone       = "trusted"
)

// NetConf holds the plugin's own config fields; the common ones (cniVersion,
// name, type, prevResult) come from netconf.Load.
type NetConf struct {
	// Backend is "iptables" or "firewalld"; empty picks firewalld when it
	// runs on the D-Bus system bus, iptables otherwise.
	Backend string `json:"backend,omitempty"`
	// IptablesAdminChainName is the chain CNI-FORWARD jumps to first, for
	// the administrator's own rules; CNI-ADMIN when empty.
	IptablesAdminChainName string `json:"iptablesAdminChainName,omitempty"`
	// FirewalldZone is the zone the firewalld backend puts the container's
	// addresses in; "trusted" when empty.
	FirewalldZone string `json:"firewalldZone,omitempty"`
	// IngressPolicy is "open" (or empty), "same-bridge" or "isolated".
	IngressPolicy string `json:"ingressPolicy,omitempty"`
}

// attachment is what the backends act on: the container's addresses as
// host prefixes and, for an ingress policy other than open, the host-side
// interface (the bridge) the policy names.
type attachment struct {
	ips        []*net.IPNet
	bridge     string
	policy     string
	adminChain string
	zone       string
}

// loadConf decodes and validates the config.
func loadConf(stdin []byte) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(stdin, conf)
	if err != nil {
		return nil, nil, err
	}
	if err := conf.validate(); err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// validate checks the fields ADD and CHECK use.
func (c *NetConf) validate() error {
	switch c.Backend {
	case "", backendIPTables, backendFirewalld:
	default:
		return netconf.Invalid("unknown backend %q: want %q or %q", c.Backend, backendIPTables, backendFirewalld)
	}
	switch c.IngressPolicy {
	case "", policyOpen, policySameBridge, policyIsolated:
	default:
		return netconf.Invalid("unknown ingressPolicy %q: want %q, %q or %q",
			c.IngressPolicy, policyOpen, policySameBridge, policyIsolated)
	}
	return nil
}

// policy returns the ingress policy, open when unset.
func (c *NetConf) policy() string {
	if c.IngressPolicy == "" {
		return policyOpen
	}
	return c.IngressPolicy
}

// attachmentOf returns what the backends act on for the result res. Every
// address of the result counts, whichever interface it is on, as upstream.
// An ingress policy other than open names the first interface of the
// result, which the bridge plugin lists first: rules for it are made in the
// host's namespace, so an interface in the container's namespace there
// (macvlan, ipvlan) is refused: the rules would isolate whatever host
// interface happens to have its name.
func (c *NetConf) attachmentOf(res *current.Result) (*attachment, error) {
	a := &attachment{
		policy:     c.policy(),
		adminChain: c.IptablesAdminChainName,
		zone:       c.FirewalldZone,
	}
	if a.adminChain == "" {
		a.adminChain = defaultAdminChain
	}
	if a.zone == "" {
		a.zone = defaultZone
	}
	a.ips = resultIPs(res)
	if a.policy == policyOpen {
		return a, nil
	}
	var first *current.Interface
	if len(res.Interfaces) > 0 {
		first = res.Interfaces[0]
	}
	if first == nil || first.Name == "" {
		return nil, netconf.Invalid("ingressPolicy %q needs the bridge as the first interface of prevResult, which has none: chain firewall after the bridge plugin", a.policy)
	}
	if first.Sandbox != "" {
		return nil, netconf.Invalid("ingressPolicy %q needs the bridge as the first interface of prevResult, not %q in the container's namespace %q: chain firewall after the bridge plugin",
			a.policy, first.Name, first.Sandbox)
	}
	a.bridge = first.Name
	return a, nil
}

// resultIPs returns the addresses of res as host prefixes, without
// duplicates, in the order of the result; null entries are skipped.
func resultIPs(res *current.Result) []*net.IPNet {
	var out []*net.IPNet
	seen := map[string]bool{}
	for _, ipc := range res.IPs {
		if ipc == nil || ipc.Address.IP == nil {
			continue
		}
		p := ipaddr.HostPrefix(ipc.Address.IP)
		if p == nil || seen[p.String()] {
			continue
		}
		seen[p.String()] = true
		out = append(out, p)
	}
	return out
}
