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

//go:build linux

// Package netlinksafe wraps the netlink dump requests this project makes so
// that a dump interrupted by a concurrent change (NLM_F_DUMP_INTR, reported by
// the netlink library as ErrDumpInterrupted together with partial data) is
// retried instead of being acted upon.
//
// Handle embeds *netlink.Handle, so every non-dump request (RouteAdd,
// LinkSetUp, …) is available unchanged on the same socket: a plugin opens one
// Handle per namespace per invocation.
package netlinksafe

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// maxAttempts bounds the retries of one interrupted dump. Interruptions need
// a concurrent change between two dump messages; several in a row mean the
// table is being rewritten continuously and the caller should see an error.
const maxAttempts = 10

// retry runs dump until it is not interrupted, at most maxAttempts times.
func retry[T any](what string, dump func() (T, error)) (T, error) {
	var (
		out T
		err error
	)
	for range maxAttempts {
		out, err = dump()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return out, err
		}
	}
	var zero T
	return zero, fmt.Errorf("%s: dump interrupted %d times in a row: %w", what, maxAttempts, err)
}

// Handle is a netlink socket whose dump requests retry when interrupted.
type Handle struct {
	*netlink.Handle
}

// NewHandle opens a NETLINK_ROUTE socket in the calling thread's namespace.
// Only the route family is opened: the netlink library would otherwise also
// open XFRM and netfilter sockets, which a minimal kernel may not have.
func NewHandle() (*Handle, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink socket: %w", err)
	}
	return &Handle{Handle: h}, nil
}

// NewHandleAt opens a NETLINK_ROUTE socket in the namespace ns, without
// switching the calling thread.
func NewHandleAt(ns netns.NsHandle) (*Handle, error) {
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink socket in namespace: %w", err)
	}
	return &Handle{Handle: h}, nil
}

// pkgHandle sends each request on a socket of its own in the calling
// thread's namespace, as the netlink package-level functions do.
var pkgHandle = &Handle{Handle: &netlink.Handle{}}

// LinkList is `ip link show`.
func (h *Handle) LinkList() ([]netlink.Link, error) {
	return retry("list links", h.Handle.LinkList)
}

// LinkByName is `ip link show dev NAME`. Kernels that cannot filter by
// name answer it with a dump, hence the retry.
func (h *Handle) LinkByName(name string) (netlink.Link, error) {
	return retry("find link "+name, func() (netlink.Link, error) { return h.Handle.LinkByName(name) })
}

// AddrList is `ip addr show dev LINK` for one family (FAMILY_ALL for both);
// a nil link lists every link's addresses.
func (h *Handle) AddrList(link netlink.Link, family int) ([]netlink.Addr, error) {
	return retry("list addresses", func() ([]netlink.Addr, error) { return h.Handle.AddrList(link, family) })
}

// RouteListFiltered is `ip route show` with the filter fields named by mask
// (netlink.RT_FILTER_*). Note that table 0 in a filter means any table.
func (h *Handle) RouteListFiltered(family int, filter *netlink.Route, mask uint64) ([]netlink.Route, error) {
	return retry("list routes", func() ([]netlink.Route, error) { return h.Handle.RouteListFiltered(family, filter, mask) })
}

// NeighList is `ip neigh show dev LINK` (linkIndex 0 for every link).
func (h *Handle) NeighList(linkIndex, family int) ([]netlink.Neigh, error) {
	return retry("list neighbors", func() ([]netlink.Neigh, error) { return h.Handle.NeighList(linkIndex, family) })
}

// RuleList is `ip rule show` for one family.
func (h *Handle) RuleList(family int) ([]netlink.Rule, error) {
	return retry("list rules", func() ([]netlink.Rule, error) { return h.Handle.RuleList(family) })
}

// RouteGet is `ip route get DST`. It is not a dump; it is here so that
// callers holding a Handle need no second import for it.
func (h *Handle) RouteGet(dst net.IP) ([]netlink.Route, error) {
	return h.Handle.RouteGet(dst)
}

// LinkList is Handle.LinkList on a request-scoped socket in the calling
// thread's namespace.
func LinkList() ([]netlink.Link, error) { return pkgHandle.LinkList() }

// LinkByName is Handle.LinkByName on a request-scoped socket.
func LinkByName(name string) (netlink.Link, error) { return pkgHandle.LinkByName(name) }

// AddrList is Handle.AddrList on a request-scoped socket.
func AddrList(link netlink.Link, family int) ([]netlink.Addr, error) {
	return pkgHandle.AddrList(link, family)
}

// RouteListFiltered is Handle.RouteListFiltered on a request-scoped socket.
func RouteListFiltered(family int, filter *netlink.Route, mask uint64) ([]netlink.Route, error) {
	return pkgHandle.RouteListFiltered(family, filter, mask)
}

// NeighList is Handle.NeighList on a request-scoped socket.
func NeighList(linkIndex, family int) ([]netlink.Neigh, error) {
	return pkgHandle.NeighList(linkIndex, family)
}

// RuleList is Handle.RuleList on a request-scoped socket.
func RuleList(family int) ([]netlink.Rule, error) { return pkgHandle.RuleList(family) }

// QdiscList is `tc qdisc show dev LINK` (a nil link for every link).
func (h *Handle) QdiscList(link netlink.Link) ([]netlink.Qdisc, error) {
	return retry("list qdiscs", func() ([]netlink.Qdisc, error) { return h.Handle.QdiscList(link) })
}

// FilterList is `tc filter show dev LINK parent PARENT`.
func (h *Handle) FilterList(link netlink.Link, parent uint32) ([]netlink.Filter, error) {
	return retry("list filters", func() ([]netlink.Filter, error) { return h.Handle.FilterList(link, parent) })
}
