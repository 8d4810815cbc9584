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

package testutils

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// RouteText renders the routes of linkName in table (0 = main) for family
// (netlink.FAMILY_V4, FAMILY_V6 or FAMILY_ALL) as iproute2-style text, one
// line per route in kernel dump order, joined by "\n" without a trailing
// newline. Routes with "proto kernel" (connected and IPv6 link-local
// routes) are left out; RouteTextAll keeps them. Call it inside the
// namespace. An empty linkName selects every link.
//
// Line format, fields only when set:
//
//	<dst|default> [via <gw>] [dev <if>] [scope link|host] [metric N] [mtu N] [advmss N] [table N]
//	<dst|default> [scope …] [metric N] [mtu N] [advmss N] [table N] nexthop via <gw> dev <if> weight <w> nexthop …
//
// As iproute2 does, a host prefix (/32, /128) is printed as a bare address,
// a route type other than unicast precedes the destination, and table is
// printed only when it is not main. A multipath route is included when any
// of its nexthops uses linkName; weight is the kernel's hops + 1.
func RouteText(linkName string, family int, table int) (string, error) {
	return routeText(linkName, family, table, false)
}

// RouteTextAll is RouteText including "proto kernel" routes.
func RouteTextAll(linkName string, family int, table int) (string, error) {
	return routeText(linkName, family, table, true)
}

func routeText(linkName string, family, table int, all bool) (string, error) {
	links, err := netlinksafe.LinkList()
	if err != nil {
		return "", err
	}
	names := make(map[int]string, len(links))
	index := 0
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
		if l.Attrs().Name == linkName {
			index = l.Attrs().Index
		}
	}
	if linkName != "" && index == 0 {
		return "", fmt.Errorf("render routes of %s: link not found", linkName)
	}
	if table == 0 {
		// In a route filter table 0 means any table.
		table = unix.RT_TABLE_MAIN
	}
	routes, err := netlinksafe.RouteListFiltered(family, &netlink.Route{Table: table}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return "", fmt.Errorf("render routes of %s: %w", linkName, err)
	}
	var lines []string
	for _, r := range routes {
		if !all && r.Protocol == unix.RTPROT_KERNEL {
			continue
		}
		if linkName != "" && !routeUsesLink(r, index) {
			continue
		}
		lines = append(lines, FormatRoute(r, names))
	}
	return strings.Join(lines, "\n"), nil
}

// routeUsesLink reports whether r or any of its nexthops goes out of the
// link with index. RouteList(link) cannot tell: a multipath route has link
// index 0.
func routeUsesLink(r netlink.Route, index int) bool {
	if r.LinkIndex == index {
		return true
	}
	for _, nh := range r.MultiPath {
		if nh.LinkIndex == index {
			return true
		}
	}
	return false
}

// FormatRoute renders one route in the format of RouteText; names maps link
// indexes to names (an unknown index is printed as "if<N>").
func FormatRoute(r netlink.Route, names map[int]string) string {
	var b strings.Builder
	if t, ok := routeTypes[r.Type]; ok {
		b.WriteString(t + " ")
	} else if r.Type != unix.RTN_UNICAST && r.Type != unix.RTN_UNSPEC {
		fmt.Fprintf(&b, "type%d ", r.Type)
	}
	b.WriteString(dstText(r.Dst))
	dev := func(i int) string {
		if n, ok := names[i]; ok {
			return n
		}
		return "if" + strconv.Itoa(i)
	}
	if len(r.MultiPath) == 0 {
		if r.Gw != nil {
			b.WriteString(" via " + r.Gw.String())
		}
		if r.LinkIndex != 0 {
			b.WriteString(" dev " + dev(r.LinkIndex))
		}
	}
	if r.Scope != netlink.SCOPE_UNIVERSE {
		b.WriteString(" scope " + scopeText(r.Scope))
	}
	if r.Priority != 0 {
		fmt.Fprintf(&b, " metric %d", r.Priority)
	}
	if r.MTU != 0 {
		fmt.Fprintf(&b, " mtu %d", r.MTU)
	}
	if r.AdvMSS != 0 {
		fmt.Fprintf(&b, " advmss %d", r.AdvMSS)
	}
	if r.Table != 0 && r.Table != unix.RT_TABLE_MAIN {
		fmt.Fprintf(&b, " table %d", r.Table)
	}
	for _, nh := range r.MultiPath {
		b.WriteString(" nexthop")
		if nh.Gw != nil {
			b.WriteString(" via " + nh.Gw.String())
		}
		if nh.LinkIndex != 0 {
			b.WriteString(" dev " + dev(nh.LinkIndex))
		}
		fmt.Fprintf(&b, " weight %d", nh.Hops+1)
	}
	return b.String()
}

var routeTypes = map[int]string{
	unix.RTN_LOCAL:       "local",
	unix.RTN_BROADCAST:   "broadcast",
	unix.RTN_ANYCAST:     "anycast",
	unix.RTN_MULTICAST:   "multicast",
	unix.RTN_BLACKHOLE:   "blackhole",
	unix.RTN_UNREACHABLE: "unreachable",
	unix.RTN_PROHIBIT:    "prohibit",
	unix.RTN_THROW:       "throw",
}

func dstText(dst *net.IPNet) string {
	if dst == nil {
		return "default"
	}
	switch ones, bits := dst.Mask.Size(); ones {
	case 0:
		return "default"
	case bits:
		return dst.IP.String()
	}
	return dst.String()
}

func scopeText(s netlink.Scope) string {
	switch s {
	case netlink.SCOPE_LINK:
		return "link"
	case netlink.SCOPE_HOST:
		return "host"
	case netlink.SCOPE_SITE:
		return "site"
	case netlink.SCOPE_NOWHERE:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}
