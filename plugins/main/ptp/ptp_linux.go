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

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// setupContainer creates the veth pair from inside the container namespace
// (the calling thread must be there), its host end in hostNS, and gives
// the container end the addresses and routes of res. It fills
// res.Interfaces (host end first, as upstream) and points res.IPs at the
// container end. On failure the pair is deleted.
func setupContainer(hostNS ns.NetNS, netnsPath, ifName string, mtu int, res *current.Result) (err error) {
	hostVeth, contVeth, err := ip.SetupVeth(ifName, mtu, "", hostNS)
	if err != nil {
		return err
	}
	h, err := netlinksafe.NewHandle()
	if err != nil {
		_ = ip.DelLinkByName(nil, ifName)
		return fmt.Errorf("open netlink socket: %w", err)
	}
	defer h.Close()
	defer func() {
		if err != nil {
			_ = ip.DelLinkByName(h, ifName)
		}
	}()

	res.Interfaces = []*current.Interface{
		{Name: hostVeth.Name, Mac: hostVeth.HardwareAddr.String()},
		{Name: contVeth.Name, Mac: contVeth.HardwareAddr.String(), Sandbox: netnsPath},
	}
	for _, ipc := range res.IPs {
		ipc.Interface = current.Int(1)
	}
	// Addresses first, with no route: the kernel's prefix routes are
	// replaced by routes through the gateway below.
	if err := ipam.ConfigureIfaceWith(h, ifName, &current.Result{Interfaces: res.Interfaces, IPs: res.IPs}); err != nil {
		return err
	}
	l, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifName, err)
	}
	if err := delPrefixRoutes(h, l, res.IPs); err != nil {
		return err
	}
	onLink, rest := containerRoutes(res)
	// The gateways must be on-link before routes through them are added;
	// the link-scope routes are planned without the IPs, whose gateways
	// the planner would otherwise give them.
	if err := install(l, &current.Result{Routes: onLink}); err != nil {
		return err
	}
	return install(l, &current.Result{IPs: res.IPs, Routes: rest})
}

// install plans the routes of res and installs them on l, through the
// shared route path.
func install(l netlink.Link, res *current.Result) error {
	groups, err := ipam.PlanRoutes(res)
	if err != nil {
		return err
	}
	return ipam.InstallRoutes(l, groups)
}

// delPrefixRoutes removes the on-link prefix routes the kernel added with
// the addresses (`ip route del PREFIX dev IF proto kernel`): on a veth the
// only neighbor is the host end, so the subnet is routed through the
// gateway instead.
func delPrefixRoutes(h *netlinksafe.Handle, l netlink.Link, ips []*current.IPConfig) error {
	for _, ipc := range ips {
		dst := ipaddr.Canonical(&ipc.Address)
		if isHostPrefix(*dst) {
			continue
		}
		// Scope "nowhere" matches any scope, as iproute2 sends it: IPv4
		// deletes only a route of the scope the request names.
		r := &netlink.Route{LinkIndex: l.Attrs().Index, Dst: dst, Protocol: unix.RTPROT_KERNEL,
			Table: unix.RT_TABLE_MAIN, Scope: netlink.SCOPE_NOWHERE}
		if err := h.RouteDel(r); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("delete prefix route %s dev %s: %w", dst, l.Attrs().Name, err)
		}
	}
	return nil
}

// setupHost, in the host namespace, gives the host end the gateway
// addresses and routes to the container's addresses, and enables
// forwarding for the families of res.
func setupHost(hostVeth string, res *current.Result) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return fmt.Errorf("open netlink socket: %w", err)
	}
	defer h.Close()
	l, err := h.LinkByName(hostVeth)
	if err != nil {
		return fmt.Errorf("find host end %s: %w", hostVeth, err)
	}
	for _, gw := range gateways(res) {
		addr := &netlink.Addr{IPNet: ipaddr.HostPrefix(gw)}
		if ipaddr.Is6(gw) {
			// The veth's only other end is the container, whose own
			// addresses went through DAD: the gateway is usable at once.
			addr.Flags = unix.IFA_F_NODAD
		}
		if err := h.AddrAdd(l, addr); err != nil {
			return fmt.Errorf("add address %s to %s: %w", addr.IPNet, hostVeth, err)
		}
	}
	if err := install(l, &current.Result{Routes: hostRoutes(res)}); err != nil {
		return err
	}
	return ip.EnableForward(res.IPs)
}

// checkContainer compares the container end with what ADD configured.
func checkContainer(h *netlinksafe.Handle, ifName string, res *current.Result) error {
	l, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifName, err)
	}
	if l.Type() != "veth" {
		return fmt.Errorf("%s is a %s, not a veth", ifName, l.Type())
	}
	onLink, rest := containerRoutes(res)
	return errors.Join(
		ipam.CheckIfaceWith(h, ifName, &current.Result{Interfaces: res.Interfaces, Routes: onLink}),
		ipam.CheckIfaceWith(h, ifName, &current.Result{Interfaces: res.Interfaces, IPs: res.IPs, Routes: rest}),
	)
}

// withHandle runs f with a netlink handle in the calling thread's namespace.
func withHandle(f func(h *netlinksafe.Handle) error) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return fmt.Errorf("open netlink socket: %w", err)
	}
	defer h.Close()
	return f(h)
}
