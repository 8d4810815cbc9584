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
	"fmt"
	"net"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipam"
)

// manyRoutes returns n IPv6 routes to 2001:db8:<i/gws>::/48, gws gateways
// per destination.
func manyRoutes(n, gws int) *current.Result {
	res := &current.Result{}
	for i := range n {
		g := i / gws
		res.Routes = append(res.Routes, &types.Route{
			Dst: net.IPNet{IP: net.ParseIP(fmt.Sprintf("2001:db8:%x::", g)), Mask: net.CIDRMask(48, 128)},
			GW:  net.ParseIP(fmt.Sprintf("2001:db8:ffff::%x", i%gws+1)),
		})
	}
	return res
}

// BenchmarkPlanRoutes plans 10,000 routes: all to distinct destinations,
// and in two-gateway groups.
func BenchmarkPlanRoutes(b *testing.B) {
	for _, gws := range []int{1, 2, 64} {
		res := manyRoutes(10000, gws)
		b.Run(fmt.Sprintf("routes=10000/gateways=%d", gws), func(b *testing.B) {
			b.ReportAllocs()
			var groups []ipam.RouteGroup
			for b.Loop() {
				var err error
				if groups, err = ipam.PlanRoutes(res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(groups)), "groups")
		})
	}
}
