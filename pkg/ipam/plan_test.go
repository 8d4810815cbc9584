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
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipam"
)

// result decodes a result written as JSON, the way a runtime hands it over.
func result(t testing.TB, js string) *current.Result {
	t.Helper()
	res := &current.Result{}
	if err := json.Unmarshal([]byte(js), res); err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	return res
}

// gatewayRoutes returns n routes to dst, one per gateway, as JSON.
func gatewayRoutes(dst string, n int, gw func(i int) string) string {
	parts := make([]string, n)
	for i := range n {
		parts[i] = fmt.Sprintf(`{"dst":%q,"gw":%q}`, dst, gw(i))
	}
	return strings.Join(parts, ",")
}

func v4gw(i int) string { return fmt.Sprintf("198.51.100.%d", i+1) }
func v6gw(i int) string { return fmt.Sprintf("2001:db8:1::%x", i+1) }

// manyV4 and manyV6 are gateways for groups of up to 63,750 and 65,535
// members, on-link with addresses in 198.18.0.0/15 and 2001:db8:1::/64.
func manyV4(i int) string { return fmt.Sprintf("198.18.%d.%d", 1+i/250, 1+i%250) }
func manyV6(i int) string { return fmt.Sprintf("2001:db8:1::1:%x", i+1) }

// nexthops renders n gateways as "nexthop via …" text.
func nexthops(n int, gw func(i int) string) string {
	parts := make([]string, n)
	for i := range n {
		parts[i] = "nexthop via " + gw(i)
	}
	return strings.Join(parts, " ")
}

const (
	ip4  = `{"address":"198.51.100.10/24","gateway":"198.51.100.1"}`
	ip4b = `{"address":"203.0.113.10/24","gateway":"203.0.113.1"}`
	ip4n = `{"address":"198.51.100.10/24"}`
	ip6  = `{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}`
)

func TestPlanRoutes(t *testing.T) {
	tests := []struct {
		name    string
		in      string // a current.Result as JSON; "" for a nil result
		want    []string
		wantErr string // substring of a code 7 error
	}{
		{name: "nil result", in: ""},
		{name: "no routes", in: `{"ips":[` + ip4 + `]}`},
		{name: "nil route entries are skipped", in: `{"routes":[null,{"dst":"192.0.2.0/24","gw":"198.51.100.1"},null]}`,
			want: []string{"192.0.2.0/24 via 198.51.100.1"}},
		{name: "one route with gateway", in: `{"ips":[` + ip4 + `],"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.2"}]}`,
			want: []string{"192.0.2.0/24 via 198.51.100.2"}},
		{name: "default without gw takes the address gateway", in: `{"ips":[` + ip4 + `],"routes":[{"dst":"0.0.0.0/0"}]}`,
			want: []string{"default via 198.51.100.1"}},
		{name: "gateway of the first address of the family", in: `{"ips":[` + ip4n + `,` + ip4b + `,` + ip4 + `],"routes":[{"dst":"0.0.0.0/0"}]}`,
			want: []string{"default via 203.0.113.1"}},
		{name: "no gateway anywhere makes a device route", in: `{"ips":[` + ip4n + `],"routes":[{"dst":"192.0.2.0/24"}]}`,
			want: []string{"192.0.2.0/24"}},
		{name: "IPv6 route takes the IPv6 gateway", in: `{"ips":[` + ip4 + `,` + ip6 + `],"routes":[{"dst":"::/0"}]}`,
			want: []string{"default via 2001:db8:1::1 metric 1024"}},
		{name: "IPv4 route ignores an IPv6 gateway", in: `{"ips":[` + ip6 + `],"routes":[{"dst":"192.0.2.0/24"}]}`,
			want: []string{"192.0.2.0/24"}},
		{name: "two gateways make one multipath route", in: `{"routes":[` + gatewayRoutes("0.0.0.0/0", 2, v4gw) + `]}`,
			want: []string{"default nexthop via 198.51.100.1 nexthop via 198.51.100.2"}},
		{name: "nexthops keep config order", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.9"},{"dst":"192.0.2.0/24","gw":"198.51.100.3"}]}`,
			want: []string{"192.0.2.0/24 nexthop via 198.51.100.9 nexthop via 198.51.100.3"}},
		{name: "table and metric example", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1","table":100,"priority":10},{"dst":"192.0.2.0/24","gw":"198.51.100.2","table":100,"priority":10}]}`,
			want: []string{"192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.2 table 100 metric 10"}},
		{name: "identical routes merge", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1"},{"dst":"192.0.2.0/24","gw":"198.51.100.1"}]}`,
			want: []string{"192.0.2.0/24 via 198.51.100.1"}},
		{name: "duplicate nexthop merges", in: `{"routes":[` + gatewayRoutes("192.0.2.0/24", 2, v4gw) + `,{"dst":"192.0.2.0/24","gw":"198.51.100.1"}]}`,
			want: []string{"192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.2"}},
		{name: "defaulted gateway merges with the same explicit one", in: `{"ips":[` + ip4 + `],"routes":[{"dst":"0.0.0.0/0"},{"dst":"0.0.0.0/0","gw":"198.51.100.1"}]}`,
			want: []string{"default via 198.51.100.1"}},
		{name: "defaulted gateway joins a multipath group first", in: `{"ips":[` + ip4 + `],"routes":[{"dst":"0.0.0.0/0"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"}]}`,
			want: []string{"default nexthop via 198.51.100.1 nexthop via 198.51.100.2"}},
		{name: "identical device routes merge", in: `{"routes":[{"dst":"192.0.2.0/24"},{"dst":"192.0.2.0/24"}]}`,
			want: []string{"192.0.2.0/24"}},
		{name: "one-leg groups stay plain routes", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1"},{"dst":"203.0.113.0/24","gw":"198.51.100.2"}]}`,
			want: []string{"192.0.2.0/24 via 198.51.100.1", "203.0.113.0/24 via 198.51.100.2"}},
		{name: "eight gateways", in: `{"routes":[` + gatewayRoutes("0.0.0.0/0", 8, v4gw) + `]}`,
			want: []string{"default " + nexthops(8, v4gw)}},
		{name: "64 IPv4 gateways", in: `{"routes":[` + gatewayRoutes("192.0.2.0/24", 64, v4gw) + `]}`,
			want: []string{"192.0.2.0/24 " + nexthops(64, v4gw)}},
		{name: "64 IPv6 gateways", in: `{"routes":[` + gatewayRoutes("::/0", 64, v6gw) + `]}`,
			want: []string{"default " + nexthops(64, v6gw) + " metric 1024"}},
		{name: "metric splits groups", in: `{"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1","priority":10},{"dst":"0.0.0.0/0","gw":"198.51.100.2","priority":20}]}`,
			want: []string{"default via 198.51.100.1 metric 10", "default via 198.51.100.2 metric 20"}},
		{name: "table splits groups", in: `{"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1","table":100},{"dst":"0.0.0.0/0","gw":"198.51.100.2"}]}`,
			want: []string{"default via 198.51.100.1 table 100", "default via 198.51.100.2"}},
		{name: "table 0, 254 and unset are main", in: `{"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1","table":0},{"dst":"0.0.0.0/0","gw":"198.51.100.2","table":254},{"dst":"0.0.0.0/0","gw":"198.51.100.3"}]}`,
			want: []string{"default nexthop via 198.51.100.1 nexthop via 198.51.100.2 nexthop via 198.51.100.3"}},
		{name: "scope splits groups", in: `{"routes":[{"dst":"192.0.2.0/24","scope":253},{"dst":"192.0.2.0/24"}]}`,
			want: []string{"192.0.2.0/24 scope link", "192.0.2.0/24"}},
		{name: "host bits are masked", in: `{"routes":[{"dst":"192.0.2.7/24","gw":"198.51.100.1"},{"dst":"192.0.2.0/24","gw":"198.51.100.2"}]}`,
			want: []string{"192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.2"}},
		{name: "IPv6 metric 0 and 1024 are one group", in: `{"routes":[{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1"},{"dst":"2001:db8:2::/64","gw":"2001:db8:1::2","priority":1024}]}`,
			want: []string{"2001:db8:2::/64 nexthop via 2001:db8:1::1 nexthop via 2001:db8:1::2 metric 1024"}},
		{name: "IPv4-mapped gateway is IPv4", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"::ffff:198.51.100.1"}]}`,
			want: []string{"192.0.2.0/24 via 198.51.100.1"}},
		{name: "mtu and advmss honoured", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1400,"advmss":1360},{"dst":"192.0.2.0/24","gw":"198.51.100.2","mtu":1400,"advmss":1360}]}`,
			want: []string{"192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.2 mtu 1400 advmss 1360"}},
		{name: "groups in order of first appearance", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1"},{"dst":"203.0.113.0/24","gw":"198.51.100.2"},{"dst":"192.0.2.0/24","gw":"198.51.100.3"}]}`,
			want: []string{"192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.3", "203.0.113.0/24 via 198.51.100.2"}},
		{name: "both families", in: `{"ips":[` + ip4 + `,` + ip6 + `],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},{"dst":"::/0","gw":"2001:db8:1::2"}]}`,
			want: []string{"default nexthop via 198.51.100.1 nexthop via 198.51.100.2", "default nexthop via 2001:db8:1::1 nexthop via 2001:db8:1::2 metric 1024"}},

		{name: "mtu conflict", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1400},{"dst":"192.0.2.0/24","gw":"198.51.100.2","mtu":1500}]}`,
			wantErr: "routes to 192.0.2.0/24 disagree on mtu: 1400 and 1500"},
		{name: "mtu set and unset conflict", in: `{"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1","mtu":1400,"table":7},{"dst":"0.0.0.0/0","gw":"198.51.100.2","table":7}]}`,
			wantErr: "routes to default table 7 disagree on mtu: 1400 and unset"},
		{name: "advmss conflict", in: `{"routes":[{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","advmss":1300},{"dst":"2001:db8:2::/64","gw":"2001:db8:1::2","advmss":1200}]}`,
			wantErr: "routes to 2001:db8:2::/64 metric 1024 disagree on advmss: 1300 and 1200"},
		{name: "duplicate with another mtu conflicts", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1400},{"dst":"192.0.2.0/24","gw":"198.51.100.1","mtu":1300}]}`,
			wantErr: "disagree on mtu: 1400 and 1300"},
		{name: "device route then gateway route", in: `{"ips":[` + ip4n + `],"routes":[{"dst":"192.0.2.0/24"},{"dst":"192.0.2.0/24","gw":"198.51.100.1"}]}`,
			wantErr: "routes to 192.0.2.0/24 mix a route without gateway"},
		{name: "gateway route then device route", in: `{"routes":[{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0"}]}`,
			wantErr: "routes to default metric 1024 mix a route without gateway"},
		{name: "IPv6 gateway on an IPv4 route", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"2001:db8:1::1"}]}`,
			wantErr: "route 192.0.2.0/24: gateway 2001:db8:1::1 is not IPv4"},
		{name: "IPv4 gateway on an IPv6 route", in: `{"routes":[{"dst":"2001:db8:2::/64","gw":"198.51.100.1"}]}`,
			wantErr: "route 2001:db8:2::/64: gateway 198.51.100.1 is not IPv6"},
		{name: "address gateway of the other family", in: `{"ips":[{"address":"198.51.100.10/24","gateway":"2001:db8:1::1"}],"routes":[{"dst":"0.0.0.0/0"}]}`,
			wantErr: "ips[0]: gateway 2001:db8:1::1 of address 198.51.100.10/24 is not IPv4"},
		{name: "unspecified gateway", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"0.0.0.0"}]}`,
			wantErr: "route 192.0.2.0/24: gateway 0.0.0.0: not a unicast address"},
		{name: "negative table", in: `{"routes":[{"dst":"192.0.2.0/24","gw":"198.51.100.1","table":-1}]}`,
			wantErr: "route 192.0.2.0/24: table -1 is out of range"},
		{name: "scope out of range", in: `{"routes":[{"dst":"192.0.2.0/24","scope":256}]}`,
			wantErr: "route 192.0.2.0/24: scope 256 is out of range 0-255"},
		{name: "IPv4 gateways at the limit", in: `{"routes":[` + gatewayRoutes("0.0.0.0/0", 1984, manyV4) + `]}`,
			want: []string{"default " + nexthops(1984, manyV4)}},
		{name: "IPv4 gateways past the limit", in: `{"routes":[` + gatewayRoutes("0.0.0.0/0", 1985, manyV4) + `]}`,
			wantErr: "route default: 1,985 gateways, at most 1,984 fit in one kernel route"},
		{name: "IPv6 gateways at the limit", in: `{"routes":[` + gatewayRoutes("2001:db8:2::/64", 1133, manyV6) + `]}`,
			want: []string{"2001:db8:2::/64 " + nexthops(1133, manyV6) + " metric 1024"}},
		{name: "IPv6 gateways past the limit", in: `{"routes":[` + gatewayRoutes("2001:db8:2::/64", 1134, manyV6) + `]}`,
			wantErr: "route 2001:db8:2::/64 metric 1024: 1,134 gateways, at most 1,133 fit in one kernel route"},
		{name: "duplicates do not count against the limit", in: `{"routes":[` + gatewayRoutes("0.0.0.0/0", 1984, manyV4) + `,` +
			gatewayRoutes("0.0.0.0/0", 1984, manyV4) + `]}`,
			want: []string{"default " + nexthops(1984, manyV4)}},
		{name: "IPv4-mapped destination", in: `{"routes":[{"dst":"::ffff:0:0/96","gw":"2001:db8:1::1"}]}`,
			wantErr: "routes[0]: destination ::ffff:0.0.0.0/96 is an IPv4-mapped IPv6 prefix"},
		{name: "IPv4-mapped destination without gateway", in: `{"routes":[{"dst":"::ffff:192.0.2.0/120"}]}`,
			wantErr: "routes[0]: destination ::ffff:192.0.2.0/120 is an IPv4-mapped IPv6 prefix"},
		{name: "IPv4-mapped gateway on an IPv6 route", in: `{"routes":[{"dst":"::/0","gw":"::ffff:198.51.100.1"}]}`,
			wantErr: "route ::/0: gateway 198.51.100.1 is not IPv6"},
		{name: "IPv6 scope does not split groups", in: `{"routes":[{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","scope":253},{"dst":"2001:db8:2::/64","gw":"2001:db8:1::2"}]}`,
			want: []string{"2001:db8:2::/64 nexthop via 2001:db8:1::1 nexthop via 2001:db8:1::2 scope link metric 1024"}},
		{name: "IPv6 scoped device route mixed with a gateway route", in: `{"routes":[{"dst":"2001:db8:2::/64","scope":253},{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1"}]}`,
			wantErr: "routes to 2001:db8:2::/64 scope link metric 1024 mix a route without gateway"},
		{name: "IPv6 device routes differing in scope merge", in: `{"routes":[{"dst":"2001:db8:2::/64","scope":253},{"dst":"2001:db8:2::/64"}]}`,
			want: []string{"2001:db8:2::/64 scope link metric 1024"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *current.Result
			if tt.in != "" {
				res = result(t, tt.in)
			}
			groups, err := ipam.PlanRoutes(res)
			if tt.wantErr != "" {
				var terr *types.Error
				if !errors.As(err, &terr) || terr.Code != types.ErrInvalidNetworkConfig {
					t.Fatalf("PlanRoutes(%s) error = %v, want *types.Error code 7", tt.name, err)
				}
				if !strings.Contains(terr.Msg, tt.wantErr) {
					t.Fatalf("PlanRoutes(%s) error = %q, want it to contain %q", tt.name, terr.Msg, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("PlanRoutes(%s) error = %v", tt.name, err)
			}
			got := make([]string, len(groups))
			for i, g := range groups {
				got[i] = g.String()
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("PlanRoutes(%s) =\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestPlanRoutesFields(t *testing.T) {
	res := result(t, `{"routes":[
		{"dst":"192.0.2.9/24","gw":"198.51.100.1","table":100,"priority":10,"scope":0,"mtu":1400,"advmss":1360},
		{"dst":"192.0.2.0/24","gw":"198.51.100.2","table":100,"priority":10,"mtu":1400,"advmss":1360},
		{"dst":"2001:db8:2::/64"}]}`)
	groups, err := ipam.PlanRoutes(res)
	if err != nil {
		t.Fatalf("PlanRoutes() error = %v", err)
	}
	if len(groups) != 2 {
		t.Fatalf("PlanRoutes() = %d groups, want 2", len(groups))
	}
	g := groups[0]
	if g.Family != 2 || g.Dst.String() != "192.0.2.0/24" || g.Table != 100 || g.Priority != 10 ||
		g.Scope != 0 || g.MTU != 1400 || g.AdvMSS != 1360 || !g.Multipath() || len(g.Gateways) != 2 {
		t.Fatalf("PlanRoutes()[0] = %+v", g)
	}
	d := groups[1]
	if d.Family != 10 || d.Table != ipam.TableMain || d.Priority != ipam.IPv6DefaultMetric || d.Multipath() || len(d.Gateways) != 0 {
		t.Fatalf("PlanRoutes()[1] = %+v", d)
	}
	if got, want := g.Text("eth0"), "192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.2 dev eth0 table 100 metric 10 mtu 1400 advmss 1360"; got != want {
		t.Fatalf("Text(eth0) = %q, want %q", got, want)
	}
	if got, want := d.Text("eth0"), "2001:db8:2::/64 dev eth0 metric 1024"; got != want {
		t.Fatalf("Text(eth0) = %q, want %q", got, want)
	}
}

func TestPlanRoutesHandBuilt(t *testing.T) {
	// Values built in Go rather than decoded: a missing destination and a
	// gateway of an impossible length are configuration errors, not panics.
	for _, r := range []*types.Route{
		{},
		{Dst: net.IPNet{IP: net.IP{192, 0, 2, 0}, Mask: net.CIDRMask(24, 32)}, GW: net.IP{1, 2, 3}},
	} {
		_, err := ipam.PlanRoutes(&current.Result{Routes: []*types.Route{r}})
		var terr *types.Error
		if !errors.As(err, &terr) || terr.Code != types.ErrInvalidNetworkConfig {
			t.Fatalf("PlanRoutes(%+v) error = %v, want code 7", r, err)
		}
	}
}

// prefixNet returns the destination of g as a net.IPNet.
func prefixNet(g ipam.RouteGroup) *net.IPNet {
	return &net.IPNet{IP: g.Dst.Addr().AsSlice(), Mask: net.CIDRMask(g.Dst.Bits(), g.Dst.Addr().BitLen())}
}
