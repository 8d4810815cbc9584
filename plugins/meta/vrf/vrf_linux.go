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

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// setup, run in the container namespace, enslaves ifName to the VRF
// (created when missing) and moves the interface's routes from the main
// table into the VRF's. A failure puts the interface back as it was and
// deletes a VRF it created.
//
// Enslaving cycles the interface (vrf_add_slave in drivers/net/vrf.c): the
// kernel then re-creates its connected and local routes in the VRF's table,
// flushes the routes through it from the main table, and drops its IPv6
// addresses (addrconf_ifdown, unless keep_addr_on_down is set). The routes
// and IPv6 addresses are therefore read before, and added back after.
func setup(conf *NetConf, ifName string) (err error) {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	link, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	vrf, created, err := ensureVRF(h, conf)
	if err != nil {
		return err
	}
	if link.Attrs().MasterIndex == vrf.Index {
		return fmt.Errorf("enslave %s to vrf %s: already enslaved", ifName, conf.VRFName)
	}
	routes, err := ipam.LinkRoutes(h, link, netlink.FAMILY_ALL, unix.RT_TABLE_MAIN)
	if err != nil {
		return err
	}
	v6, err := h.AddrList(link, netlink.FAMILY_V6)
	if err != nil {
		return fmt.Errorf("list addresses of %s: %w", ifName, err)
	}
	var copied []netlink.Route
	defer func() {
		if err != nil {
			undo(h, link, vrf, created, routes, copied, v6)
		}
	}()

	if err := h.LinkSetMasterByIndex(link, vrf.Index); err != nil {
		return fmt.Errorf("enslave %s to vrf %s: %w", ifName, conf.VRFName, err)
	}
	waitFor, err := restoreV6Addrs(h, link, v6)
	if err != nil {
		return err
	}
	if err := ip.WaitForDAD(h, link.Attrs().Index, waitFor, ipam.DADTimeout); err != nil {
		return err
	}
	// The kernel re-creates its own routes in the VRF's table.
	var moved []netlink.Route
	for _, r := range routes {
		if r.Protocol != unix.RTPROT_KERNEL {
			moved = append(moved, r)
		}
	}
	copied, err = ipam.CopyRoutes(h, moved, link, int(vrf.Table))
	if err != nil {
		return err
	}
	// Routes the cycle did not flush (IPv6 keeps a route whose other
	// nexthops are up) leave the main table now.
	left, err := ipam.LinkRoutes(h, link, netlink.FAMILY_ALL, unix.RT_TABLE_MAIN)
	if err != nil {
		return err
	}
	return ipam.DeleteRoutes(h, left, link)
}

// ensureVRF returns the VRF conf names, creating it (with conf's table or
// the first free one) and setting it up when it is missing; created says
// which.
func ensureVRF(h *netlinksafe.Handle, conf *NetConf) (*netlink.Vrf, bool, error) {
	l, err := h.LinkByName(conf.VRFName)
	var notFound netlink.LinkNotFoundError
	switch {
	case err == nil:
		vrf, ok := l.(*netlink.Vrf)
		if !ok {
			return nil, false, netconf.Invalid("invalid vrfname %q: link exists and is a %s, not a vrf", conf.VRFName, l.Type())
		}
		if conf.Table != 0 && vrf.Table != conf.Table {
			return nil, false, netconf.Invalid("invalid table %d: vrf %s exists with table %d", conf.Table, conf.VRFName, vrf.Table)
		}
		return vrf, false, nil
	case !errors.As(err, &notFound):
		return nil, false, fmt.Errorf("find vrf %s: %w", conf.VRFName, err)
	}
	table := conf.Table
	if table == 0 {
		if table, err = freeTable(h); err != nil {
			return nil, false, err
		}
	}
	vrf := &netlink.Vrf{LinkAttrs: netlink.LinkAttrs{Name: conf.VRFName}, Table: table}
	if err := h.LinkAdd(vrf); err != nil {
		return nil, false, fmt.Errorf("add vrf %s table %d: %w", conf.VRFName, table, err)
	}
	if err := h.LinkSetUp(vrf); err != nil {
		_ = h.LinkDel(vrf)
		return nil, false, fmt.Errorf("set vrf %s up: %w", conf.VRFName, err)
	}
	created, err := h.LinkByName(conf.VRFName)
	if err != nil {
		return nil, false, fmt.Errorf("find vrf %s: %w", conf.VRFName, err)
	}
	out, ok := created.(*netlink.Vrf)
	if !ok {
		return nil, false, fmt.Errorf("find vrf %s: link is a %s", conf.VRFName, created.Type())
	}
	return out, true, nil
}

// freeTable returns the first table from 1 that no VRF, rule or route of the
// namespace uses, skipping the kernel's default, main and local tables.
func freeTable(h *netlinksafe.Handle) (uint32, error) {
	used := map[uint32]bool{unix.RT_TABLE_DEFAULT: true, unix.RT_TABLE_MAIN: true, unix.RT_TABLE_LOCAL: true}
	links, err := h.LinkList()
	if err != nil {
		return 0, err
	}
	for _, l := range links {
		if v, ok := l.(*netlink.Vrf); ok {
			used[v.Table] = true
		}
	}
	for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rules, err := h.RuleList(family)
		if err != nil {
			return 0, err
		}
		for _, r := range rules {
			used[uint32(r.Table)] = true
		}
	}
	// Table 0 in a filter means every table.
	routes, err := h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: 0}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return 0, err
	}
	for _, r := range routes {
		used[uint32(r.Table)] = true
	}
	t := uint32(1)
	for used[t] {
		t++
	}
	return t, nil
}

// restoreV6Addrs adds back the global IPv6 addresses of before that the
// interface lost, and returns all of them, for DAD to be waited for: an
// address kept across the cycle (keep_addr_on_down) is tentative again
// too, as the kernel restarts DAD when the link comes up. Link-local
// addresses come back by themselves.
func restoreV6Addrs(h *netlinksafe.Handle, link netlink.Link, before []netlink.Addr) ([]net.IP, error) {
	now, err := h.AddrList(link, netlink.FAMILY_V6)
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", link.Attrs().Name, err)
	}
	var global []net.IP
	for _, a := range before {
		if a.IP.IsLinkLocalUnicast() {
			continue
		}
		global = append(global, a.IP)
		if hasAddr(now, a) {
			continue
		}
		re := &netlink.Addr{IPNet: a.IPNet, Flags: a.Flags & (unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE)}
		if err := h.AddrAdd(link, re); err != nil {
			return nil, fmt.Errorf("add address %s to %s: %w", a.IPNet, link.Attrs().Name, err)
		}
	}
	return global, nil
}

func hasAddr(addrs []netlink.Addr, a netlink.Addr) bool {
	for _, b := range addrs {
		if b.IPNet.String() == a.IPNet.String() {
			return true
		}
	}
	return false
}

// undo takes the interface out of the VRF, puts its routes and IPv6
// addresses back and deletes the VRF when setup created it. Its failures go
// to stderr: the caller returns the error that made setup fail.
func undo(h *netlinksafe.Handle, link netlink.Link, vrf *netlink.Vrf, created bool, routes, copied []netlink.Route, v6 []netlink.Addr) {
	report := func(err error) {
		if err != nil {
			fmt.Fprintf(os.Stderr, "vrf: undo failed add: %v\n", err)
		}
	}
	report(ipam.DeleteRoutes(h, copied, link))
	if err := h.LinkSetNoMaster(link); err != nil {
		report(fmt.Errorf("release %s from vrf: %w", link.Attrs().Name, err))
	}
	_, err := restoreV6Addrs(h, link, v6)
	report(err)
	report(ipam.RestoreRoutes(h, routes, link))
	if created {
		if err := h.LinkDel(vrf); err != nil {
			report(fmt.Errorf("delete vrf %s: %w", vrf.Name, err))
		}
	}
}

// check, run in the container namespace, verifies that ifName is enslaved
// to the VRF conf names (with conf's table when set) and that the VRF's
// table holds what prevResult configured on the interface.
func check(conf *NetConf, res *current.Result, ifName string) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	l, err := h.LinkByName(conf.VRFName)
	if err != nil {
		return fmt.Errorf("find vrf %s: %w", conf.VRFName, err)
	}
	vrf, ok := l.(*netlink.Vrf)
	if !ok {
		return fmt.Errorf("check vrf %s: link is a %s, not a vrf", conf.VRFName, l.Type())
	}
	if conf.Table != 0 && vrf.Table != conf.Table {
		return fmt.Errorf("check vrf %s: table %d, want %d", conf.VRFName, vrf.Table, conf.Table)
	}
	link, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	if link.Attrs().MasterIndex != vrf.Index {
		return fmt.Errorf("check %s: not enslaved to vrf %s", ifName, conf.VRFName)
	}
	return ipam.CheckIfaceWith(h, ifName, inTable(res, int(vrf.Table)))
}

// inTable returns res with its main-table routes in table.
func inTable(res *current.Result, table int) *current.Result {
	out := *res
	out.Routes = make([]*types.Route, 0, len(res.Routes))
	for _, r := range res.Routes {
		if r == nil {
			continue
		}
		c := *r
		if c.Table == nil {
			c.Table = &table
		}
		out.Routes = append(out.Routes, &c)
	}
	return &out
}

// teardown, run in the container namespace, releases ifName from the VRF
// vrfName and deletes the VRF when no interface is left in it. A missing
// interface or VRF is not an error.
func teardown(vrfName, ifName string) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	var notFound netlink.LinkNotFoundError
	l, err := h.LinkByName(vrfName)
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find vrf %s: %w", vrfName, err)
	}
	vrf, ok := l.(*netlink.Vrf)
	if !ok {
		return nil
	}
	link, err := h.LinkByName(ifName)
	switch {
	case errors.As(err, &notFound):
	case err != nil:
		return fmt.Errorf("find link %s: %w", ifName, err)
	case link.Attrs().MasterIndex == vrf.Index:
		if err := h.LinkSetNoMaster(link); err != nil {
			return fmt.Errorf("release %s from vrf %s: %w", ifName, vrfName, err)
		}
	}
	links, err := h.LinkList()
	if err != nil {
		return err
	}
	for _, o := range links {
		if o.Attrs().MasterIndex == vrf.Index {
			return nil
		}
	}
	if err := h.LinkDel(vrf); err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("delete vrf %s: %w", vrfName, err)
	}
	return nil
}
