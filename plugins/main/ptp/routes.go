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
	"net"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// Route scopes, as the kernel numbers them (rtnetlink.h).
const (
	scopeLink = 253
	scopeHost = 254
)

// containerRoutes returns the routes ptp gives the container, in the order
// they must be installed: first a link-scope route to each gateway (of the
// addresses and of the routes), since
// the container's addresses are reached only through the host end of the
// veth, whatever their prefix; then, for each address, its subnet through
// its gateway (in place of the kernel's on-link prefix route, which ADD
// removes: the only neighbor on a veth is the host); then the IPAM
// result's own routes. Routes to one destination with several gateways
// become one multipath route in pkg/ipam.
func containerRoutes(res *current.Result) (onLink, rest []*types.Route) {
	seen := map[string]bool{}
	addOnLink := func(gw net.IP) {
		if seen[gw.String()] {
			return
		}
		seen[gw.String()] = true
		r := &types.Route{Dst: *ipaddr.HostPrefix(gw)}
		if ipaddr.Is4(gw) {
			// IPv6 routes have no scope of their own in the kernel.
			r.Scope = intPtr(scopeLink)
		}
		onLink = append(onLink, r)
	}
	for _, ipc := range res.IPs {
		if ipc == nil || ipc.Gateway == nil {
			continue
		}
		addOnLink(ipc.Gateway)
		subnet := *ipaddr.Canonical(&ipc.Address)
		if !isHostPrefix(subnet) {
			rest = append(rest, &types.Route{Dst: subnet, GW: ipc.Gateway})
		}
	}
	for _, r := range res.Routes {
		if r == nil {
			continue
		}
		// A gateway the host end does not own is still installed, as
		// upstream's ptp installs it: once its neighbor entry fails, the
		// kernel leaves it out of the multipath route.
		if r.GW != nil {
			addOnLink(r.GW)
		}
		rest = append(rest, r)
	}
	return onLink, rest
}

// hostRoutes returns the host-side routes to the container's addresses
// through the host end: scope host for IPv4 and scope universe for IPv6,
// as upstream's ptp installs them.
func hostRoutes(res *current.Result) []*types.Route {
	var out []*types.Route
	for _, ipc := range res.IPs {
		if ipc == nil {
			continue
		}
		r := &types.Route{Dst: *ipaddr.HostPrefix(ipc.Address.IP)}
		if ipaddr.Is4(ipc.Address.IP) {
			r.Scope = intPtr(scopeHost)
		}
		out = append(out, r)
	}
	return out
}

// gateways returns the distinct gateways of res.IPs: the host end takes
// each of them as an address, and the container routes through them.
func gateways(res *current.Result) []net.IP {
	var out []net.IP
	seen := map[string]bool{}
	for _, ipc := range res.IPs {
		if ipc == nil || ipc.Gateway == nil || seen[ipc.Gateway.String()] {
			continue
		}
		seen[ipc.Gateway.String()] = true
		out = append(out, ipc.Gateway)
	}
	return out
}

// checkIPs refuses a result ptp cannot route: no address, or an address
// without a gateway (the host end answers for the gateway; without one the
// container has no next hop) or whose gateway is of another family.
func checkIPs(res *current.Result) error {
	if len(res.IPs) == 0 {
		return netconf.Invalid("IPAM result has no IP address")
	}
	for _, ipc := range res.IPs {
		if ipc == nil {
			return netconf.Invalid("IPAM result has a null IP entry")
		}
		if ipc.Gateway == nil {
			return netconf.Invalid("IP %s has no gateway: ptp routes the container through the gateway the host end of the veth takes", ipc.Address.String())
		}
		if !ipaddr.SameFamily(ipc.Gateway, ipc.Address.IP) {
			return netconf.Invalid("IP %s: gateway %s is of the other family", ipc.Address.String(), ipc.Gateway)
		}
	}
	return nil
}

// isHostPrefix reports whether n is a /32 or /128.
func isHostPrefix(n net.IPNet) bool {
	ones, bits := n.Mask.Size()
	return ones == bits
}

func intPtr(i int) *int { return &i }
