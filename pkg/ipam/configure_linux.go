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
	"fmt"
	"net"
	"net/netip"
	"time"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// DADTimeout bounds the wait for IPv6 duplicate address detection of the
// addresses ConfigureIface adds.
const DADTimeout = 10 * time.Second

// ConfigureIface configures the interface ifName from res, on a thread in
// the container's namespace: it adds the addresses of res.IPs whose
// Interface names ifName, prepares the link for IPv6 when one of them is
// IPv6 (prepareIPv6), sets the link up, waits for duplicate address
// detection of the IPv6 addresses it added, and installs every route of res through
// PlanRoutes and InstallRoutes. The routes are planned first, so a bad
// route is reported (code 7) before the kernel is touched.
//
// It uses one netlink socket for the whole call.
func ConfigureIface(ifName string, res *current.Result) error {
	return withHandle("configure", ifName, func(h *netlinksafe.Handle) error {
		return ConfigureIfaceWith(h, ifName, res)
	})
}

// withHandle runs f on a new netlink handle in the calling thread's
// namespace, and closes it; op names what f does to ifName in the error
// when the handle cannot be opened.
func withHandle(op, ifName string, f func(*netlinksafe.Handle) error) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, ifName, err)
	}
	defer h.Close()
	return f(h)
}

// ConfigureIfaceWith is ConfigureIface on the caller's netlink handle, which
// must be in the namespace of the calling thread: the sysctls it writes go
// to that thread's namespace.
func ConfigureIfaceWith(h *netlinksafe.Handle, ifName string, res *current.Result) error {
	groups, ips, link, err := planIface(h, ifName, res)
	if err != nil {
		return err
	}

	var v6 []net.IP
	for _, ipc := range ips {
		if ipaddr.Is6(ipc.Address.IP) {
			v6 = append(v6, ipc.Address.IP)
		}
	}
	restore := func() error { return nil }
	if len(v6) > 0 {
		if restore, err = prepareIPv6(ifName); err != nil {
			return err
		}
	}
	// Restored on every path: the shorter timer is for our own DAD only.
	restored := false
	defer func() {
		if !restored {
			_ = restore()
		}
	}()
	for _, ipc := range ips {
		addr := &netlink.Addr{IPNet: &net.IPNet{IP: ipc.Address.IP, Mask: ipc.Address.Mask}}
		if err := h.AddrAdd(link, addr); err != nil {
			return fmt.Errorf("add address %s to %s: %w", ipc.Address.String(), ifName, err)
		}
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", ifName, err)
	}
	// Routes via a gateway need the address that makes it on-link usable;
	// a tentative IPv6 address is not, and DAD starts only once the link
	// is up.
	if err := ip.WaitForDAD(h, link.Attrs().Index, v6, DADTimeout); err != nil {
		return err
	}
	restored = true
	if err := restore(); err != nil {
		return err
	}
	return InstallRoutes(link, groups)
}

// DADRetransTime is the IPv6 retransmission timer (RetransTimer of RFC
// 4861, net.ipv6.neigh.<if>.retrans_time_ms) of an interface while the
// duplicate address detection of the addresses ConfigureIface adds runs.
//
// DAD sends one Neighbor Solicitation per address and declares the address
// unique when no answer came within RetransTimer (RFC 4862 section 5.4),
// 1 s by default, which was nearly all of an IPv6 ADD. A node holding the
// address answers at once, in the time a packet takes to cross the link
// and back; 100 ms is an order of magnitude above what a container's
// link, a bridge or a data-center fabric takes. A duplicate that answers
// later than that is not detected, as it would not be detected by upstream
// v1.10.0, which no longer waits for DAD at all. Documentation/performance.md
// ("IPv6 ADD") has the measurements behind the value.
const DADRetransTime = 100 * time.Millisecond

// prepareIPv6 readies ifName for the IPv6 addresses ConfigureIface adds,
// before they are added: it enables IPv6 on the link and on lo, keeps the
// addresses over a down/up of the link, drops the random delay of the
// first DAD probe and shortens the DAD wait to DADRetransTime. It returns
// the function that restores the link's retransmission timer, to be called
// once DAD is over. The sysctl keys are written as paths: interface names
// may contain dots.
func prepareIPv6(ifName string) (func() error, error) {
	conf := "net/ipv6/conf/" + ifName + "/"
	// A link whose IPv6 is disabled (the default of some hosts for new
	// links) refuses IPv6 addresses; so does lo, and the container's own
	// traffic to its addresses goes through lo.
	if _, err := sysctl.Ensure(conf+"disable_ipv6", "0"); err != nil {
		return nil, fmt.Errorf("enable IPv6 on %s: %w", ifName, err)
	}
	if _, err := sysctl.Ensure("net/ipv6/conf/lo/disable_ipv6", "0"); err != nil {
		return nil, fmt.Errorf("enable IPv6 on lo: %w", err)
	}
	// Without it the kernel removes the link's IPv6 addresses when it goes
	// down (addrconf_ifdown in net/ipv6/addrconf.c), and `ip link set dev
	// down; up` inside the container would leave it without them, which
	// IPv4 addresses survive. Upstream's plugins set it too.
	if err := sysctl.Set(conf+"keep_addr_on_down", "1"); err != nil {
		return nil, fmt.Errorf("keep the IPv6 addresses of %s when it goes down: %w", ifName, err)
	}
	// The kernel delays the first DAD probe of an address by a random
	// 0..router_solicitation_delay seconds (1 s by default; see
	// addrconf_dad_kick in net/ipv6/addrconf.c). RFC 4862 section 5.4.2 asks
	// for that delay to spread the probes of many hosts starting at once on
	// one link, e.g. after a power failure. A container interface is new and
	// starts alone, and the runtime already serializes pod starts far more
	// than a second's jitter would, so we drop the delay on this interface
	// only. Duplicates are still detected: only the wait before the probe
	// goes.
	if err := sysctl.Set(conf+"router_solicitation_delay", "0"); err != nil {
		return nil, fmt.Errorf("drop the DAD start delay on %s: %w", ifName, err)
	}
	return ip.SetRetransTime(ifName, DADRetransTime)
}

// planIface is where ConfigureIfaceWith and CheckIfaceWith start: it plans
// the routes of res first, so that a bad route is reported (code 7) before
// the kernel is asked anything, then takes the IP configs of res that name
// ifName and finds its link.
func planIface(h *netlinksafe.Handle, ifName string, res *current.Result) ([]RouteGroup, []*current.IPConfig, netlink.Link, error) {
	groups, err := PlanRoutes(res)
	if err != nil {
		return nil, nil, nil, err
	}
	ips, err := ifaceIPs(ifName, res)
	if err != nil {
		return nil, nil, nil, err
	}
	link, err := h.LinkByName(ifName)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find link %s: %w", ifName, err)
	}
	return groups, ips, link, nil
}

// ifaceIPs returns the IP configs of res that name ifName. Configs that name
// no interface are skipped; one that names another interface, or an index
// out of range, is an error: the result does not describe this interface.
// An address listed twice for the interface is a code 7 error, found here
// rather than as the kernel's "file exists": IPv4 refuses the same address
// with the same prefix length twice on a link (inet_insert_ifa), IPv6 the
// same address with any (ipv6_add_addr).
func ifaceIPs(ifName string, res *current.Result) ([]*current.IPConfig, error) {
	if res == nil {
		return nil, nil
	}
	var (
		out  []*current.IPConfig
		seen = make(map[addrKey]int, len(res.IPs))
	)
	for i, ipc := range res.IPs {
		if ipc == nil || ipc.Interface == nil {
			continue
		}
		idx := *ipc.Interface
		if idx < 0 || idx >= len(res.Interfaces) || res.Interfaces[idx] == nil {
			return nil, fmt.Errorf("ips[%d] %s: interface index %d out of range (%d interfaces)",
				i, ipc.Address.String(), idx, len(res.Interfaces))
		}
		if name := res.Interfaces[idx].Name; name != ifName {
			return nil, fmt.Errorf("ips[%d] %s: interface index %d names %q, not %q",
				i, ipc.Address.String(), idx, name, ifName)
		}
		if ipaddr.Family(ipc.Address.IP) == 0 {
			return nil, fmt.Errorf("ips[%d]: %q is not an IP address", i, ipc.Address.String())
		}
		if ipaddr.IsMappedPrefix(&ipc.Address) {
			return nil, netconf.Invalid("ips[%d]: address %s is IPv4-mapped; write IPv4 addresses as IPv4", i, mappedText(&ipc.Address))
		}
		k := keyOfAddr(ipc.Address)
		if first, dup := seen[k]; dup {
			return nil, netconf.Invalid("ips[%d]: address %s is listed twice for %s (also ips[%d])",
				i, ipc.Address.String(), ifName, first)
		}
		seen[k] = i
		out = append(out, ipc)
	}
	return out, nil
}

// addrKey is what the kernel tells a link's addresses apart by: the address,
// and for IPv4 also the prefix length.
type addrKey struct {
	addr netip.Addr
	ones int
}

func keyOfAddr(n net.IPNet) addrKey {
	a, _ := netip.AddrFromSlice(ipaddr.Normalize(n.IP))
	k := addrKey{addr: a}
	if a.Is4() {
		k.ones, _ = n.Mask.Size()
	}
	return k
}
