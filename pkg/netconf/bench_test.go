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

package netconf_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// benchResult returns the result of a link plugin's ADD with n IPv4
// routes to distinct destinations in 198.18.0.0/15, as static hands them
// out for the benchmark in tools/bench.
func benchResult(n int) *current.Result {
	res := &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		Interfaces: []*current.Interface{{Name: "eth0", Mac: "02:42:c0:00:02:0a", Sandbox: "/var/run/netns/bench"}},
		IPs: []*current.IPConfig{{
			Interface: current.Int(0),
			Address:   net.IPNet{IP: net.IPv4(192, 0, 2, 10), Mask: net.CIDRMask(24, 32)},
			Gateway:   net.IPv4(192, 0, 2, 1),
		}},
		DNS: types.DNS{Nameservers: []string{"192.0.2.53"}},
	}
	for i := range n {
		res.Routes = append(res.Routes, &types.Route{
			Dst: net.IPNet{IP: net.IPv4(198, 18, byte(i/256), byte(i%256)).To4(), Mask: net.CIDRMask(32, 32)},
			GW:  net.IPv4(192, 0, 2, 1),
		})
	}
	return res
}

// BenchmarkWriteResult prints a result with 1 and 1,000 routes, as every
// plugin's ADD does: "library" is the cni library's conversion and
// PrintTo, "netconf" is WriteResult.
func BenchmarkWriteResult(b *testing.B) {
	for _, n := range []int{1, 1000} {
		res := benchResult(n)
		b.Run(fmt.Sprintf("routes=%d/library", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				conv, err := res.GetAsVersion(current.ImplementedSpecVersion)
				if err != nil {
					b.Fatal(err)
				}
				if err := conv.PrintTo(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("routes=%d/netconf", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := netconf.WriteResult(io.Discard, res, current.ImplementedSpecVersion); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchConfig returns a macvlan config whose static IPAM hands out n
// routes, as tools/bench writes it.
func benchConfig(b *testing.B, n int) []byte {
	routes := make([]map[string]string, n)
	for i := range routes {
		routes[i] = map[string]string{"dst": fmt.Sprintf("198.18.%d.%d/32", i/256, i%256), "gw": "192.0.2.1"}
	}
	conf, err := json.Marshal(map[string]any{
		"cniVersion": "1.1.0",
		"name":       "bench",
		"type":       "macvlan",
		"master":     "eth0",
		"ipam": map[string]any{
			"type":      "static",
			"addresses": []map[string]string{{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}},
			"routes":    routes,
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	return conf
}

// BenchmarkLoad loads a link plugin's config whose IPAM section holds 1
// and 1,000 routes the link plugin itself never reads.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1, 1000} {
		conf := benchConfig(b, n)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var own struct {
					Master string `json:"master"`
					Mode   string `json:"mode"`
					MTU    int    `json:"mtu"`
				}
				if _, err := netconf.Load(conf, &own); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeResult decodes the result of an IPAM plugin with 1 and
// 1,000 routes, as a link plugin does after its IPAM plugin's ADD:
// "library" is version.NewResult, "netconf" is DecodeResult.
func BenchmarkDecodeResult(b *testing.B) {
	for _, n := range []int{1, 1000} {
		data, err := netconf.AppendResult(nil, benchResult(n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("routes=%d/library", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := version.NewResult(current.ImplementedSpecVersion, data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("routes=%d/netconf", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := netconf.DecodeResult(data); !ok {
					b.Fatal("DecodeResult declined the result")
				}
			}
		})
	}
}
