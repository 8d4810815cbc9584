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
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// ensureBridge is `ip link add NAME [mtu MTU] type bridge [vlan_filtering 1]`
// unless NAME exists, then `ip link set NAME [promisc on] up`; it also
// turns off router advertisements on it (accept_ra 0), as upstream does: a
// bridge gateway must not configure itself from the containers' RAs.
// created reports whether this call made the bridge. A link of that name
// that is not a bridge is a configuration error.
func ensureBridge(h *netlinksafe.Handle, conf *NetConf) (br *netlink.Bridge, created bool, err error) {
	br, err = bridgeByName(h, conf.BrName)
	if errors.Is(err, errNoBridge) {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = conf.BrName
		attrs.MTU = conf.MTU
		// -1: no queue, as `ip link add type bridge` makes it.
		attrs.TxQLen = -1
		nb := &netlink.Bridge{LinkAttrs: attrs}
		if conf.vlanFiltering() {
			on := true
			nb.VlanFiltering = &on
		}
		err = h.LinkAdd(nb)
		switch {
		case err == nil:
			created = true
		case errors.Is(err, unix.EEXIST):
			// Another ADD created it meanwhile.
		default:
			return nil, false, fmt.Errorf("add bridge %s: %w", conf.BrName, err)
		}
		br, err = bridgeByName(h, conf.BrName)
	}
	if err != nil {
		return nil, false, err
	}
	if conf.vlanFiltering() && (br.VlanFiltering == nil || !*br.VlanFiltering) {
		// Only the bridge's index and the one attribute: sending back
		// everything LinkByName read makes the kernel refuse some of it
		// (EINVAL on 6.1).
		attrs := netlink.NewLinkAttrs()
		attrs.Index = br.Attrs().Index
		attrs.Name = br.Attrs().Name
		if err := h.BridgeSetVlanFiltering(&netlink.Bridge{LinkAttrs: attrs}, true); err != nil {
			return nil, created, fmt.Errorf("set vlan_filtering on bridge %s: %w", conf.BrName, err)
		}
	}
	if conf.PromiscMode {
		if err := h.SetPromiscOn(br); err != nil {
			return nil, created, fmt.Errorf("set bridge %s promisc: %w", conf.BrName, err)
		}
	}
	if err := disableRA(conf.BrName); err != nil {
		return nil, created, err
	}
	if err := h.LinkSetUp(br); err != nil {
		return nil, created, fmt.Errorf("set bridge %s up: %w", conf.BrName, err)
	}
	return br, created, nil
}

var errNoBridge = errors.New("no such bridge")

// bridgeByName returns the bridge name; the error wraps errNoBridge when
// there is no link of that name.
func bridgeByName(h *netlinksafe.Handle, name string) (*netlink.Bridge, error) {
	l, err := h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return nil, fmt.Errorf("bridge %s: %w", name, errNoBridge)
		}
		return nil, fmt.Errorf("find bridge %s: %w", name, err)
	}
	br, ok := l.(*netlink.Bridge)
	if !ok {
		return nil, netconf.Invalid("bridge %q: a link of that name exists and is a %s, not a bridge", name, l.Type())
	}
	return br, nil
}

// disableRA is `sysctl -w net.ipv6.conf.NAME.accept_ra=0`; a host without
// IPv6 has no such key and needs nothing.
func disableRA(name string) error {
	err := sysctl.Set("net/ipv6/conf/"+name+"/accept_ra", "0")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("disable router advertisements on %s: %w", name, err)
	}
	return nil
}

// attachPort is `ip link set HOST master BR`, then `bridge link set dev
// HOST hairpin on|off isolated on|off`, the port's VLANs (`bridge vlan add
// dev HOST vid V pvid untagged`, tagged trunk ranges, `bridge vlan del dev
// HOST vid 1` unless preserved), and accept_ra 0 on HOST.
func attachPort(h *netlinksafe.Handle, br *netlink.Bridge, hostName string, conf *NetConf) error {
	port, err := h.LinkByName(hostName)
	if err != nil {
		return fmt.Errorf("find host veth %s: %w", hostName, err)
	}
	if err := h.LinkSetMaster(port, br); err != nil {
		return fmt.Errorf("attach %s to bridge %s: %w", hostName, conf.BrName, err)
	}
	if conf.HairpinMode {
		if err := h.LinkSetHairpin(port, true); err != nil {
			return fmt.Errorf("set hairpin mode on %s: %w", hostName, err)
		}
	}
	if conf.PortIsolation {
		if err := h.LinkSetIsolated(port, true); err != nil {
			return fmt.Errorf("isolate port %s: %w", hostName, err)
		}
	}
	if conf.Vlan != 0 {
		if err := h.BridgeVlanAdd(port, uint16(conf.Vlan), true, true, false, true); err != nil {
			return fmt.Errorf("add vlan %d (pvid untagged) to %s: %w", conf.Vlan, hostName, err)
		}
	}
	for _, r := range conf.vlans {
		// The kernel refuses a range whose first and last VLAN are one.
		add := func() error { return h.BridgeVlanAdd(port, uint16(r.min), false, false, false, true) }
		if r.max > r.min {
			add = func() error {
				return h.BridgeVlanAddRange(port, uint16(r.min), uint16(r.max), false, false, false, true)
			}
		}
		if err := add(); err != nil {
			return fmt.Errorf("add vlans %d-%d to %s: %w", r.min, r.max, hostName, err)
		}
	}
	if conf.vlanFiltering() && !conf.preserveDefaultVlan() {
		if err := h.BridgeVlanDel(port, 1, false, false, false, true); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("remove default vlan 1 from %s: %w", hostName, err)
		}
	}
	return disableRA(hostName)
}

// gatewayNets returns the address the bridge needs for each IP config of
// res when it is the gateway: the IPAM gateway, or the first address of
// the subnet when IPAM named none (then recorded in the result, as
// upstream does), with the subnet's prefix length.
func gatewayNets(res *current.Result) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, ipc := range res.IPs {
		if ipc == nil {
			continue
		}
		subnet := ipaddr.Canonical(&ipc.Address)
		if subnet == nil {
			return nil, fmt.Errorf("invalid address %v in ipam result", ipc.Address)
		}
		if ipc.Gateway == nil {
			gw := make(net.IP, len(subnet.IP))
			copy(gw, subnet.IP)
			gw[len(gw)-1]++
			ipc.Gateway = gw
		}
		gw := ipaddr.Normalize(ipc.Gateway)
		if !ipaddr.SameFamily(gw, subnet.IP) || !subnet.Contains(gw) {
			return nil, netconf.Invalid("gateway %s is not in subnet %s of address %s", ipc.Gateway, subnet, ipc.Address.String())
		}
		out = append(out, &net.IPNet{IP: gw, Mask: subnet.Mask})
	}
	return out, nil
}

// ensureBridgeAddrs gives the bridge each gateway address: `ip addr add
// GW/LEN dev BR` unless it has it. A bridge address in the same subnet
// that differs is replaced when force is set and an error otherwise;
// addresses of other subnets stay, so that attachments on several subnets
// and both families share one bridge. It returns the addresses it added.
func ensureBridgeAddrs(h *netlinksafe.Handle, br netlink.Link, gws []*net.IPNet, force bool) ([]*net.IPNet, error) {
	var added []*net.IPNet
	for _, gw := range gws {
		have, err := h.AddrList(br, ipaddr.Family(gw.IP))
		if err != nil {
			return added, fmt.Errorf("list addresses of bridge %s: %w", br.Attrs().Name, err)
		}
		found := false
		for _, a := range have {
			if a.IP.IsLinkLocalUnicast() {
				continue
			}
			sameSubnet := a.Contains(gw.IP) || gw.Contains(a.IP)
			switch {
			case a.IP.Equal(gw.IP) && a.Mask.String() == gw.Mask.String():
				found = true
			case !sameSubnet:
			case force:
				if err := h.AddrDel(br, &a); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
					return added, fmt.Errorf("replace address %s of bridge %s: %w", a.IPNet, br.Attrs().Name, err)
				}
			default:
				return added, netconf.Invalid("bridge %s has address %s, not gateway %s (set forceAddress to replace it)",
					br.Attrs().Name, a.IPNet, gw)
			}
		}
		if found {
			continue
		}
		if err := h.AddrAdd(br, &netlink.Addr{IPNet: gw}); err != nil {
			if errors.Is(err, unix.EEXIST) {
				continue // added meanwhile by another ADD
			}
			return added, fmt.Errorf("add address %s to bridge %s: %w", gw, br.Attrs().Name, err)
		}
		added = append(added, gw)
	}
	return added, nil
}

// undoBridge removes what a failed ADD did to the bridge: the addresses it
// added and, when it created the bridge, the bridge, but only when no port
// is attached any more (another ADD may be using them meanwhile).
func undoBridge(h *netlinksafe.Handle, name string, created bool, added []*net.IPNet) error {
	br, err := bridgeByName(h, name)
	if err != nil {
		if errors.Is(err, errNoBridge) {
			return nil
		}
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			return nil
		}
	}
	if created {
		if err := h.LinkDel(br); err != nil {
			return fmt.Errorf("delete bridge %s: %w", name, err)
		}
		return nil
	}
	var errs []error
	for _, a := range added {
		if err := h.AddrDel(br, &netlink.Addr{IPNet: a}); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			errs = append(errs, fmt.Errorf("delete address %s of bridge %s: %w", a, name, err))
		}
	}
	return errors.Join(errs...)
}

// defaultRoutes adds to res, for each family that has no default route
// yet, a default route via each gateway of that family: ConfigureIface
// installs several as one multipath route.
func defaultRoutes(res *current.Result) {
	hasDefault := map[int]bool{}
	for _, r := range res.Routes {
		if r != nil && ipaddr.IsDefault(&r.Dst) {
			hasDefault[ipaddr.PrefixFamily(&r.Dst)] = true
		}
	}
	seen := map[string]bool{}
	for _, ipc := range res.IPs {
		if ipc == nil || ipc.Gateway == nil {
			continue
		}
		family := ipaddr.Family(ipc.Gateway)
		if family == 0 || hasDefault[family] || seen[ipc.Gateway.String()] {
			continue
		}
		seen[ipc.Gateway.String()] = true
		dst := net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
		if family == ipaddr.FamilyV6 {
			dst = net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
		}
		res.Routes = append(res.Routes, &types.Route{Dst: dst, GW: ipc.Gateway})
	}
}
