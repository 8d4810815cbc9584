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
// It reads the addresses once and the routes of every table in one dump,
// and reports every problem it finds, each naming the route or address.
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
		// Table 0 in a filter means every table: one dump covers them all.
		routes, err := h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: 0}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return fmt.Errorf("list routes: %w", err)
		}
		byKey := indexRoutes(routes, groups)
		for _, g := range groups {
			if err := checkGroup(g, byKey[keyOf(g)], link); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
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
// by others next to ours), so nexthops are looked for across all of them.
func checkGroup(g RouteGroup, routes []netlink.Route, link netlink.Link) error {
	dev, index := link.Attrs().Name, link.Attrs().Index
	what := g.Text(dev)
	if len(routes) == 0 {
		return fmt.Errorf("check route %s: route missing", what)
	}
	present := make(map[nexthop]netlink.Route)
	var found []string
	for _, r := range routes {
		for _, nh := range nexthopsOf(r) {
			if _, dup := present[nh]; !dup {
				present[nh] = r
				found = append(found, nexthopText(nh, link))
			}
		}
	}
	want := make([]nexthop, 0, len(g.Gateways))
	for _, gw := range g.Gateways {
		want = append(want, nexthop{gw: gw, index: index})
	}
	if len(want) == 0 {
		want = append(want, nexthop{index: index})
	}
	var missing []string
	for _, nh := range want {
		r, ok := present[nh]
		if !ok {
			missing = append(missing, nexthopText(nh, link))
			continue
		}
		if g.MTU != 0 && r.MTU != g.MTU {
			return fmt.Errorf("check route %s: mtu %s, want %d", what, metricText(r.MTU), g.MTU)
		}
		if g.AdvMSS != 0 && r.AdvMSS != g.AdvMSS {
			return fmt.Errorf("check route %s: advmss %s, want %d", what, metricText(r.AdvMSS), g.AdvMSS)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("check route %s: nexthop %s missing (found %s)",
			what, strings.Join(missing, ", "), strings.Join(found, ", "))
	}
	return nil
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
