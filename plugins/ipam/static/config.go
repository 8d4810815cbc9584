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
	"fmt"
	"math"
	"net"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// Config is a validated static config: everything ADD puts in its result.
type Config struct {
	// CNIVersion is the spec version the result is printed in.
	CNIVersion string
	// Addresses after CNI_ARGS, args.cni.ips and runtimeConfig.ips have
	// been applied, in that order of precedence.
	Addresses []Address
	// Routes as configured, exact duplicates dropped, dst canonical.
	Routes []*types.Route
	DNS    types.DNS
	// PrevResult is the converted prevResult, nil when there is none.
	PrevResult *current.Result
}

// Address is one address static hands out: the host address with the
// prefix length of its subnet, and an optional gateway of the same family.
type Address struct {
	Address net.IPNet
	Gateway net.IP
}

// maxUint32 bounds the route attributes the kernel stores as 32-bit values
// (RTA_PRIORITY, RTA_TABLE, RTAX_MTU, RTAX_ADVMSS).
const maxUint32 = math.MaxUint32

// minVersionMultiAddr is the first spec version whose result carries a list
// of addresses; older results have one ip4 and one ip6 object.
const minVersionMultiAddr = "0.3.0"

// loadConfig decodes and validates the network config on stdin and applies
// the address sources in upstream's order: the configured addresses plus
// CNI_ARGS IP (with GATEWAY), replaced by args.cni.ips, replaced again by
// runtimeConfig.ips. Every error is a *types.Error.
func loadConfig(stdin []byte, cniArgs string) (*Config, error) {
	var n NetConf
	common, err := netconf.Load(stdin, &n)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(version.All.SupportedVersions(), common.CNIVersion) {
		return nil, types.NewError(types.ErrIncompatibleCNIVersion,
			fmt.Sprintf("unsupported cniVersion %q: static supports %s",
				common.CNIVersion, strings.Join(version.All.SupportedVersions(), ", ")), "")
	}
	if n.IPAM == nil {
		return nil, netconf.Invalid("missing ipam: the network config has no \"ipam\" object")
	}
	conf := &Config{
		CNIVersion: common.CNIVersion,
		DNS:        n.IPAM.DNS,
		PrevResult: common.PrevResult,
	}
	if conf.Addresses, err = parseAddresses(n.IPAM.Addresses); err != nil {
		return nil, err
	}
	if conf.Routes, err = parseRoutes(n.IPAM.Routes); err != nil {
		return nil, err
	}
	if conf.Addresses, err = applyEnvArgs(conf.Addresses, cniArgs); err != nil {
		return nil, err
	}
	if ips := common.CNIArgsIPs(); len(ips) > 0 {
		if conf.Addresses, err = parseCIDRList("args.cni.ips", ips); err != nil {
			return nil, err
		}
	}
	if n.RuntimeConfig != nil && len(n.RuntimeConfig.IPs) > 0 {
		if conf.Addresses, err = parseCIDRList("runtimeConfig.ips", n.RuntimeConfig.IPs); err != nil {
			return nil, err
		}
	}
	if err := conf.validateVersion(); err != nil {
		return nil, err
	}
	return conf, nil
}

// Result returns the ADD result of c in the current result type. IPAM
// results leave the interface index unset: the interface plugin owns it.
func (c *Config) Result() *current.Result {
	res := &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		DNS:        c.DNS,
	}
	for _, a := range c.Addresses {
		res.IPs = append(res.IPs, &current.IPConfig{Address: a.Address, Gateway: a.Gateway})
	}
	for _, r := range c.Routes {
		res.Routes = append(res.Routes, r.Copy())
	}
	return res
}

// parseCIDR parses an address in CIDR form, keeping the host part, with an
// IPv4-mapped IPv6 address turned into plain IPv4. ok is false for anything
// that is not a valid CIDR of either family.
func parseCIDR(s string) (net.IPNet, bool) {
	addr, subnet, err := net.ParseCIDR(strings.TrimSpace(s))
	if err != nil {
		return net.IPNet{}, false
	}
	canon := ipaddr.Canonical(&net.IPNet{IP: addr, Mask: subnet.Mask})
	if canon == nil {
		return net.IPNet{}, false
	}
	return net.IPNet{IP: ipaddr.Normalize(addr), Mask: canon.Mask}, true
}

// parseIP parses an address of either family in its canonical length.
func parseIP(s string) net.IP {
	return ipaddr.Normalize(net.ParseIP(strings.TrimSpace(s)))
}

// parseAddresses validates ipam.addresses.
func parseAddresses(in []AddressConf) ([]Address, error) {
	out := make([]Address, 0, len(in))
	for i, a := range in {
		addr, ok := parseCIDR(a.Address)
		if !ok {
			return nil, netconf.Invalid("invalid ipam.addresses[%d].address %q: not a CIDR", i, a.Address)
		}
		var gw net.IP
		if a.Gateway != "" {
			if gw = parseIP(a.Gateway); gw == nil {
				return nil, netconf.Invalid("invalid ipam.addresses[%d].gateway %q: not an IP", i, a.Gateway)
			}
			if !ipaddr.SameFamily(gw, addr.IP) {
				return nil, netconf.Invalid("invalid ipam.addresses[%d].gateway %q: %s gateway for %s address %s",
					i, a.Gateway, ipaddr.FamilyName(ipaddr.Family(gw)), ipaddr.FamilyName(ipaddr.Family(addr.IP)), addr.String())
			}
		}
		out = append(out, Address{Address: addr, Gateway: gw})
	}
	return out, nil
}

// parseCIDRList parses a list of addresses in CIDR form from the runtime
// (args.cni.ips, runtimeConfig.ips). field names the list in errors.
func parseCIDRList(field string, in []string) ([]Address, error) {
	out := make([]Address, 0, len(in))
	for i, s := range in {
		addr, ok := parseCIDR(s)
		if !ok {
			return nil, netconf.Invalid("invalid %s[%d] %q: not a CIDR", field, i, s)
		}
		out = append(out, Address{Address: addr})
	}
	return out, nil
}

// applyEnvArgs applies CNI_ARGS: IP appends addresses, then GATEWAY sets
// the gateway of every address (configured or from IP) whose subnet holds
// it. A GATEWAY in no address's subnet is ignored, as upstream does.
func applyEnvArgs(addrs []Address, cniArgs string) ([]Address, error) {
	var e EnvArgs
	if err := netconf.LoadArgs(cniArgs, &e); err != nil {
		return nil, err
	}
	if e.IP != "" {
		for _, item := range strings.Split(string(e.IP), ",") {
			addr, ok := parseCIDR(item)
			if !ok {
				return nil, netconf.Invalid("invalid CNI_ARGS IP %q: not a CIDR", item)
			}
			addrs = append(addrs, Address{Address: addr})
		}
	}
	if e.GATEWAY != "" {
		for _, item := range strings.Split(string(e.GATEWAY), ",") {
			gw := parseIP(item)
			if gw == nil {
				return nil, netconf.Invalid("invalid CNI_ARGS GATEWAY %q: not an IP", item)
			}
			for i := range addrs {
				if ipaddr.Contains(&addrs[i].Address, gw) {
					addrs[i].Gateway = gw
				}
			}
		}
	}
	return addrs, nil
}

// parseRoutes validates ipam.routes and drops exact duplicates, which the
// kernel would refuse with EEXIST. Routes to one destination through
// several gateways are kept as they are: grouping them into multipath
// routes is pkg/ipam's job.
func parseRoutes(in []RouteConf) ([]*types.Route, error) {
	out := make([]*types.Route, 0, len(in))
	seen := make(map[routeKey]bool, len(in))
	for i, rc := range in {
		r, err := parseRoute(i, rc)
		if err != nil {
			return nil, err
		}
		if k := keyOf(r); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out, nil
}

func parseRoute(i int, rc RouteConf) (*types.Route, error) {
	field := func(name string) string { return fmt.Sprintf("ipam.routes[%d].%s", i, name) }
	if rc.Dst == "" {
		return nil, netconf.Invalid("invalid %s %q: missing, a route needs a destination CIDR", field("dst"), rc.Dst)
	}
	dst, ok := parseCIDR(rc.Dst)
	if !ok {
		return nil, netconf.Invalid("invalid %s %q: not a CIDR", field("dst"), rc.Dst)
	}
	r := &types.Route{Dst: *ipaddr.Canonical(&dst)}
	if rc.GW != "" {
		if r.GW = parseIP(rc.GW); r.GW == nil {
			return nil, netconf.Invalid("invalid %s %q: not an IP", field("gw"), rc.GW)
		}
		if !ipaddr.SameFamily(r.GW, r.Dst.IP) {
			return nil, netconf.Invalid("invalid %s %q: %s gateway for %s destination %s", field("gw"), rc.GW,
				ipaddr.FamilyName(ipaddr.Family(r.GW)), ipaddr.FamilyName(ipaddr.Family(r.Dst.IP)), r.Dst.String())
		}
	}
	for _, v := range []struct {
		name string
		val  int
	}{{"mtu", rc.MTU}, {"advmss", rc.AdvMSS}, {"priority", rc.Priority}} {
		if v.val < 0 || int64(v.val) > maxUint32 {
			return nil, netconf.Invalid("invalid %s %d: must be in 0..%d", field(v.name), v.val, uint64(maxUint32))
		}
	}
	r.MTU, r.AdvMSS, r.Priority = rc.MTU, rc.AdvMSS, rc.Priority
	if rc.Table != nil {
		if *rc.Table < 0 || int64(*rc.Table) > maxUint32 {
			return nil, netconf.Invalid("invalid %s %d: must be in 0..%d", field("table"), *rc.Table, uint64(maxUint32))
		}
		t := *rc.Table
		r.Table = &t
	}
	if rc.Scope != nil {
		if *rc.Scope < 0 || *rc.Scope > 255 {
			return nil, netconf.Invalid("invalid %s %d: must be in 0..255", field("scope"), *rc.Scope)
		}
		s := *rc.Scope
		r.Scope = &s
	}
	return r, nil
}

// routeKey holds every field of a parsed route, so that exact duplicates
// are found with one map lookup each rather than by comparing every pair.
type routeKey struct {
	dst, gw               string // canonical text; gw "" when unset
	mtu, advmss, priority int
	table, scope          int
	hasTable, hasScope    bool
}

func keyOf(r *types.Route) routeKey {
	k := routeKey{dst: r.Dst.String(), mtu: r.MTU, advmss: r.AdvMSS, priority: r.Priority}
	if r.GW != nil {
		k.gw = r.GW.String()
	}
	if r.Table != nil {
		k.table, k.hasTable = *r.Table, true
	}
	if r.Scope != nil {
		k.scope, k.hasScope = *r.Scope, true
	}
	return k
}

// validateVersion enforces what results of spec versions below 0.3.0 can
// carry: one ip4 and one ip6 object, and at least one of them.
func (c *Config) validateVersion() error {
	multi, err := version.GreaterThanOrEqualTo(c.CNIVersion, minVersionMultiAddr)
	if err != nil {
		return netconf.Invalid("invalid cniVersion %q: %v", c.CNIVersion, err)
	}
	if multi {
		return nil
	}
	if len(c.Addresses) == 0 {
		return netconf.Invalid("invalid addresses for cniVersion %q: none; versions below %s need at least one",
			c.CNIVersion, minVersionMultiAddr)
	}
	for _, family := range []int{ipaddr.FamilyV4, ipaddr.FamilyV6} {
		var list []string
		for _, a := range c.Addresses {
			if ipaddr.Family(a.Address.IP) == family {
				list = append(list, a.Address.String())
			}
		}
		if len(list) > 1 {
			return netconf.Invalid("invalid addresses for cniVersion %q: %d %s addresses (%s); versions below %s allow one per family",
				c.CNIVersion, len(list), ipaddr.FamilyName(family), strings.Join(list, ", "), minVersionMultiAddr)
		}
	}
	return nil
}
