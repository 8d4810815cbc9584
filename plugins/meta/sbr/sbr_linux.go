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
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// firstTable is where the search for a free routing table starts.
const firstTable = 100

// setup, run in the container namespace, adds one rule per address and,
// without a configured table, gives each address the first free table
// with the interface's routes and removes them from the main table. A
// failure undoes everything it did.
func setup(conf *NetConf, ifName string, addrs []addr) (err error) {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	link, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	var u undo
	defer func() {
		if err != nil {
			u.run(h, link)
		}
	}()

	if conf.Table != nil {
		for _, a := range addrs {
			if err := u.addRule(h, a.IP, *conf.Table); err != nil {
				return err
			}
		}
		return nil
	}

	routes, err := ipam.LinkRoutes(h, link, netlink.FAMILY_ALL, unix.RT_TABLE_MAIN)
	if err != nil {
		return err
	}
	used, err := usedTables(h)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		table := freeTable(used)
		used[table] = true
		if err := u.addRule(h, a.IP, table); err != nil {
			return err
		}
		// The table was free: undoing empties it.
		u.tables = append(u.tables, table)
		moved := routesFor(routes, a, conf)
		if _, err := ipam.CopyRoutes(h, moved, link, table); err != nil {
			return err
		}
		if gw := defaultGateway(conf, a, hasDefault(moved, ipaddr.Family(a.IP))); gw != nil {
			if err := addDefault(link, gw, table); err != nil {
				return err
			}
		}
	}

	var remove []netlink.Route
	for _, r := range routes {
		if conf.PreserveDefaultRoutes && isDefault(r) {
			continue
		}
		remove = append(remove, r)
	}
	u.deleted = remove
	return ipam.DeleteRoutes(h, remove, link)
}

// routesFor returns the routes of the interface that belong in the table of
// a, as upstream's sbr chooses them: the device routes of both families and
// the gateway routes of a's family, but not those whose preferred source is
// another address (the connected route of another family's subnet, say),
// nor the default routes of a's family when a configured gateway replaces
// them.
func routesFor(routes []netlink.Route, a addr, conf *NetConf) []netlink.Route {
	var out []netlink.Route
	for _, r := range routes {
		if r.Src != nil && !r.Src.Equal(a.IP) {
			continue
		}
		if hasGateway(r) && r.Family != ipaddr.Family(a.IP) {
			continue
		}
		if overridden(conf, a) && isDefault(r) && r.Family == ipaddr.Family(a.IP) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// overridden reports whether the config's gateway replaces the default
// routes of a's family.
func overridden(conf *NetConf, a addr) bool {
	return conf.gateway != nil && ipaddr.SameFamily(conf.gateway, a.IP)
}

// defaultGateway returns the gateway of the default route to add to a's
// table: the configured gateway of a's family, else a's own gateway when no
// default route of its family moved there (a moved multipath default route
// must stay the only one: an IPv4 route with the same key would be looked
// up first and take all the traffic).
func defaultGateway(conf *NetConf, a addr, movedDefault bool) net.IP {
	switch {
	case overridden(conf, a):
		return conf.gateway
	case a.Gateway != nil && !movedDefault && ipaddr.SameFamily(a.Gateway, a.IP):
		return a.Gateway
	}
	return nil
}

// hasGateway reports whether a nexthop of r has a gateway.
func hasGateway(r netlink.Route) bool {
	if r.Gw != nil {
		return true
	}
	for _, nh := range r.MultiPath {
		if nh != nil && nh.Gw != nil {
			return true
		}
	}
	return false
}

// isDefault reports whether r is a default route.
func isDefault(r netlink.Route) bool {
	return r.Dst == nil || ipaddr.IsDefault(r.Dst)
}

// hasDefault reports whether routes hold a default route of family.
func hasDefault(routes []netlink.Route, family int) bool {
	for _, r := range routes {
		if r.Family == family && isDefault(r) {
			return true
		}
	}
	return false
}

// defaultGroups plans the route `default via gw` in table.
func defaultGroups(gw net.IP, table int) ([]ipam.RouteGroup, error) {
	res := &current.Result{Routes: []*types.Route{{Dst: *defaultDst(gw), GW: gw, Table: &table}}}
	return ipam.PlanRoutes(res)
}

// defaultDst is 0.0.0.0/0 or ::/0, of gw's family.
func defaultDst(gw net.IP) *net.IPNet {
	if ipaddr.Is4(gw) {
		return &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
	}
	return &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
}

// usedTables returns the tables that a rule points to or a route is in,
// in either family: the first free table is one with neither.
func usedTables(h *netlinksafe.Handle) (map[int]bool, error) {
	used := map[int]bool{unix.RT_TABLE_DEFAULT: true, unix.RT_TABLE_MAIN: true, unix.RT_TABLE_LOCAL: true}
	for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rules, err := h.RuleList(family)
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			used[r.Table] = true
		}
	}
	// Table 0 in a filter means every table.
	routes, err := h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: 0}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, err
	}
	for _, r := range routes {
		used[r.Table] = true
	}
	return used, nil
}

// freeTable returns the first table from firstTable that is not used.
func freeTable(used map[int]bool) int {
	t := firstTable
	for used[t] {
		t++
	}
	return t
}

// sourceRule is `ip rule add from IP/32 table TABLE` (/128 for IPv6), at
// the priority the kernel chooses: just before the first rule that has one.
func sourceRule(ip net.IP, table int) *netlink.Rule {
	r := netlink.NewRule()
	r.Src = ipaddr.HostPrefix(ip)
	r.Family = ipaddr.Family(ip)
	r.Table = table
	return r
}

// isSourceRule reports whether r sends traffic from ip to a table (to
// table when it is not nil).
func isSourceRule(r netlink.Rule, ip net.IP, table *int) bool {
	if r.Src == nil || !r.Src.IP.Equal(ip) {
		return false
	}
	if ones, bits := r.Src.Mask.Size(); ones != bits {
		return false
	}
	return table == nil || r.Table == *table
}

// undo records what setup did, to take it back when a later step fails.
type undo struct {
	rules   []*netlink.Rule
	tables  []int
	deleted []netlink.Route
}

func (u *undo) addRule(h *netlinksafe.Handle, ip net.IP, table int) error {
	r := sourceRule(ip, table)
	if err := h.RuleAdd(r); err != nil {
		return fmt.Errorf("add rule from %s table %d: %w", r.Src, table, err)
	}
	u.rules = append(u.rules, r)
	return nil
}

// addDefault is `ip route add default via GW dev LINK table TABLE`, through
// the installer of pkg/ipam.
func addDefault(link netlink.Link, gw net.IP, table int) error {
	groups, err := defaultGroups(gw, table)
	if err != nil {
		return err
	}
	return ipam.InstallRoutes(link, groups)
}

// run takes back what u recorded; its own failures go to stderr, as the
// caller returns the error that made setup fail.
func (u *undo) run(h *netlinksafe.Handle, link netlink.Link) {
	if err := ipam.RestoreRoutes(h, u.deleted, link); err != nil {
		fmt.Fprintf(os.Stderr, "sbr: undo failed add: %v\n", err)
	}
	for _, t := range u.tables {
		routes, err := ipam.LinkRoutes(h, link, netlink.FAMILY_ALL, t)
		if err == nil {
			err = ipam.DeleteRoutes(h, routes, link)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sbr: undo failed add: %v\n", err)
		}
	}
	for _, r := range u.rules {
		if err := h.RuleDel(r); err != nil && !errors.Is(err, unix.ENOENT) {
			fmt.Fprintf(os.Stderr, "sbr: undo failed add: delete rule from %s: %v\n", r.Src, err)
		}
	}
}

// check, run in the container namespace, verifies the rule of each address
// and, without a configured table, that the address's table holds the
// routes of res (each route of the main table, with the default route as
// setup gives it).
func check(conf *NetConf, res *current.Result, ifName string, addrs []addr) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	var errs []error
	for _, a := range addrs {
		rules, err := h.RuleList(ipaddr.Family(a.IP))
		if err != nil {
			return err
		}
		var found *netlink.Rule
		for i := range rules {
			if isSourceRule(rules[i], a.IP, conf.Table) {
				found = &rules[i]
				break
			}
		}
		if found == nil {
			errs = append(errs, fmt.Errorf("check rule from %s: missing", ipaddr.HostPrefix(a.IP)))
			continue
		}
		if conf.Table != nil {
			continue
		}
		if err := ipam.CheckIfaceWith(h, ifName, tableResult(res, a, conf, found.Table)); err != nil {
			errs = append(errs, fmt.Errorf("check table %d of %s: %w", found.Table, a.IP, err))
		}
	}
	return errors.Join(errs...)
}

// tableResult returns res with the routes setup put in table for a: the
// main-table routes of res in table, and its default route.
func tableResult(res *current.Result, a addr, conf *NetConf, table int) *current.Result {
	out := *res
	out.Routes = nil
	movedDefault := false
	for _, r := range res.Routes {
		if r == nil || r.Table != nil || !inTableOf(res, r, a) {
			continue
		}
		if ipaddr.IsDefault(&r.Dst) && ipaddr.PrefixFamily(&r.Dst) == ipaddr.Family(a.IP) {
			if overridden(conf, a) {
				continue
			}
			movedDefault = true
		}
		c := *r
		c.Table = &table
		out.Routes = append(out.Routes, &c)
	}
	if gw := defaultGateway(conf, a, movedDefault); gw != nil {
		out.Routes = append(out.Routes, &types.Route{Dst: *defaultDst(gw), GW: gw, Table: &table})
	}
	return &out
}

// inTableOf reports whether the route r of res is in a's table (see
// routesFor): a route of a's family, or a device route of the other family,
// which is one without a gateway of its own or from its address.
func inTableOf(res *current.Result, r *types.Route, a addr) bool {
	family := ipaddr.PrefixFamily(&r.Dst)
	if family == ipaddr.Family(a.IP) {
		return true
	}
	if r.GW != nil {
		return false
	}
	for _, ipc := range res.IPs {
		if ipc != nil && ipc.Gateway != nil && ipaddr.Family(ipc.Gateway) == family {
			return false
		}
	}
	return true
}

// teardown, run in the container namespace, deletes the rules from the
// interface's addresses and from extra (to table when it is set). A
// missing interface leaves only extra to look for.
func teardown(table *int, ifName string, extra []net.IP) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	ips := extra
	link, err := h.LinkByName(ifName)
	var notFound netlink.LinkNotFoundError
	switch {
	case errors.As(err, &notFound):
	case err != nil:
		return fmt.Errorf("find link %s: %w", ifName, err)
	default:
		addrs, err := h.AddrList(link, netlink.FAMILY_ALL)
		if err != nil {
			return fmt.Errorf("list addresses of %s: %w", ifName, err)
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	var errs []error
	for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rules, err := h.RuleList(family)
		if err != nil {
			return err
		}
		for _, r := range rules {
			for _, ip := range ips {
				if !isSourceRule(r, ip, table) {
					continue
				}
				if err := h.RuleDel(&r); err != nil && !errors.Is(err, unix.ENOENT) {
					errs = append(errs, fmt.Errorf("delete rule from %s table %d: %w", r.Src, r.Table, err))
				}
				break
			}
		}
	}
	return errors.Join(errs...)
}
