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

package ipam

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// Routing table, metric and scope values the planner fills in, as the kernel
// (include/uapi/linux/rtnetlink.h, net/ipv6/route.c) defines them.
const (
	// TableMain is the main routing table, used when a route names none.
	TableMain = 254
	// IPv6DefaultMetric is the metric the kernel gives an IPv6 route added
	// with none (IP6_RT_PRIO_USER). The planner writes it out so that a
	// route with "priority": 0 and one with 1024 are the same group, as
	// they are the same route to the kernel.
	IPv6DefaultMetric = 1024
	// ScopeUniverse is the scope of a route that names none.
	ScopeUniverse = 0
)

// maxNexthops is how many nexthops of a family one group may have: as many
// as a route dump can still report back. The kernel writes each route of a
// dump whole into one message of at most 32 KiB (netlink_dump caps its
// buffer at SKB_WITH_OVERHEAD(32768), net/netlink/af_netlink.c); a larger
// route installs fine, but every dump of its table then fails with
// EMSGSIZE, for CHECK and `ip route` alike. In a dump each nexthop takes an
// 8-byte rtnexthop plus an RTA_GATEWAY attribute (4 bytes of header and the
// address, padded to 4): 16 bytes for IPv4, 28 for IPv6. dumpRouteBudget
// leaves 1 KiB of the 32 KiB for the route's own header and attributes
// (table, destination, metrics, cache info), which take about 150 bytes.
// Measured on kernels 6.18 and 6.1: dumps fail from 2,026 IPv4 and 1,155
// IPv6 nexthops on; these limits are 1,984 and 1,133
// (Documentation/ecmp.md, "Limits").
var maxNexthops = map[int]int{
	ipaddr.FamilyV4: dumpRouteBudget / (8 + 4 + net.IPv4len),
	ipaddr.FamilyV6: dumpRouteBudget / (8 + 4 + net.IPv6len),
}

// dumpRouteBudget is the part of a 32 KiB route dump message the nexthops
// of one route may use.
const dumpRouteBudget = 32<<10 - 1<<10

// RouteGroup is one kernel route planned for the interface being
// configured: every route of a result that shares its family, table,
// destination, metric and scope. A group with no gateway is a device route,
// one with one gateway a plain route, and one with two or more a multipath
// route whose nexthops are Gateways in config order, each of weight 1.
//
// RouteGroup is a plain value: it names no interface and holds no kernel
// state, so plans can be compared and printed without root.
type RouteGroup struct {
	// Family is ipaddr.FamilyV4 or ipaddr.FamilyV6.
	Family int
	// Dst is the destination with its host bits cleared.
	Dst netip.Prefix
	// Table is the routing table; TableMain when the routes named none.
	Table int
	// Priority is the metric; for IPv6 an unset metric is written as
	// IPv6DefaultMetric.
	Priority int
	// Scope is the route scope (0 universe, 253 link, 254 host).
	Scope int
	// MTU and AdvMSS are the route's metrics; 0 means unset.
	MTU    int
	AdvMSS int
	// Gateways are the distinct gateways in config order; empty for a
	// device route.
	Gateways []netip.Addr
}

// Multipath reports whether g is installed as one route with several
// nexthops.
func (g RouteGroup) Multipath() bool {
	return len(g.Gateways) > 1
}

// String renders g as `ip route` would print it, without a device:
// "192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.2 table 100 metric 10".
func (g RouteGroup) String() string {
	return g.Text("")
}

// Text renders g as `ip route` text on device dev (omitted when empty):
// destination ("default" for a zero-length prefix), "via GW" or one
// "nexthop via GW" per gateway, "dev", then scope, table, metric, mtu and
// advmss when they are not the defaults (scope universe, table main,
// metric 0).
func (g RouteGroup) Text(dev string) string {
	var b strings.Builder
	if g.Dst.IsValid() && g.Dst.Bits() == 0 {
		b.WriteString("default")
	} else {
		b.WriteString(g.Dst.String())
	}
	switch len(g.Gateways) {
	case 0:
	case 1:
		b.WriteString(" via ")
		b.WriteString(g.Gateways[0].String())
	default:
		for _, gw := range g.Gateways {
			b.WriteString(" nexthop via ")
			b.WriteString(gw.String())
		}
	}
	if dev != "" {
		b.WriteString(" dev ")
		b.WriteString(dev)
	}
	if g.Scope != ScopeUniverse {
		b.WriteString(" scope ")
		b.WriteString(ScopeName(g.Scope))
	}
	if g.Table != TableMain && g.Table != 0 {
		b.WriteString(" table ")
		b.WriteString(strconv.Itoa(g.Table))
	}
	if g.Priority != 0 {
		b.WriteString(" metric ")
		b.WriteString(strconv.Itoa(g.Priority))
	}
	if g.MTU != 0 {
		b.WriteString(" mtu ")
		b.WriteString(strconv.Itoa(g.MTU))
	}
	if g.AdvMSS != 0 {
		b.WriteString(" advmss ")
		b.WriteString(strconv.Itoa(g.AdvMSS))
	}
	return b.String()
}

// ScopeName returns the name iproute2 gives a route scope ("link", "host",
// …), or its number.
func ScopeName(scope int) string {
	switch scope {
	case 0:
		return "global"
	case 200:
		return "site"
	case 253:
		return "link"
	case 254:
		return "host"
	case 255:
		return "nowhere"
	}
	return strconv.Itoa(scope)
}

// groupKey is what makes two routes one kernel route. It follows each
// family's route identity in the kernel: IPv4 tells routes apart by table,
// destination, tos and priority (fib_table_insert), IPv6 by table,
// destination and metric (fib6_add_rt2node), where scope plays no part:
// two IPv6 routes that differ only in scope are siblings of one route. The
// scope is therefore part of the key for IPv4 only; an IPv6 group takes the
// scope of its first member.
type groupKey struct {
	family   int
	table    int
	dst      netip.Prefix
	priority int
	scope    int
}

// indexFrom is the group size from which duplicate gateways are found with
// a map rather than by scanning the group's gateways.
const indexFrom = 8

// groupState is what the planner tracks about a group beyond RouteGroup.
type groupState struct {
	device bool                    // a member had no gateway
	seen   map[netip.Addr]struct{} // the gateways, once there are indexFrom
}

// has reports whether gw is among gws, the group's gateways.
func (s *groupState) has(gws []netip.Addr, gw netip.Addr) bool {
	if s.seen != nil {
		_, ok := s.seen[gw]
		return ok
	}
	for _, g := range gws {
		if g == gw {
			return true
		}
	}
	return false
}

// add records gw, just appended to gws.
func (s *groupState) add(gws []netip.Addr, gw netip.Addr) {
	switch {
	case s.seen != nil:
		s.seen[gw] = struct{}{}
	case len(gws) == indexFrom:
		s.seen = make(map[netip.Addr]struct{}, 2*indexFrom)
		for _, g := range gws {
			s.seen[g] = struct{}{}
		}
	}
}

// PlanRoutes turns the routes of res into the kernel routes to install on
// the interface being configured, in order of first appearance. It makes
// no netlink calls.
//
// Every route belongs to the interface (CNI routes name none). A route
// without a gateway takes the gateway of the first IP config of its family
// that has one, and stays a device route when there is none. Routes that
// share family, table (unset = main), canonical destination, metric and
// scope form one group; identical members are merged; two or more distinct
// gateways make one multipath route with one nexthop per gateway in config
// order. Mixing a device route with gateway routes in a group, members that
// disagree on mtu or advmss, and a gateway of the other family are
// configuration errors: a *types.Error with code 7 (invalid network config)
// naming the route.
func PlanRoutes(res *current.Result) ([]RouteGroup, error) {
	if res == nil {
		return nil, nil
	}
	defaultGW, err := defaultGateways(res.IPs)
	if err != nil {
		return nil, err
	}

	// Sized for the worst case of one group per route: growing slices of
	// ~100-byte groups cost more than the spare capacity.
	var (
		groups = make([]RouteGroup, 0, len(res.Routes))
		states = make([]groupState, 0, len(res.Routes))
		index  = make(map[groupKey]int, len(res.Routes))
	)
	for i, r := range res.Routes {
		if r == nil {
			continue
		}
		m, gw, err := planMember(i, r, defaultGW)
		if err != nil {
			return nil, err
		}
		key := groupKey{family: m.Family, table: m.Table, dst: m.Dst, priority: m.Priority}
		if m.Family == ipaddr.FamilyV4 {
			key.scope = m.Scope
		}
		gi, ok := index[key]
		if !ok {
			gi = len(groups)
			index[key] = gi
			groups = append(groups, m)
			states = append(states, groupState{})
		}
		g, st := &groups[gi], &states[gi]
		if ok {
			if err := sameMetrics(*g, m); err != nil {
				return nil, err
			}
		}
		if !gw.IsValid() {
			if len(g.Gateways) > 0 {
				return nil, mixError(*g)
			}
			st.device = true
			continue
		}
		if st.device {
			return nil, mixError(*g)
		}
		if st.has(g.Gateways, gw) {
			continue
		}
		g.Gateways = append(g.Gateways, gw)
		st.add(g.Gateways, gw)
	}
	for _, g := range groups {
		if limit := maxNexthops[g.Family]; len(g.Gateways) > limit {
			return nil, netconf.Invalid("route %s: %s gateways, at most %s fit in one kernel route",
				keyText(g), thousands(len(g.Gateways)), thousands(limit))
		}
	}
	return groups, nil
}

// MaxGateways returns how many gateways a route of family (ipaddr.FamilyV4
// or ipaddr.FamilyV6) may have; PlanRoutes refuses larger groups.
func MaxGateways(family int) int {
	return maxNexthops[family]
}

// thousands renders n with commas between groups of three digits, for
// messages: 2100 is "2,100".
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// defaultGateways returns the gateway of the first IP config of each family
// that has one, the gateway a route without "gw" takes.
func defaultGateways(ips []*current.IPConfig) (map[int]netip.Addr, error) {
	out := make(map[int]netip.Addr, 2)
	for i, ipc := range ips {
		if ipc == nil || ipc.Gateway == nil {
			continue
		}
		addrFam := ipaddr.Family(ipc.Address.IP)
		gw, gwFam, err := gatewayAddr(ipc.Gateway)
		if err != nil {
			return nil, netconf.Invalid("ips[%d]: gateway %s: %v", i, ipc.Gateway, err)
		}
		if addrFam != 0 && gwFam != addrFam {
			return nil, netconf.Invalid("ips[%d]: gateway %s of address %s is not %s",
				i, gw, ipc.Address.String(), ipaddr.FamilyName(addrFam))
		}
		if _, seen := out[gwFam]; !seen {
			out[gwFam] = gw
		}
	}
	return out, nil
}

// gatewayAddr validates a gateway and returns it with its family.
func gatewayAddr(gw net.IP) (netip.Addr, int, error) {
	n := ipaddr.Normalize(gw)
	if n == nil {
		return netip.Addr{}, 0, fmt.Errorf("not an IP address")
	}
	a, _ := netip.AddrFromSlice(n)
	if a.IsUnspecified() || a.IsMulticast() {
		return netip.Addr{}, 0, fmt.Errorf("not a unicast address")
	}
	return a, ipaddr.Family(n), nil
}

// planMember validates route i and returns it as a group without gateways,
// and its gateway (the invalid Addr for none).
func planMember(i int, r *types.Route, defaultGW map[int]netip.Addr) (RouteGroup, netip.Addr, error) {
	var none netip.Addr
	if ipaddr.IsMappedPrefix(&r.Dst) {
		// Taken as IPv4 it would become another route (::ffff:0:0/96 the
		// IPv4 default route); as IPv6 the kernel never routes to it.
		return RouteGroup{}, none, netconf.Invalid("routes[%d]: destination %s is an IPv4-mapped IPv6 prefix; write IPv4 destinations as IPv4", i, mappedText(&r.Dst))
	}
	dst := ipaddr.Canonical(&r.Dst)
	if dst == nil {
		return RouteGroup{}, none, netconf.Invalid("routes[%d]: destination %q is not an IP prefix", i, r.Dst.String())
	}
	fam := ipaddr.Family(dst.IP)
	addr, _ := netip.AddrFromSlice(dst.IP)
	ones, _ := dst.Mask.Size()
	m := RouteGroup{
		Family:   fam,
		Dst:      netip.PrefixFrom(addr, ones),
		Table:    TableMain,
		Priority: r.Priority,
		Scope:    ScopeUniverse,
		MTU:      r.MTU,
		AdvMSS:   r.AdvMSS,
	}
	if r.Table != nil && *r.Table != 0 {
		m.Table = *r.Table
	}
	if r.Scope != nil {
		m.Scope = *r.Scope
	}
	if err := inRange(m.Dst, "table", m.Table, math.MaxUint32); err != nil {
		return RouteGroup{}, none, err
	}
	if err := inRange(m.Dst, "priority", m.Priority, math.MaxUint32); err != nil {
		return RouteGroup{}, none, err
	}
	if err := inRange(m.Dst, "mtu", m.MTU, math.MaxUint32); err != nil {
		return RouteGroup{}, none, err
	}
	if err := inRange(m.Dst, "advmss", m.AdvMSS, math.MaxUint32); err != nil {
		return RouteGroup{}, none, err
	}
	if err := inRange(m.Dst, "scope", m.Scope, math.MaxUint8); err != nil {
		return RouteGroup{}, none, err
	}
	if fam == ipaddr.FamilyV6 && m.Priority == 0 {
		m.Priority = IPv6DefaultMetric
	}

	if r.GW == nil {
		// The gateway of the first address of the family, if any.
		return m, defaultGW[fam], nil
	}
	gw, gwFam, err := gatewayAddr(r.GW)
	if err != nil {
		return RouteGroup{}, none, netconf.Invalid("route %s: gateway %s: %v", m.Dst, r.GW, err)
	}
	if gwFam != fam {
		return RouteGroup{}, none, netconf.Invalid("route %s: gateway %s is not %s", m.Dst, gw, ipaddr.FamilyName(fam))
	}
	return m, gw, nil
}

// mappedText renders an IPv4-mapped IPv6 prefix as written
// ("::ffff:0.0.0.0/96"); net.IPNet's String would print it as IPv4.
func mappedText(n *net.IPNet) string {
	a, _ := netip.AddrFromSlice(n.IP)
	ones, _ := n.Mask.Size()
	return fmt.Sprintf("%s/%d", a, ones)
}

// inRange reports a code 7 error when v is outside 0..max, the range of the
// netlink attribute that carries it.
func inRange(dst netip.Prefix, what string, v int, max int64) error {
	if v < 0 || int64(v) > max {
		return netconf.Invalid("route %s: %s %d is out of range 0-%d", dst, what, v, max)
	}
	return nil
}

// sameMetrics reports a code 7 error when m disagrees with group g on mtu
// or advmss: both are properties of the route, not of a nexthop, so a group
// can carry only one value of each.
func sameMetrics(g, m RouteGroup) error {
	for _, f := range []struct {
		what   string
		gv, mv int
	}{
		{"mtu", g.MTU, m.MTU},
		{"advmss", g.AdvMSS, m.AdvMSS},
	} {
		if f.gv != f.mv {
			return netconf.Invalid("routes to %s disagree on %s: %s and %s",
				keyText(g), f.what, metricText(f.gv), metricText(f.mv))
		}
	}
	return nil
}

// mixError is the code 7 error for a group that mixes a device route with
// gateway routes: IPv6 cannot express a gateway-less nexthop in a multipath
// route, and on IPv4 it would turn part of the traffic into on-link traffic.
func mixError(g RouteGroup) error {
	return netconf.Invalid("routes to %s mix a route without gateway (and no gateway in ips) with routes via a gateway", keyText(g))
}

// keyText names a group by its key: destination, then scope, table and
// metric when they are not the defaults.
func keyText(g RouteGroup) string {
	k := g
	k.Gateways, k.MTU, k.AdvMSS = nil, 0, 0
	return k.String()
}

// metricText renders an mtu or advmss value for messages.
func metricText(v int) string {
	if v == 0 {
		return "unset"
	}
	return strconv.Itoa(v)
}
