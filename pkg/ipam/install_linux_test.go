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

package ipam_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipam"
)

// plan plans routes given as JSON and returns the only group.
func plan(t *testing.T, routes string) ipam.RouteGroup {
	t.Helper()
	groups, err := ipam.PlanRoutes(result(t, `{"routes":[`+routes+`]}`))
	if err != nil || len(groups) != 1 {
		t.Fatalf("PlanRoutes(%s) = %v, %v; want one group", routes, groups, err)
	}
	return groups[0]
}

// netlinkRoute returns g as the netlink library's route on the link with
// index linkIndex: the reference the installer's own requests are compared
// with. A multipath group carries its nexthops in Route.MultiPath, each on
// linkIndex with weight 1 (Hops 0), and leaves Route.Gw and Route.LinkIndex
// unset, because IPv4 rejects a top-level gateway or output interface that
// differs from the first nexthop's (EINVAL).
func netlinkRoute(g ipam.RouteGroup, linkIndex int) *netlink.Route {
	r := &netlink.Route{
		Family:   g.Family,
		Dst:      prefixNet(g),
		Table:    g.Table,
		Priority: g.Priority,
		Scope:    netlink.Scope(g.Scope),
		MTU:      g.MTU,
		AdvMSS:   g.AdvMSS,
	}
	switch len(g.Gateways) {
	case 0:
		r.LinkIndex = linkIndex
	case 1:
		r.LinkIndex = linkIndex
		r.Gw = g.Gateways[0].AsSlice()
	default:
		r.MultiPath = make([]*netlink.NexthopInfo, len(g.Gateways))
		for i, gw := range g.Gateways {
			r.MultiPath[i] = &netlink.NexthopInfo{LinkIndex: linkIndex, Gw: gw.AsSlice()}
		}
	}
	return r
}

func TestRouteError(t *testing.T) {
	mp := plan(t, `{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"}`)
	one := plan(t, `{"dst":"0.0.0.0/0","gw":"198.51.100.1"}`)
	for _, tt := range []struct {
		g         ipam.RouteGroup
		err       error
		supported bool
		want      string
	}{
		{mp, unix.EEXIST, true, "add route default nexthop via 198.51.100.1 nexthop via 198.51.100.2 dev eth0: file exists"},
		{mp, unix.EINVAL, true, "add route default nexthop via 198.51.100.1 nexthop via 198.51.100.2 dev eth0: invalid argument"},
		{mp, unix.EINVAL, false, "add route default nexthop via 198.51.100.1 nexthop via 198.51.100.2 dev eth0: " +
			"multipath support not enabled in kernel (CONFIG_IP_ROUTE_MULTIPATH): invalid argument"},
		{mp, fmt.Errorf("%w: Multipath support not enabled in kernel", unix.EINVAL), true,
			"add route default nexthop via 198.51.100.1 nexthop via 198.51.100.2 dev eth0: " +
				"multipath support not enabled in kernel (CONFIG_IP_ROUTE_MULTIPATH): invalid argument: Multipath support not enabled in kernel"},
		{one, unix.EINVAL, false, "add route default via 198.51.100.1 dev eth0: invalid argument"},
	} {
		got := ipam.RouteError(tt.g, "eth0", tt.err, tt.supported)
		if got.Error() != tt.want || !errors.Is(got, unix.EEXIST) && !errors.Is(got, unix.EINVAL) {
			t.Errorf("routeError(%s, %v, supported=%v) = %q, want %q", tt.g, tt.err, tt.supported, got, tt.want)
		}
	}
}

func TestBatchFits(t *testing.T) {
	const max, n = ipam.MaxBatchBytes, ipam.MaxBatchRequests
	for _, tt := range []struct {
		count, batchBytes, size int
		want                    bool
	}{
		{0, 0, 100, true},
		{0, 0, max + 1, true}, // a request larger than a batch goes alone
		{1, max - 100, 100, true},
		{1, max - 100, 101, false},
		{1, 100, max - 100, true},
		{1, 100, max - 99, false},
		{n - 1, 100, 100, true},
		{n, 100, 100, false},
	} {
		if got := ipam.BatchFits(tt.count, tt.batchBytes, tt.size); got != tt.want {
			t.Errorf("batchFits(%d requests, %d bytes, +%d) = %v, want %v", tt.count, tt.batchBytes, tt.size, got, tt.want)
		}
	}
}
