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

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

var (
	// tbfHandle is the handle of the root tbf qdiscs, 1:, as upstream's.
	tbfHandle = netlink.MakeHandle(1, 0)
	// ingressHandle is the handle of the ingress qdisc, ffff:.
	ingressHandle = netlink.MakeHandle(0xffff, 0)
)

// vethPeerIndex returns the index, in its peer's namespace, of the veth
// peer of the container interface ifName in the namespace at netnsPath:
// a veth's IFLA_LINK names its peer.
func vethPeerIndex(netnsPath, ifName string) (int, error) {
	var peer int
	err := ns.WithNetNSPath(netnsPath, func(ns.NetNS) error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		l, err := h.LinkByName(ifName)
		if err != nil {
			return fmt.Errorf("find container interface %s: %w", ifName, err)
		}
		if _, ok := l.(*netlink.Veth); !ok {
			return netconf.Invalid("container interface %s is a %s, not a veth: bandwidth shapes a veth's host end", ifName, l.Type())
		}
		peer = l.Attrs().ParentIndex
		return nil
	})
	return peer, err
}

// hostInterface returns the host interface of res (one without a sandbox)
// that is the veth peer of the container interface ifName, as upstream
// finds it.
func hostInterface(h *netlinksafe.Handle, res *current.Result, netnsPath, ifName string) (netlink.Link, error) {
	peer, err := vethPeerIndex(netnsPath, ifName)
	if err != nil {
		return nil, err
	}
	for _, iface := range res.Interfaces {
		if iface == nil || iface.Sandbox != "" {
			continue
		}
		l, err := h.LinkByName(iface.Name)
		if err != nil {
			continue // a host interface of the result that is gone is not ours
		}
		if l.Attrs().Index == peer {
			return l, nil
		}
	}
	return nil, netconf.Invalid("no host interface in prevResult is the veth peer of container interface %s", ifName)
}

// addTBF shapes what link sends with a tbf root qdisc:
// `tc qdisc add dev LINK root handle 1: tbf rate R burst B latency 25ms`.
func addTBF(h *netlinksafe.Handle, link netlink.Link, p tbfParams) error {
	q := &netlink.Tbf{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: link.Attrs().Index, Handle: tbfHandle, Parent: netlink.HANDLE_ROOT},
		Rate:       p.rate,
		Limit:      p.limit(),
		Buffer:     netlink.Xmittime(p.rate, p.burst),
	}
	if err := h.QdiscAdd(q); err != nil {
		return fmt.Errorf("add tbf qdisc to %s: %w", link.Attrs().Name, err)
	}
	return nil
}

// delRootQdisc removes link's root qdisc; the kernel puts the default back.
func delRootQdisc(h *netlinksafe.Handle, link netlink.Link) error {
	q := &netlink.GenericQdisc{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: link.Attrs().Index, Handle: tbfHandle, Parent: netlink.HANDLE_ROOT},
		QdiscType:  "tbf",
	}
	return h.QdiscDel(q)
}

// addIFB creates the ifb device name, up, with the host interface's MTU:
// `ip link add NAME mtu MTU type ifb && ip link set NAME up`.
func addIFB(h *netlinksafe.Handle, name string, mtu int) (netlink.Link, error) {
	l := &netlink.Ifb{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: mtu, Flags: unix.IFF_UP}}
	if err := h.LinkAdd(l); err != nil {
		return nil, fmt.Errorf("add ifb %s: %w", name, err)
	}
	created, err := h.LinkByName(name)
	if err == nil {
		err = h.LinkSetUp(created)
	}
	if err != nil {
		_ = h.LinkDel(l)
		return nil, fmt.Errorf("set ifb %s up: %w", name, err)
	}
	return created, nil
}

// errNotIFB is the cause when a link of another kind has the ifb's name.
var errNotIFB = errors.New("left alone")

// delIFB removes the ifb device name; one that does not exist is gone
// already.
func delIFB(h *netlinksafe.Handle, name string) error {
	l, err := h.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, ok := l.(*netlink.Ifb); !ok {
		return fmt.Errorf("delete %s: a %s, not an ifb: %w", name, l.Type(), errNotIFB)
	}
	if err := h.LinkDel(l); err != nil {
		return fmt.Errorf("delete ifb %s: %w", name, err)
	}
	return nil
}

// redirectToIFB sends everything link receives (the container's egress)
// out of ifb, whose tbf shapes it:
// `tc qdisc add dev LINK ingress` and
// `tc filter add dev LINK parent ffff: protocol all prio 1 u32 match u32 0 0
// flowid 1:1 action mirred egress redirect dev IFB`.
func redirectToIFB(h *netlinksafe.Handle, link, ifb netlink.Link) error {
	q := &netlink.Ingress{QdiscAttrs: netlink.QdiscAttrs{
		LinkIndex: link.Attrs().Index, Handle: ingressHandle, Parent: netlink.HANDLE_INGRESS,
	}}
	if err := h.QdiscAdd(q); err != nil {
		return fmt.Errorf("add ingress qdisc to %s: %w", link.Attrs().Name, err)
	}
	f := redirectFilter(link, ifb)
	if err := h.FilterAdd(f); err != nil {
		_ = h.QdiscDel(q)
		return fmt.Errorf("add redirect filter from %s to %s: %w", link.Attrs().Name, ifb.Attrs().Name, err)
	}
	return nil
}

// redirectFilter is the match-all u32 filter of redirectToIFB.
func redirectFilter(link, ifb netlink.Link) *netlink.U32 {
	return &netlink.U32{
		FilterAttrs: netlink.FilterAttrs{
			LinkIndex: link.Attrs().Index,
			Parent:    ingressHandle,
			Priority:  1,
			Protocol:  unix.ETH_P_ALL,
		},
		ClassId: netlink.MakeHandle(1, 1),
		Actions: []netlink.Action{netlink.NewMirredAction(ifb.Attrs().Index)},
	}
}

// delIngressQdisc removes link's ingress qdisc and its filters.
func delIngressQdisc(h *netlinksafe.Handle, link netlink.Link) error {
	return h.QdiscDel(&netlink.Ingress{QdiscAttrs: netlink.QdiscAttrs{
		LinkIndex: link.Attrs().Index, Handle: ingressHandle, Parent: netlink.HANDLE_INGRESS,
	}})
}

// checkTBF verifies that link's root qdisc is the tbf p describes.
func checkTBF(h *netlinksafe.Handle, link netlink.Link, p tbfParams) error {
	qs, err := h.QdiscList(link)
	if err != nil {
		return fmt.Errorf("list qdiscs of %s: %w", link.Attrs().Name, err)
	}
	for _, q := range qs {
		if q.Attrs().Parent != netlink.HANDLE_ROOT {
			continue
		}
		t, ok := q.(*netlink.Tbf)
		if !ok {
			return fmt.Errorf("%s: root qdisc is %s, want tbf", link.Attrs().Name, q.Type())
		}
		if t.Rate != p.rate || t.Limit != p.limit() || t.Buffer != netlink.Xmittime(p.rate, p.burst) {
			return fmt.Errorf("%s: tbf rate %d B/s limit %d buffer %d, want rate %d B/s limit %d buffer %d",
				link.Attrs().Name, t.Rate, t.Limit, t.Buffer, p.rate, p.limit(), netlink.Xmittime(p.rate, p.burst))
		}
		return nil
	}
	return fmt.Errorf("%s: no root qdisc, want tbf", link.Attrs().Name)
}

// checkRedirect verifies that link has an ingress qdisc whose filters
// redirect to ifb.
func checkRedirect(h *netlinksafe.Handle, link, ifb netlink.Link) error {
	fs, err := h.FilterList(link, ingressHandle)
	if err != nil {
		return fmt.Errorf("list ingress filters of %s: %w", link.Attrs().Name, err)
	}
	for _, f := range fs {
		u, ok := f.(*netlink.U32)
		if !ok {
			continue
		}
		for _, a := range u.Actions {
			if m, ok := a.(*netlink.MirredAction); ok && m.MirredAction == netlink.TCA_EGRESS_REDIR && m.Ifindex == ifb.Attrs().Index {
				return nil
			}
		}
	}
	return fmt.Errorf("%s: no ingress filter redirects to %s", link.Attrs().Name, ifb.Attrs().Name)
}
