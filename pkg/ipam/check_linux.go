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
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// CheckIface verifies, for CHECK, that the interface ifName still holds what
// ConfigureIface gave it from res: every address of res.IPs naming ifName,
// and every route PlanRoutes plans, in its table with its metric, with each
// planned nexthop (gateway, or none for a device route) on this interface
// and the planned mtu and advmss. Default routes are checked with their
// gateways like any other. Routes and nexthops added by others, on this
// interface or another, are tolerated, as the CNI spec asks of CHECK.
//
// It reads the addresses once and the routes of each table the plan uses in
// one dump (checkRoutes), and reports every problem it finds, each naming
// the route or address.
// Call it on a thread in the container's namespace.
func CheckIface(ifName string, res *current.Result) error {
	return withHandle("check", ifName, func(h *netlinksafe.Handle) error {
		return CheckIfaceWith(h, ifName, res)
	})
}

// CheckIfaceWith is CheckIface on the caller's netlink handle.
func CheckIfaceWith(h *netlinksafe.Handle, ifName string, res *current.Result) error {
	groups, ips, link, err := planIface(h, ifName, res)
	if err != nil {
		return err
	}
	var errs []error
	if len(ips) > 0 {
		addrs, err := h.AddrList(link, netlink.FAMILY_ALL)
		if err != nil {
			return fmt.Errorf("list addresses of %s: %w", ifName, err)
		}
		for _, ipc := range ips {
			if !hasAddr(addrs, ipc.Address) {
				errs = append(errs, fmt.Errorf("address %s missing on %s", ipc.Address.String(), ifName))
			}
		}
	}
	if len(groups) > 0 {
		errs = append(errs, checkRoutes(h, groups, link)...)
	}
	return errors.Join(errs...)
}

// checkRoutes checks every group against the kernel's routes, dumped once
// per family and table that the groups use, with the kernel filtering by
// table (NETLINK_GET_STRICT_CHK): a dump that fails, such as one of a table
// holding a route too large for a dump message (EMSGSIZE), fails the checks
// of that table's groups only, not those of other tables or of other
// attachments in the namespace.
//
// The dumps go over h's socket, which planIface's link lookup has already
// read from: the kernel sizes the messages of a dump by the largest read
// the socket has made (32 KiB at most, nlk->max_recvmsg_len in
// net/netlink/af_netlink.c), and a socket that never read gets about
// 4 KiB, too small for an IPv4 route of more than 233 nexthops, which such
// a dump fails on (6.1: EMSGSIZE) or silently leaves out (6.18).
func checkRoutes(h *netlinksafe.Handle, groups []RouteGroup, link netlink.Link) []error {
	type tableKey struct{ family, table int }
	var (
		order  []tableKey
		tables = make(map[tableKey][]RouteGroup)
	)
	for _, g := range groups {
		k := tableKey{g.Family, g.Table}
		if _, ok := tables[k]; !ok {
			order = append(order, k)
		}
		tables[k] = append(tables[k], g)
	}
	// A kernel older than 4.20 has no strict checking: the per-table
	// dumps are then filtered by the netlink library instead, still
	// correct, only no longer scoped.
	if h.SetStrictCheck(true) == nil {
		defer func() { _ = h.SetStrictCheck(false) }()
	}

	var errs []error
	for _, k := range order {
		routes, err := h.RouteListFiltered(k.family, &netlink.Route{Table: k.table}, netlink.RT_FILTER_TABLE)
		if err != nil {
			for _, g := range tables[k] {
				errs = append(errs, fmt.Errorf("check route %s: list %s routes of table %d: %w",
					g.Text(link.Attrs().Name), ipaddr.FamilyName(k.family), k.table, err))
			}
			continue
		}
		byKey := indexRoutes(routes, tables[k])
		for _, g := range tables[k] {
			if err := checkGroup(g, byKey[keyOf(g)], link); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// hasAddr reports whether addrs holds want with its prefix length.
func hasAddr(addrs []netlink.Addr, want net.IPNet) bool {
	wantOnes, _ := want.Mask.Size()
	for _, a := range addrs {
		if a.IPNet == nil || !a.IP.Equal(want.IP) {
			continue
		}
		if ones, _ := a.Mask.Size(); ones == wantOnes {
			return true
		}
	}
	return false
}

// routeKey is what identifies a kernel route in both families: table,
// destination and metric (scope is not part of an IPv6 route's identity
// and is always dumped as universe there).
type routeKey struct {
	family   int
	table    int
	dst      netip.Prefix
	priority int
}

func keyOf(g RouteGroup) routeKey {
	return routeKey{family: g.Family, table: g.Table, dst: g.Dst, priority: g.Priority}
}

// indexRoutes groups the dumped routes by key, keeping only keys planned.
func indexRoutes(routes []netlink.Route, groups []RouteGroup) map[routeKey][]netlink.Route {
	want := make(map[routeKey]bool, len(groups))
	for _, g := range groups {
		want[keyOf(g)] = true
	}
	out := make(map[routeKey][]netlink.Route, len(groups))
	for _, r := range routes {
		// A dump of every family also holds multicast routing entries
		// (RTNL_FAMILY_IPMR and friends): only unicast families count.
		if r.Family != ipaddr.FamilyV4 && r.Family != ipaddr.FamilyV6 {
			continue
		}
		dst := ipaddr.Canonical(r.Dst)
		if dst == nil {
			continue
		}
		a, _ := netip.AddrFromSlice(dst.IP)
		ones, _ := dst.Mask.Size()
		k := routeKey{family: r.Family, table: r.Table, dst: netip.PrefixFrom(a, ones), priority: r.Priority}
		if want[k] {
			out[k] = append(out[k], r)
		}
	}
	return out
}

// nexthop is one way out of a route: a gateway (invalid for a device
// route) on a link.
type nexthop struct {
	gw    netip.Addr
	index int
}

// nexthopsOf returns the nexthops of r, plain or multipath.
func nexthopsOf(r netlink.Route) []nexthop {
	if len(r.MultiPath) == 0 {
		return []nexthop{{gw: addrOf(r.Gw), index: r.LinkIndex}}
	}
	out := make([]nexthop, len(r.MultiPath))
	for i, nh := range r.MultiPath {
		out[i] = nexthop{gw: addrOf(nh.Gw), index: nh.LinkIndex}
	}
	return out
}

// addrOf converts a gateway, nil for none, to a netip.Addr in its family's
// length.
func addrOf(gw net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ipaddr.Normalize(gw))
	return a
}

// checkGroup checks one planned group against the kernel routes with its
// key. A key can be held by several kernel routes (IPv4 keeps routes added
// by others next to ours), so nexthops are looked for across all of them;
// but the nexthops of a multipath group must all be in one route: separate
// routes to one key do not share traffic (IPv4 uses the first), which is
// the layout a multipath route replaces.
func checkGroup(g RouteGroup, routes []netlink.Route, link netlink.Link) error {
	dev, index := link.Attrs().Name, link.Attrs().Index
	what := g.Text(dev)
	if len(routes) == 0 {
		return fmt.Errorf("check route %s: route missing", what)
	}
	want := make([]nexthop, 0, len(g.Gateways))
	for _, gw := range g.Gateways {
		want = append(want, nexthop{gw: gw, index: index})
	}
	if len(want) == 0 {
		want = append(want, nexthop{index: index})
	}

	present := make(map[nexthop]int) // the first route holding it
	var found []string
	for ri, r := range routes {
		for _, nh := range nexthopsOf(r) {
			if _, dup := present[nh]; !dup {
				present[nh] = ri
				found = append(found, nexthopText(nh, link))
			}
		}
	}
	var missing []string
	for _, nh := range want {
		if _, ok := present[nh]; !ok {
			missing = append(missing, nexthopText(nh, link))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("check route %s: nexthop %s missing (found %s)",
			what, strings.Join(missing, ", "), strings.Join(found, ", "))
	}

	// The route that holds every planned nexthop; for a group of one
	// nexthop, the first route holding it.
	r, ok := routeWithAll(routes, want)
	if !ok {
		holding := make(map[int]bool)
		for _, nh := range want {
			holding[present[nh]] = true
		}
		return fmt.Errorf("check route %s: %s is %s separate routes, expected one multipath route",
			what, keyText(g), countWord(len(holding)))
	}
	if g.MTU != 0 && r.MTU != g.MTU {
		return fmt.Errorf("check route %s: mtu %s, want %d", what, metricText(r.MTU), g.MTU)
	}
	if g.AdvMSS != 0 && r.AdvMSS != g.AdvMSS {
		return fmt.Errorf("check route %s: advmss %s, want %d", what, metricText(r.AdvMSS), g.AdvMSS)
	}
	return nil
}

// routeWithAll returns the first of routes that has every nexthop of want.
func routeWithAll(routes []netlink.Route, want []nexthop) (netlink.Route, bool) {
	for _, r := range routes {
		have := make(map[nexthop]bool)
		for _, nh := range nexthopsOf(r) {
			have[nh] = true
		}
		all := true
		for _, nh := range want {
			if !have[nh] {
				all = false
				break
			}
		}
		if all {
			return r, true
		}
	}
	return netlink.Route{}, false
}

// countWord spells small counts for messages: "two", "three", then digits.
func countWord(n int) string {
	if words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}; n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

// nexthopText renders a nexthop as `ip route` does, naming this link and
// giving others by index.
func nexthopText(nh nexthop, link netlink.Link) string {
	dev := fmt.Sprintf("if%d", nh.index)
	if nh.index == link.Attrs().Index {
		dev = link.Attrs().Name
	}
	if !nh.gw.IsValid() {
		return "dev " + dev
	}
	return "via " + nh.gw.String() + " dev " + dev
}
