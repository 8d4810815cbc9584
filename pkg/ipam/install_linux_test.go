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

func TestNetlinkRoute(t *testing.T) {
	mp := plan(t, `{"dst":"192.0.2.0/24","gw":"198.51.100.1","table":100,"priority":10,"mtu":1400,"advmss":1360,"scope":0},
		{"dst":"192.0.2.0/24","gw":"198.51.100.2","table":100,"priority":10,"mtu":1400,"advmss":1360}`)
	r := mp.NetlinkRoute(7)
	if r.Gw != nil || r.LinkIndex != 0 || len(r.MultiPath) != 2 {
		t.Fatalf("NetlinkRoute(multipath) = %+v, want no Gw, no LinkIndex, 2 nexthops", r)
	}
	for i, nh := range r.MultiPath {
		if nh.LinkIndex != 7 || nh.Hops != 0 || nh.Gw.String() != fmt.Sprintf("198.51.100.%d", i+1) {
			t.Fatalf("nexthop %d = %+v", i, nh)
		}
	}
	if r.Dst.String() != "192.0.2.0/24" || r.Table != 100 || r.Priority != 10 || r.MTU != 1400 || r.AdvMSS != 1360 || r.Family != unix.AF_INET {
		t.Fatalf("NetlinkRoute(multipath) = %+v", r)
	}

	one := plan(t, `{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","scope":253}`).NetlinkRoute(3)
	if one.Gw.String() != "2001:db8:1::1" || one.LinkIndex != 3 || one.MultiPath != nil || one.Scope != 253 ||
		one.Dst.String() != "2001:db8:2::/64" || one.Priority != 1024 || one.Table != ipam.TableMain {
		t.Fatalf("NetlinkRoute(plain) = %+v", one)
	}
	dev := plan(t, `{"dst":"192.0.2.0/24"}`).NetlinkRoute(3)
	if dev.Gw != nil || dev.LinkIndex != 3 || dev.MultiPath != nil {
		t.Fatalf("NetlinkRoute(device) = %+v", dev)
	}
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
