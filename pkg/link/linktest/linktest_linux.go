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

// Package linktest holds the fixtures the link plugins' tests share: a
// master interface in a "host" namespace, IPAM plugins built for the suite,
// the CNI environment a delegated IPAM call reads, and a snapshot of a
// namespace to prove that a failed ADD left nothing behind. Only tests
// import it.
package linktest

import (
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// AddMaster creates, in the calling thread's namespace, a veth pair whose
// end name serves as the master of macvlan or ipvlan links and whose other
// end is name+"p" (to watch what the master sends); both are up, with mtu
// and without IPv6 link-local addresses.
func AddMaster(name string, mtu int) (netlink.Link, error) {
	veth := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: name, MTU: mtu},
		PeerName:  name + "p",
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return nil, fmt.Errorf("add veth %s: %w", name, err)
	}
	for _, n := range []string{name, name + "p"} {
		// No IPv6 link-local address: it would appear a moment after the
		// link comes up, on the kernel's schedule, and make namespace
		// snapshots differ for reasons that have nothing to do with the
		// plugin under test.
		if err := sysctl.Set("net.ipv6.conf."+n+".addr_gen_mode", "1"); err != nil {
			return nil, err
		}
		l, err := netlinksafe.LinkByName(n)
		if err != nil {
			return nil, err
		}
		if err := netlink.LinkSetUp(l); err != nil {
			return nil, fmt.Errorf("set %s up: %w", n, err)
		}
	}
	for _, n := range []string{name, name + "p"} {
		if err := waitSettled(n); err != nil {
			return nil, err
		}
	}
	return netlinksafe.LinkByName(name)
}

// waitSettled waits until the kernel has finished reacting to the veth end
// name coming up. The carrier change is handled later, by the kernel's
// link watcher, which then sets the operational state and adds the IPv6
// multicast route (ff00::/8 in the local table): a snapshot taken before
// that differs from one taken after, whatever the plugin under test did.
func waitSettled(name string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := netlinksafe.LinkByName(name)
		if err != nil {
			return err
		}
		settled := l.Attrs().OperState == netlink.OperUp
		if settled {
			if v, err := sysctl.Get("net.ipv6.conf." + name + ".disable_ipv6"); err == nil && strings.TrimSpace(v) == "0" {
				routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_V6,
					&netlink.Route{LinkIndex: l.Attrs().Index, Table: unix.RT_TABLE_LOCAL},
					netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
				if err != nil {
					return err
				}
				settled = false
				for _, r := range routes {
					if r.Dst != nil && r.Dst.IP.IsMulticast() {
						settled = true
					}
				}
			}
		}
		if settled {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("veth %s: not settled after coming up (operstate %v)", name, l.Attrs().OperState)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// AddDefaultRoute gives link the address addr (CIDR) and a default route
// via gw, in the calling thread's namespace.
func AddDefaultRoute(l netlink.Link, addr, gw string) error {
	a, err := netlink.ParseAddr(addr)
	if err != nil {
		return err
	}
	if err := netlink.AddrAdd(l, a); err != nil {
		return fmt.Errorf("add %s to %s: %w", addr, l.Attrs().Name, err)
	}
	r := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: net.ParseIP(gw)}
	if err := netlink.RouteAdd(r); err != nil {
		return fmt.Errorf("add default route via %s: %w", gw, err)
	}
	return nil
}

// SetEnv exports what skel would have read from the environment for args,
// with command as CNI_COMMAND. A plugin run in-process passes its
// environment on to the IPAM plugin it delegates to, which runs as a real
// binary and wants CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME and CNI_ARGS. The
// specs of a suite run one after the other, so the process environment is
// not shared with anything running concurrently.
func SetEnv(command string, args *skel.CmdArgs) {
	for k, v := range map[string]string{
		"CNI_COMMAND":     command,
		"CNI_CONTAINERID": args.ContainerID,
		"CNI_NETNS":       args.Netns,
		"CNI_IFNAME":      args.IfName,
		"CNI_ARGS":        args.Args,
		// Passed on to the IPAM plugin as a runtime's environment is.
		"CNI_NETNS_OVERRIDE": args.NetnsOverride,
	} {
		Expect(os.Setenv(k, v)).To(Succeed())
	}
}

// Snapshot renders the calling thread's namespace: every link with its
// type, MTU, administrative state and addresses, and every route of the main and local tables
// for both families, kernel routes included. Two equal snapshots mean
// nothing was added, removed or left behind between them.
func Snapshot() (string, error) {
	links, err := netlinksafe.LinkList()
	if err != nil {
		return "", err
	}
	var lines []string
	for _, l := range links {
		a := l.Attrs()
		addrs, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return "", err
		}
		var as []string
		for _, addr := range addrs {
			as = append(as, addr.IPNet.String())
		}
		sort.Strings(as)
		// Only the administrative state: carrier ("running") follows a
		// moment after a veth comes up, on its own schedule.
		lines = append(lines, fmt.Sprintf("link %s type %s mtu %d up %t addrs [%s]",
			a.Name, l.Type(), a.MTU, a.Flags&net.FlagUp != 0, strings.Join(as, " ")))
	}
	sort.Strings(lines)
	for _, table := range []int{0, 255} {
		for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
			rt, err := testutils.RouteTextAll("", family, table)
			if err != nil {
				return "", err
			}
			if rt != "" {
				lines = append(lines, rt)
			}
		}
	}
	return strings.Join(lines, "\n"), nil
}
