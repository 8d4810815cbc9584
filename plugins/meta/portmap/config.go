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
	"encoding/json"
	"net"
	"strings"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// defaultMarkBit is the bit of the packet mark that asks for masquerading
// when neither markMasqBit nor externalSetMarkChain is set (0x2000).
const defaultMarkBit = 13

// Backend names, as the config's "backend" spells them.
const (
	backendIPTables = "iptables"
	backendNFTables = "nftables"
)

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load.
type NetConf struct {
	// Backend is "iptables" (the default) or "nftables".
	Backend string `json:"backend,omitempty"`
	// SNAT masquerades hairpin and localhost connections to a mapped
	// port; nil means true.
	SNAT *bool `json:"snat,omitempty"`
	// MasqAll masquerades every connection to a mapped port, whatever
	// its source.
	MasqAll bool `json:"masqAll,omitempty"`
	// MarkMasqBit is the mark bit (0-31) that asks CNI-HOSTPORT-MASQ to
	// masquerade (iptables); nil means 13.
	MarkMasqBit *int `json:"markMasqBit,omitempty"`
	// ExternalSetMarkChain is a chain of someone else's (Kubernetes'
	// KUBE-MARK-MASQ) that marks packets for masquerading, used instead
	// of CNI-HOSTPORT-SETMARK (iptables).
	ExternalSetMarkChain *string `json:"externalSetMarkChain,omitempty"`
	// ConditionsV4 and ConditionsV6 are iptables matches added to the
	// rules that send a connection to the container's chain.
	ConditionsV4 *[]string `json:"conditionsV4,omitempty"`
	ConditionsV6 *[]string `json:"conditionsV6,omitempty"`

	RuntimeConfig struct {
		// PortMaps is the runtime's portMappings capability.
		PortMaps []*PortMapping `json:"portMappings,omitempty"`
	} `json:"runtimeConfig,omitempty"`

	mappings []PortMapping
}

// PortMapping is one element of the portMappings capability.
type PortMapping struct {
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"hostIP,omitempty"`

	hostIP net.IP
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

// validate checks the fields and normalizes the port mappings: protocol
// in lower case, hostIP parsed. Null mappings are skipped.
func (c *NetConf) validate() error {
	switch c.Backend {
	case "", backendIPTables, backendNFTables:
	default:
		return netconf.Invalid("invalid backend %q: want iptables or nftables", c.Backend)
	}
	if c.MarkMasqBit != nil && c.ExternalSetMarkChain != nil {
		return netconf.Invalid("invalid markMasqBit %d: cannot be set together with externalSetMarkChain", *c.MarkMasqBit)
	}
	if c.MarkMasqBit != nil && (*c.MarkMasqBit < 0 || *c.MarkMasqBit > 31) {
		return netconf.Invalid("invalid markMasqBit %d: must be between 0 and 31", *c.MarkMasqBit)
	}
	if c.ExternalSetMarkChain != nil && *c.ExternalSetMarkChain == "" {
		return netconf.Invalid("invalid externalSetMarkChain \"\": must name a chain")
	}
	if c.Backend == backendNFTables {
		// The conditions are iptables (or nft) match text; this plugin
		// writes nftables rules through netlink, not through the nft
		// parser, so it cannot apply them and refuses rather than
		// forwarding more than asked (Documentation/compatibility.md).
		if c.ConditionsV4 != nil && len(*c.ConditionsV4) > 0 {
			return netconf.Unsupported("conditionsV4", "not supported with the nftables backend")
		}
		if c.ConditionsV6 != nil && len(*c.ConditionsV6) > 0 {
			return netconf.Unsupported("conditionsV6", "not supported with the nftables backend")
		}
	}
	c.mappings = c.mappings[:0]
	for i, m := range c.RuntimeConfig.PortMaps {
		if m == nil {
			continue
		}
		pm := *m
		if err := pm.validate(i); err != nil {
			return err
		}
		c.mappings = append(c.mappings, pm)
	}
	return nil
}

// validate checks one port mapping, the i-th of runtimeConfig.portMappings.
func (m *PortMapping) validate(i int) error {
	if m.HostPort <= 0 || m.HostPort > 65535 {
		return netconf.Invalid("invalid runtimeConfig.portMappings[%d].hostPort %d: must be 1-65535", i, m.HostPort)
	}
	if m.ContainerPort <= 0 || m.ContainerPort > 65535 {
		return netconf.Invalid("invalid runtimeConfig.portMappings[%d].containerPort %d: must be 1-65535", i, m.ContainerPort)
	}
	m.Protocol = strings.ToLower(m.Protocol)
	switch m.Protocol {
	case "tcp", "udp", "sctp":
	default:
		return netconf.Invalid("invalid runtimeConfig.portMappings[%d].protocol %q: want tcp, udp or sctp", i, m.Protocol)
	}
	if m.HostIP != "" {
		ip := net.ParseIP(m.HostIP)
		if ip == nil {
			return netconf.Invalid("invalid runtimeConfig.portMappings[%d].hostIP %q: not an IP address", i, m.HostIP)
		}
		m.hostIP = ipaddr.Normalize(ip)
	}
	return nil
}

// backend returns the configured backend.
func (c *NetConf) backend() (backend, error) { return backendNamed(c.Backend) }

// snat reports whether hairpin and localhost connections are masqueraded.
func (c *NetConf) snat() bool { return c.SNAT == nil || *c.SNAT }

// markBit returns the mark bit that asks for masquerading.
func (c *NetConf) markBit() int {
	if c.MarkMasqBit != nil {
		return *c.MarkMasqBit
	}
	return defaultMarkBit
}

// conditions returns the extra matches for family's rules.
func (c *NetConf) conditions(v6 bool) []string {
	p := c.ConditionsV4
	if v6 {
		p = c.ConditionsV6
	}
	if p == nil {
		return nil
	}
	return *p
}

// delConf is what DEL reads of the config: everything else may be missing
// or invalid.
type delConf struct {
	Name    string `json:"name"`
	Backend string `json:"backend"`
}

// loadDelConf reads the network name and backend, leniently: an
// undecodable config gives empty values (iptables, an unnamed network).
func loadDelConf(stdin []byte) (name, backend string) {
	var d delConf
	_ = json.Unmarshal(stdin, &d)
	return d.Name, d.Backend
}

// gcConf is what GC reads of the config.
type gcConf struct {
	name    string
	backend string
	valid   map[string]bool
}

// loadGCConf reads the network name, the backend and the container IDs of
// the valid attachments.
func loadGCConf(stdin []byte) (*gcConf, error) {
	var raw struct {
		Name    string `json:"name"`
		Backend string `json:"backend"`
		Valid   []*struct {
			ContainerID string `json:"containerID"`
		} `json:"cni.dev/valid-attachments"`
	}
	if err := json.Unmarshal(stdin, &raw); err != nil {
		return nil, netconf.Undecodable("decode network config: %v", err)
	}
	g := &gcConf{name: raw.Name, backend: raw.Backend, valid: map[string]bool{}}
	for _, a := range raw.Valid {
		if a != nil {
			g.valid[a.ContainerID] = true
		}
	}
	return g, nil
}

// target is the container address of one family that the mappings lead to.
type target struct {
	ip net.IP
	// subnet is the container's subnet, the source of hairpin traffic.
	subnet *net.IPNet
}

// plan is what ADD and CHECK install or verify.
type plan struct {
	*NetConf
	name        string
	containerID string
	v4, v6      *target
}

// newPlan takes the first container address of each family from
// prevResult: addresses of interfaces in the container when prevResult
// tells, any otherwise.
func newPlan(conf *NetConf, common *netconf.Common, containerID string) *plan {
	p := &plan{NetConf: conf, name: common.Name, containerID: containerID}
	for _, ipc := range containerIPs(common.PrevResult) {
		t := &target{
			ip:     ipaddr.Normalize(ipc.Address.IP),
			subnet: ipaddr.Canonical(&ipc.Address),
		}
		switch {
		case ipaddr.Is4(t.ip) && p.v4 == nil:
			p.v4 = t
		case ipaddr.Is6(t.ip) && p.v6 == nil:
			p.v6 = t
		}
	}
	return p
}

// containerIPs returns prevResult's addresses that belong to the
// container: those whose interface has a sandbox, or names no interface.
func containerIPs(res *current.Result) []*current.IPConfig {
	var out []*current.IPConfig
	for _, ipc := range res.IPs {
		if ipc == nil || ipc.Address.IP == nil {
			continue
		}
		if ipc.Interface != nil {
			i := *ipc.Interface
			if i >= 0 && i < len(res.Interfaces) && res.Interfaces[i] != nil && res.Interfaces[i].Sandbox == "" {
				continue
			}
		}
		out = append(out, ipc)
	}
	return out
}

// mappingsFor returns the mappings that apply to a family: those without
// a hostIP and those whose hostIP is of the family.
func (p *plan) mappingsFor(v6 bool) []PortMapping {
	var out []PortMapping
	for _, m := range p.mappings {
		if m.hostIP == nil || ipaddr.Is6(m.hostIP) == v6 {
			out = append(out, m)
		}
	}
	return out
}

// targetFor returns the family's target, nil when the container has no
// address of it.
func (p *plan) targetFor(v6 bool) *target {
	if v6 {
		return p.v6
	}
	return p.v4
}

// backend installs, verifies and removes the rules of port mappings.
type backend interface {
	add(p *plan) error
	check(p *plan) error
	// del removes the container's rules; finding none is success.
	del(name, containerID string) error
	// gc removes the rules of the network's containers not in valid.
	gc(name string, valid map[string]bool) error
	status() error
}

// backendNamed returns the backend of a config's "backend" value.
func backendNamed(name string) (backend, error) {
	switch name {
	case "", backendIPTables:
		return &iptablesBackend{}, nil
	case backendNFTables:
		return &nftablesBackend{}, nil
	}
	return nil, netconf.Invalid("invalid backend %q: want iptables or nftables", name)
}
