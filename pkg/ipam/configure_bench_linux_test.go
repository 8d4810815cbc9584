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
	"os"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// benchPrefixes returns n distinct IPv4 destinations from the documentation
// ranges: every prefix of length 24 to 32 inside 192.0.2.0/24 and
// 203.0.113.0/24 (511 each).
func benchPrefixes(n int) []net.IPNet {
	var out []net.IPNet
	for _, base := range []net.IP{{192, 0, 2, 0}, {203, 0, 113, 0}} {
		for ones := 24; ones <= 32; ones++ {
			step := 1 << (32 - ones)
			for host := 0; host < 256; host += step {
				ip := net.IPv4(base[0], base[1], base[2], byte(host)).To4()
				out = append(out, net.IPNet{IP: ip, Mask: net.CIDRMask(ones, 32)})
				if len(out) == n {
					return out
				}
			}
		}
	}
	panic(fmt.Sprintf("only %d documentation prefixes, %d asked", len(out), n))
}

// benchResult is an IPv4 result for bench0 with n routes in groups of gws
// gateways each.
func benchResult(n, gws int) (*current.Result, int) {
	res := &current.Result{
		Interfaces: []*current.Interface{{Name: "bench0"}},
		IPs: []*current.IPConfig{{
			Interface: current.Int(0),
			Address:   net.IPNet{IP: net.IPv4(198, 51, 100, 100), Mask: net.CIDRMask(24, 32)},
			Gateway:   net.IPv4(198, 51, 100, 1),
		}},
	}
	dsts := benchPrefixes((n + gws - 1) / gws)
	for i := range n {
		res.Routes = append(res.Routes, &types.Route{Dst: dsts[i/gws], GW: net.IPv4(198, 51, 100, byte(i%gws+1))})
	}
	return res, len(dsts)
}

// BenchmarkConfigureIface measures ConfigureIface (IPv4, so no DAD wait) on
// a fresh veth in a test namespace, with 1, 100 and 1,000 routes to
// distinct destinations and with one 64-gateway group. Link creation and
// removal are not timed. That one request is sent per group is asserted by
// the ConfigureIface specs, from the kernel's route notifications.
func BenchmarkConfigureIface(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root: creates a network namespace")
	}
	if err := testutils.ProbeKernelFeature("multipath"); err != nil {
		b.Skip(err)
	}
	target, err := testutils.NewNS()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { testutils.UnmountNS(target) })

	for _, c := range []struct{ routes, gws int }{{1, 1}, {100, 1}, {1000, 1}, {64, 64}} {
		res, groups := benchResult(c.routes, c.gws)
		b.Run(fmt.Sprintf("routes=%d/gateways=%d", c.routes, c.gws), func(b *testing.B) {
			err := target.Do(func(ns.NetNS) error {
				h, err := netlinksafe.NewHandle()
				if err != nil {
					return err
				}
				defer h.Close()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "bench0"}, PeerName: "bench1"}
					if err := h.LinkAdd(veth); err != nil {
						return fmt.Errorf("add veth: %w", err)
					}
					if err := h.LinkSetUp(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "bench1"}}); err != nil {
						return fmt.Errorf("set bench1 up: %w", err)
					}
					b.StartTimer()
					if err := ipam.ConfigureIface("bench0", res); err != nil {
						return err
					}
					b.StopTimer()
					if err := h.LinkDel(veth); err != nil {
						return fmt.Errorf("delete veth: %w", err)
					}
					b.StartTimer()
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(groups), "groups")
		})
	}
}
