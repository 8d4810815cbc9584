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
	"hash/maphash"
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
//
// A config may hold thousands of routes: they are parsed into one array,
// their addresses into shared chunks (addrMem), and duplicates are found
// through a map of 64-bit hashes rather than of the routes themselves.
func parseRoutes(in []RouteConf) ([]*types.Route, error) {
	routes := make([]types.Route, 0, len(in))
	var mem addrMem
	seed := maphash.MakeSeed()
	first := make(map[uint64]int, len(in)) // hash -> first route with it
	for i, rc := range in {
		k, err := parseRoute(i, rc)
		if err != nil {
			return nil, err
		}
		h := maphash.Comparable(seed, k)
		j, found := first[h]
		if found && duplicate(routes, j, k) {
			continue
		}
		if !found {
			first[h] = len(routes)
		}
		routes = append(routes, k.route(&mem))
	}
	out := make([]*types.Route, len(routes))
	for i := range routes {
		out[i] = &routes[i]
	}
	return out, nil
}

// duplicate reports whether routes holds a route with key k, where
// routes[j] is the first route whose key hashes as k does: usually k
// itself. Another key there is a hash collision, and then every route is
// compared.
func duplicate(routes []types.Route, j int, k routeKey) bool {
	if keyOf(&routes[j]) == k {
		return true
	}
	for i := range routes {
		if keyOf(&routes[i]) == k {
			return true
		}
	}
	return false
}

// parseRoute validates entry i of ipam.routes and returns it as a key:
// every field, the destination canonical (host bits cleared).
func parseRoute(i int, rc RouteConf) (routeKey, error) {
	field := func(name string) string { return fmt.Sprintf("ipam.routes[%d].%s", i, name) }
	if rc.Dst == "" {
		return routeKey{}, netconf.Invalid("invalid %s %q: missing, a route needs a destination CIDR", field("dst"), rc.Dst)
	}
	addr, ones, ok := parseDst(rc.Dst)
	if !ok {
		return routeKey{}, netconf.Invalid("invalid %s %q: not a CIDR", field("dst"), rc.Dst)
	}
	k := routeKey{dst: netip.PrefixFrom(addr, ones).Masked()}
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

// routeKey holds every field of a parsed route, comparable, so that exact
// duplicates are found by comparing keys.
type routeKey struct {
	dst                   netip.Prefix // canonical
	gw                    netip.Addr   // the zero Addr when unset
	mtu, advmss, priority int
	table, scope          int
	hasTable, hasScope    bool
}

// keyOf returns the key of a route parseRoutes returned.
func keyOf(r *types.Route) routeKey {
	k := routeKey{mtu: r.MTU, advmss: r.AdvMSS, priority: r.Priority}
	if addr, ok := netip.AddrFromSlice(r.Dst.IP); ok {
		ones, _ := r.Dst.Mask.Size()
		k.dst = netip.PrefixFrom(addr.Unmap(), ones)
	}
	if addr, ok := netip.AddrFromSlice(r.GW); ok {
		k.gw = addr.Unmap()
	}
	if r.Table != nil {
		k.table, k.hasTable = *r.Table, true
	}
	if r.Scope != nil {
		k.scope, k.hasScope = *r.Scope, true
	}
	return k
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
