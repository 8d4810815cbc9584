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
	"encoding/json"
	"errors"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
)

// FuzzPlanRoutes feeds decoded results to the planner: it must never panic,
// must fail only with a *types.Error, and what it plans must be coherent
// and stable when planned again.
func FuzzPlanRoutes(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"ips":[` + ip4 + `,` + ip6 + `],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}`,
		`{"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"}]}`,
		`{"routes":[{"dst":"192.0.2.7/24","gw":"198.51.100.1","table":100,"priority":10,"mtu":1400,"advmss":1360},{"dst":"192.0.2.0/24","gw":"198.51.100.2","table":100,"priority":10,"mtu":1400,"advmss":1360}]}`,
		`{"routes":[{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","scope":253},{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1"}]}`,
		`{"routes":[{"dst":"192.0.2.0/24"},{"dst":"192.0.2.0/24","gw":"198.51.100.1"}]}`,
		`{"routes":[{"dst":"192.0.2.0/24","gw":"2001:db8:1::1"}]}`,
		`{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1400},{"dst":"192.0.2.0/24","gw":"198.51.100.2","mtu":-1}]}`,
		`{"ips":[{"address":"198.51.100.10/24","gateway":"2001:db8:1::1"}],"routes":[{"dst":"0.0.0.0/0","table":-5,"scope":300}]}`,
		`{"ips":[null],"routes":[null,{"dst":"::ffff:192.0.2.0/120","gw":"::ffff:198.51.100.1"}]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		res := &current.Result{}
		if json.Unmarshal([]byte(in), res) != nil {
			return
		}
		groups, err := ipam.PlanRoutes(res)
		if err != nil {
			var terr *types.Error
			if !errors.As(err, &terr) {
				t.Fatalf("PlanRoutes(%s) error %T %v, want *types.Error", in, err, err)
			}
			return
		}
		// Every group is coherent: a valid canonical prefix, gateways of its
		// family without duplicates.
		again := &current.Result{}
		for _, g := range groups {
			if !g.Dst.IsValid() || g.Dst != g.Dst.Masked() {
				t.Fatalf("group %v: destination %v not canonical", g, g.Dst)
			}
			seen := map[string]bool{}
			for _, gw := range g.Gateways {
				if ipaddr.Family(gw.AsSlice()) != g.Family || seen[gw.String()] {
					t.Fatalf("group %v: bad or repeated gateway %v", g, gw)
				}
				seen[gw.String()] = true
			}
			if g.String() == "" {
				t.Fatalf("group %+v renders empty", g)
			}
			again.Routes = append(again.Routes, groupRoutes(g)...)
		}
		// Planning the plan again gives the same plan.
		regroups, err := ipam.PlanRoutes(again)
		if err != nil {
			t.Fatalf("replanning %v: %v", groups, err)
		}
		if len(regroups) != len(groups) {
			t.Fatalf("replanning %v gave %v", groups, regroups)
		}
		for i := range groups {
			if groups[i].String() != regroups[i].String() {
				t.Fatalf("replanning %q gave %q", groups[i], regroups[i])
			}
		}
	})
}

// groupRoutes turns a planned group back into CNI routes, one per gateway.
func groupRoutes(g ipam.RouteGroup) []*types.Route {
	table, scope := g.Table, g.Scope
	base := types.Route{
		Dst:      *prefixNet(g),
		MTU:      g.MTU,
		AdvMSS:   g.AdvMSS,
		Priority: g.Priority,
		Table:    &table,
		Scope:    &scope,
	}
	if len(g.Gateways) == 0 {
		return []*types.Route{&base}
	}
	out := make([]*types.Route, 0, len(g.Gateways))
	for _, gw := range g.Gateways {
		r := base
		r.GW = gw.AsSlice()
		out = append(out, &r)
	}
	return out
}
