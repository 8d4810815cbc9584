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
	"slices"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// The route moving below is what sbr and vrf do after an interface plugin
// installed its routes: the routes through one link are copied, each as
// the kernel holds it, into another table, and the originals removed.
//
// A route is found by dumping its table, not with RouteList(link, …): the
// netlink library filters that on Route.LinkIndex, which is 0 for a
// multipath route, so it never returns one. A copy is one RTM_NEWROUTE
// carrying the route's RTA_MULTIPATH (every nexthop with its gateway, device,
// weight and flags), its metrics (mtu, advmss, …), protocol, scope, type,
// preferred source and tos: a multipath route copied leg by leg would become
// separate IPv4 routes, of which lookups use only the first.

// movableNexthopFlags are the nexthop flags a request may carry. The kernel
// sets RTNH_F_DEAD and RTNH_F_LINKDOWN itself and refuses them in a request
// (EINVAL, "can not contain DEAD or LINKDOWN"); RTNH_F_OFFLOAD and friends
// are reported by drivers.
const movableNexthopFlags = unix.RTNH_F_ONLINK | unix.RTNH_F_PERVASIVE

// LinkRoutes is `ip route show table TABLE` for family (FAMILY_ALL for
// both), restricted to the unicast routes that leave through link: those
// whose output interface is link and the multipath routes with at least
// one nexthop on link. Table 0 means the main table.
func LinkRoutes(h *netlinksafe.Handle, link netlink.Link, family, table int) ([]netlink.Route, error) {
	if table == 0 {
		table = unix.RT_TABLE_MAIN
	}
	routes, err := h.RouteListFiltered(family, &netlink.Route{Table: table}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("list routes of %s in table %d: %w", link.Attrs().Name, table, err)
	}
	index := link.Attrs().Index
	var out []netlink.Route
	for _, r := range routes {
		if r.Family != ipaddr.FamilyV4 && r.Family != ipaddr.FamilyV6 {
			continue
		}
		if r.Type != unix.RTN_UNICAST || !usesLink(r, index) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// usesLink reports whether r leaves through the link with index.
func usesLink(r netlink.Route, index int) bool {
	if len(r.MultiPath) == 0 {
		return r.LinkIndex == index
	}
	for _, nh := range r.MultiPath {
		if nh != nil && nh.LinkIndex == index {
			return true
		}
	}
	return false
}

// onlyLink reports whether every nexthop of r is on the link with index.
func onlyLink(r netlink.Route, index int) bool {
	if len(r.MultiPath) == 0 {
		return r.LinkIndex == index
	}
	for _, nh := range r.MultiPath {
		if nh == nil || nh.LinkIndex != index {
			return false
		}
	}
	return true
}

// RouteInTable returns r as a request for table: every attribute the kernel
// reported, with only the nexthops on the link with index (all of them when
// index is 0) and the flags a request may carry. A multipath route left with
// one nexthop becomes a plain route, which is how the kernel reports such a
// route anyway. The result shares no slice with r.
func RouteInTable(r netlink.Route, table, index int) netlink.Route {
	out := r
	out.Table = table
	out.Flags = r.Flags & movableNexthopFlags
	out.MultiPath = nil
	var legs []*netlink.NexthopInfo
	for _, nh := range r.MultiPath {
		if nh == nil || (index != 0 && nh.LinkIndex != index) {
			continue
		}
		leg := *nh
		leg.Flags &= movableNexthopFlags
		legs = append(legs, &leg)
	}
	switch {
	case len(legs) == 1:
		// The weight of a lone nexthop means nothing.
		out.LinkIndex, out.Gw, out.Flags = legs[0].LinkIndex, legs[0].Gw, legs[0].Flags
		out.Encap, out.Via, out.NewDst = legs[0].Encap, legs[0].Via, legs[0].NewDst
	case len(legs) > 0:
		out.MultiPath = legs
	}
	return out
}

// CopyRoutes is `ip route add … table TABLE` of the nexthops on link of each
// route: RouteInTable sent with NLM_F_CREATE and without NLM_F_EXCL, as the
// installer sends routes (InstallRoutes), so that an IPv6 route through
// another interface with the same key takes this one as siblings. It
// returns the routes it added, also when it fails, for the caller to remove
// (DeleteRoutes) should the operation they belong to fail; an error names
// the route as `ip route` would.
func CopyRoutes(h *netlinksafe.Handle, routes []netlink.Route, link netlink.Link, table int) ([]netlink.Route, error) {
	added := make([]netlink.Route, 0, len(routes))
	for _, r := range deviceRoutesFirst(routes) {
		c := RouteInTable(r, table, link.Attrs().Index)
		if err := h.RouteAddEcmp(&c); err != nil {
			return added, fmt.Errorf("add route %s: %w", RouteText(c), err)
		}
		added = append(added, c)
	}
	return added, nil
}

// DeleteRoutes removes from their tables the nexthops on link of each route,
// as LinkRoutes or CopyRoutes returned them: a route whose nexthops are all
// on link is deleted; from one shared with other links only the legs on
// link go — IPv6 deletes siblings one by one, IPv4 matches a multipath
// route only as a whole, so the route is replaced by its other legs. A
// route already gone is not an error. Every route is tried; the errors are
// joined.
func DeleteRoutes(h *netlinksafe.Handle, routes []netlink.Route, link netlink.Link) error {
	index := link.Attrs().Index
	var errs []error
	for _, r := range routes {
		var err error
		switch {
		case onlyLink(r, index):
			c := RouteInTable(r, r.Table, 0)
			err = h.RouteDel(&c)
		case r.Family == ipaddr.FamilyV6:
			c := RouteInTable(r, r.Table, index)
			err = h.RouteDel(&c)
		default:
			c := RouteInTable(r, r.Table, 0)
			c.MultiPath = slices.DeleteFunc(c.MultiPath, func(nh *netlink.NexthopInfo) bool { return nh.LinkIndex == index })
			c = RouteInTable(c, c.Table, 0)
			err = h.RouteReplace(&c)
		}
		if err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("delete route %s: %w", RouteText(r), err))
		}
	}
	return errors.Join(errs...)
}

// RestoreRoutes puts back routes that DeleteRoutes removed from link, as
// they were, to undo a failed operation: a route shared with other links
// is replaced by the whole original, any other added again. Every route is
// tried; the errors are joined.
func RestoreRoutes(h *netlinksafe.Handle, routes []netlink.Route, link netlink.Link) error {
	index := link.Attrs().Index
	var errs []error
	for _, r := range deviceRoutesFirst(routes) {
		c := RouteInTable(r, r.Table, 0)
		var err error
		if onlyLink(r, index) || r.Family == ipaddr.FamilyV6 {
			err = h.RouteAddEcmp(&c)
		} else {
			err = h.RouteReplace(&c)
		}
		if err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("restore route %s: %w", RouteText(r), err))
		}
	}
	return errors.Join(errs...)
}

// deviceRoutesFirst returns routes with those without a gateway first, in
// their order, then the others: the kernel accepts a gateway only when a
// route already makes it reachable (ENETUNREACH otherwise), and the
// connected route of its subnet may be among the routes being added.
func deviceRoutesFirst(routes []netlink.Route) []netlink.Route {
	out := slices.Clone(routes)
	slices.SortStableFunc(out, func(a, b netlink.Route) int {
		return hasGateway(a) - hasGateway(b)
	})
	return out
}

// hasGateway is 1 when a nexthop of r has a gateway, 0 otherwise.
func hasGateway(r netlink.Route) int {
	if r.Gw != nil {
		return 1
	}
	for _, nh := range r.MultiPath {
		if nh != nil && nh.Gw != nil {
			return 1
		}
	}
	return 0
}

// RouteText renders r as `ip route` would print it, with devices as
// interface indexes: "default nexthop via 198.51.100.1 dev if2 nexthop via
// 198.51.100.2 dev if2 table 100". It is for messages.
func RouteText(r netlink.Route) string {
	var b strings.Builder
	if r.Dst == nil || ipaddr.IsDefault(r.Dst) {
		b.WriteString("default")
	} else {
		b.WriteString(r.Dst.String())
	}
	hop := func(prefix string, gw net.IP, index int) {
		b.WriteString(prefix)
		if gw != nil {
			b.WriteString(" via " + gw.String())
		}
		if index != 0 {
			b.WriteString(" dev if" + strconv.Itoa(index))
		}
	}
	if len(r.MultiPath) == 0 {
		hop("", r.Gw, r.LinkIndex)
	}
	for _, nh := range r.MultiPath {
		if nh != nil {
			hop(" nexthop", nh.Gw, nh.LinkIndex)
		}
	}
	if r.Table != 0 && r.Table != unix.RT_TABLE_MAIN {
		b.WriteString(" table " + strconv.Itoa(r.Table))
	}
	if r.Priority != 0 {
		b.WriteString(" metric " + strconv.Itoa(r.Priority))
	}
	return b.String()
}
