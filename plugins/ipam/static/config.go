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
	"net/netip"
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
	// Routes as configured: in order, dst as written, duplicates kept.
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
	// A bare address from the runtime takes the prefix length of the
	// configured address whose subnet holds it.
	configured := conf.Addresses
	if conf.Addresses, err = applyEnvArgs(conf.Addresses, configured, cniArgs); err != nil {
		return nil, err
	}
	if ips := common.CNIArgsIPs(); len(ips) > 0 {
		if conf.Addresses, err = parseCIDRList("args.cni.ips", ips, configured); err != nil {
			return nil, err
		}
	}
	if n.RuntimeConfig != nil && len(n.RuntimeConfig.IPs) > 0 {
		if conf.Addresses, err = parseCIDRList("runtimeConfig.ips", n.RuntimeConfig.IPs, configured); err != nil {
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
// The result shares c's routes (not the slice): a copy of each of
// thousands of routes would cost more than printing them.
func (c *Config) Result() *current.Result {
	res := &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		DNS:        c.DNS,
		Routes:     slices.Clone(c.Routes),
	}
	for _, a := range c.Addresses {
		res.IPs = append(res.IPs, &current.IPConfig{Address: a.Address, Gateway: a.Gateway})
	}
	return res
}

// parseCIDR parses an address in CIDR form, keeping the host part, with an
// IPv4-mapped IPv6 address turned into plain IPv4. ok is false for anything
// that is not a valid CIDR of either family.
func parseCIDR(s string) (net.IPNet, bool) {
	addr, ones, ok := parsePrefix(s)
	if !ok {
		return net.IPNet{}, false
	}
	var mem addrMem
	return mem.ipNet(addr, ones), true
}

// parseIP parses an address of either family in its canonical length.
func parseIP(s string) net.IP {
	addr, ok := parseAddr(s)
	if !ok {
		return nil
	}
	var mem addrMem
	return mem.ip(addr)
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

// parseCIDRList parses a list of addresses from the runtime (args.cni.ips,
// runtimeConfig.ips): each in CIDR form, or bare and then completed by
// runtimeAddress. field names the list in errors.
func parseCIDRList(field string, in []string, configured []Address) ([]Address, error) {
	out := make([]Address, 0, len(in))
	for i, s := range in {
		addr, err := runtimeAddress(fmt.Sprintf("%s[%d]", field, i), s, configured)
		if err != nil {
			return nil, err
		}
		out = append(out, Address{Address: addr})
	}
	return out, nil
}

// runtimeAddress parses an address the runtime requests, where names it
// for errors. CIDR form is taken as it is. A bare address (podman sends
// "--ip 198.51.100.20" so) takes the prefix length of the configured
// addresses whose subnet holds it, when these are all one subnet; otherwise
// the error says which prefix length to add.
func runtimeAddress(where, s string, configured []Address) (net.IPNet, error) {
	if addr, ok := parseCIDR(s); ok {
		return addr, nil
	}
	ip := parseIP(s)
	if ip == nil {
		return net.IPNet{}, netconf.Invalid("invalid %s %q: not a CIDR", where, s)
	}
	var subnets []*net.IPNet
	for _, c := range configured {
		if !ipaddr.Contains(&c.Address, ip) {
			continue
		}
		sub := ipaddr.Canonical(&c.Address)
		if !slices.ContainsFunc(subnets, func(o *net.IPNet) bool { return o.String() == sub.String() }) {
			subnets = append(subnets, sub)
		}
	}
	switch len(subnets) {
	case 1:
		return net.IPNet{IP: ip, Mask: subnets[0].Mask}, nil
	case 0:
		return net.IPNet{}, netconf.Invalid("invalid %s %q: not a CIDR, and in the subnet of no configured address; "+
			"write it with its prefix length (\"%s/<length>\")", where, s, ip)
	default:
		var opts []string
		for _, sub := range subnets {
			ones, _ := sub.Mask.Size()
			opts = append(opts, fmt.Sprintf("%q", fmt.Sprintf("%s/%d", ip, ones)))
		}
		return net.IPNet{}, netconf.Invalid("invalid %s %q: not a CIDR, and in the subnets of several configured addresses; "+
			"write it with the prefix length of one: %s", where, s, strings.Join(opts, " or "))
	}
}

// applyEnvArgs applies CNI_ARGS: IP appends addresses (bare ones completed
// from configured, see runtimeAddress), then GATEWAY sets the gateway of
// every address (configured or from IP) whose subnet holds it. A GATEWAY in
// no address's subnet is ignored, as upstream does.
func applyEnvArgs(addrs, configured []Address, cniArgs string) ([]Address, error) {
	var e EnvArgs
	if err := netconf.LoadArgs(cniArgs, &e); err != nil {
		return nil, err
	}
	if e.IP != "" {
		for _, item := range strings.Split(string(e.IP), ",") {
			addr, err := runtimeAddress("CNI_ARGS IP", item, configured)
			if err != nil {
				return nil, err
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

// parseRoutes validates ipam.routes. Every route is kept as written, in
// order, as upstream's static does: a dst with host bits set keeps them
// and exact duplicates stay. pkg/ipam's planner masks the destination for
// the kernel, merges exact duplicates (the kernel would refuse the second
// with EEXIST) and groups routes to one destination through several
// gateways into a multipath route.
//
// A config may hold thousands of routes: they are parsed into one array
// and their addresses into shared chunks (addrMem).
func parseRoutes(in []RouteConf) ([]*types.Route, error) {
	routes := make([]types.Route, 0, len(in))
	var mem addrMem
	for i, rc := range in {
		k, err := parseRoute(i, rc)
		if err != nil {
			return nil, err
		}
		routes = append(routes, k.route(&mem))
	}
	out := make([]*types.Route, len(routes))
	for i := range routes {
		out[i] = &routes[i]
	}
	return out, nil
}

// parseRoute validates entry i of ipam.routes and returns its fields, the
// destination as written (host bits kept).
func parseRoute(i int, rc RouteConf) (routeKey, error) {
	field := func(name string) string { return fmt.Sprintf("ipam.routes[%d].%s", i, name) }
	if rc.Dst == "" {
		return routeKey{}, netconf.Invalid("invalid %s %q: missing, a route needs a destination CIDR", field("dst"), rc.Dst)
	}
	addr, ones, ok := parseDst(rc.Dst)
	if !ok {
		return routeKey{}, netconf.Invalid("invalid %s %q: not a CIDR", field("dst"), rc.Dst)
	}
	k := routeKey{dst: netip.PrefixFrom(addr, ones)}
	if rc.GW != "" {
		if k.gw, ok = parseAddr(rc.GW); !ok {
			return routeKey{}, netconf.Invalid("invalid %s %q: not an IP", field("gw"), rc.GW)
		}
		if k.gw.Is4() != k.dst.Addr().Is4() {
			return routeKey{}, netconf.Invalid("invalid %s %q: %s gateway for %s destination %s", field("gw"), rc.GW,
				familyName(k.gw), familyName(k.dst.Addr()), k.dst)
		}
	}
	for _, v := range []struct {
		name string
		val  int
	}{{"mtu", rc.MTU}, {"advmss", rc.AdvMSS}, {"priority", rc.Priority}} {
		if v.val < 0 || int64(v.val) > maxUint32 {
			return routeKey{}, netconf.Invalid("invalid %s %d: must be in 0..%d", field(v.name), v.val, uint64(maxUint32))
		}
	}
	k.mtu, k.advmss, k.priority = rc.MTU, rc.AdvMSS, rc.Priority
	if rc.Table != nil {
		if *rc.Table < 0 || int64(*rc.Table) > maxUint32 {
			return routeKey{}, netconf.Invalid("invalid %s %d: must be in 0..%d", field("table"), *rc.Table, uint64(maxUint32))
		}
		k.table, k.hasTable = *rc.Table, true
	}
	if rc.Scope != nil {
		if *rc.Scope < 0 || *rc.Scope > 255 {
			return routeKey{}, netconf.Invalid("invalid %s %d: must be in 0..255", field("scope"), *rc.Scope)
		}
		k.scope, k.hasScope = *rc.Scope, true
	}
	return k, nil
}

// familyName names the family of addr for messages.
func familyName(addr netip.Addr) string {
	if addr.Is4() {
		return ipaddr.FamilyName(ipaddr.FamilyV4)
	}
	return ipaddr.FamilyName(ipaddr.FamilyV6)
}

// routeKey holds every field of a parsed route.
type routeKey struct {
	dst                   netip.Prefix // as written, host bits kept
	gw                    netip.Addr   // the zero Addr when unset
	mtu, advmss, priority int
	table, scope          int
	hasTable, hasScope    bool
}

// route returns the route k describes, its addresses in mem.
func (k routeKey) route(mem *addrMem) types.Route {
	r := types.Route{
		Dst:      mem.ipNet(k.dst.Addr(), k.dst.Bits()),
		MTU:      k.mtu,
		AdvMSS:   k.advmss,
		Priority: k.priority,
	}
	if k.gw.IsValid() {
		r.GW = mem.ip(k.gw)
	}
	if k.hasTable {
		table := k.table
		r.Table = &table
	}
	if k.hasScope {
		scope := k.scope
		r.Scope = &scope
	}
	return r
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
