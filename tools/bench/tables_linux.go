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

//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	pns "github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// latencyTable prints ADD and DEL latency per scenario and client.
func latencyTable(o options, e *env, base stats) error {
	fmt.Printf("## ADD and DEL latency: macvlan + static, one default route\n\n")
	fmt.Printf("| scenario | client | verb | median | min–max | × hello |\n|---|---|---|---|---|---|\n")
	for _, s := range latencyScenarios(o.quick) {
		if !strings.Contains(s.name, o.scenario) {
			continue
		}
		for _, lib := range []bool{false, true} {
			client := "direct exec"
			if lib {
				client = "libcni"
			}
			var adds, dels []time.Duration
			for i := 0; i < o.warmup+o.runs; i++ {
				a, d, _, err := e.attachment(s.config("1.1.0"), lib, nil)
				if err != nil {
					return fmt.Errorf("%s via %s: %w", s.name, client, err)
				}
				if i >= o.warmup {
					adds, dels = append(adds, a), append(dels, d)
				}
			}
			fmt.Printf("| %s | %s | ADD | %s |\n", s.name, client, row(summarize(adds), base))
			fmt.Printf("| %s | %s | DEL | %s |\n", s.name, client, row(summarize(dels), base))
		}
	}
	fmt.Println()
	return nil
}

// benchPrefix is the RFC 2544 benchmarking range; /32s in it are the
// distinct destinations of the route-count rows.
func benchDst(i int) string {
	return fmt.Sprintf("198.18.%d.%d/32", i/256, i%256)
}

func routeCountScenario(n int) scenario {
	routes := make([]map[string]any, n)
	for i := range routes {
		routes[i] = via(benchDst(i), "192.0.2.1")
	}
	return scenario{name: fmt.Sprintf("%d routes", n), addresses: []map[string]string{addr4}, routes: routes}
}

func gatewayScenario(g int) scenario {
	routes := make([]map[string]any, g)
	for i := range routes {
		routes[i] = via("198.18.0.0/15", fmt.Sprintf("192.0.2.%d", 100+i))
	}
	return scenario{name: fmt.Sprintf("1 group, %d gateways", g), addresses: []map[string]string{addr4}, routes: routes}
}

// scalingTable prints ADD latency against route and gateway counts, with
// the route requests each ADD sent.
func scalingTable(o options, e *env, base stats) error {
	counts := []int{1, 10, 100, 1000, 5000}
	if o.quick {
		counts = counts[:4]
	}
	var ss []scenario
	for _, n := range counts {
		ss = append(ss, routeCountScenario(n))
	}
	for _, g := range []int{2, 8, 32, 64} {
		ss = append(ss, gatewayScenario(g))
	}
	fmt.Printf("## ADD latency against routes and gateways (IPv4, direct exec)\n\n")
	fmt.Printf("Route requests are the RTM_NEWROUTE notifications the kernel sent for the ADD\n")
	fmt.Printf("(one per accepted request), counted in one extra run.\n\n")
	fmt.Printf("| config | route requests | ADD median | min–max | × hello |\n|---|---|---|---|---|\n")
	for _, s := range ss {
		conf := s.config("1.1.0")
		st, err := measure(o, func() (time.Duration, error) {
			a, _, _, err := e.attachment(conf, false, nil)
			return a, err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		reqs, err := e.countRouteRequests(conf)
		if err != nil {
			return fmt.Errorf("%s: count requests: %w", s.name, err)
		}
		fmt.Printf("| %s | %d | %s |\n", s.name, reqs, row(st, base))
	}
	fmt.Println()
	return nil
}

// marker is a route the benchmark adds after the plugin exits: its
// notification arriving means every earlier one has been read.
var marker = &net.IPNet{IP: net.IPv4(203, 0, 113, 255).To4(), Mask: net.CIDRMask(32, 32)}

// countRouteRequests runs one ADD with a route subscription open in the
// container namespace and counts the routes it installed.
func (e *env) countRouteRequests(conf []byte) (int, error) {
	cont, err := testutils.NewNS()
	if err != nil {
		return 0, err
	}
	defer testutils.UnmountNS(cont)
	h, err := netns.GetFromPath(cont.Path())
	if err != nil {
		return 0, err
	}
	defer h.Close()

	ch := make(chan netlink.RouteUpdate, 1024)
	done := make(chan struct{})
	defer close(done)
	if err := netlink.RouteSubscribeWithOptions(ch, done, netlink.RouteSubscribeOptions{
		Namespace: &h, ReceiveBufferSize: 16 << 20, ReceiveBufferForceSize: true,
	}); err != nil {
		return 0, fmt.Errorf("subscribe to routes: %w", err)
	}

	id := fmt.Sprintf("bench-count-%d", time.Now().UnixNano())
	err = e.hostNS.Do(func(pns.NetNS) error {
		if _, _, err := execPlugin(nil, filepath.Join(e.binDir, "macvlan"), e.pluginEnv("ADD", id, cont.Path()), conf); err != nil {
			return err
		}
		return cont.Do(func(pns.NetNS) error {
			if err := netlink.RouteAdd(&netlink.Route{Dst: marker, Type: unix.RTN_BLACKHOLE}); err != nil {
				return fmt.Errorf("add marker route: %w", err)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	timeout := time.After(30 * time.Second)
	for {
		select {
		case u, ok := <-ch:
			if !ok {
				return 0, fmt.Errorf("route subscription closed")
			}
			if u.Type != unix.RTM_NEWROUTE || u.Protocol == unix.RTPROT_KERNEL || u.Table == unix.RT_TABLE_LOCAL {
				continue
			}
			if u.Dst != nil && u.Dst.String() == marker.String() {
				return n, e.hostNS.Do(func(pns.NetNS) error {
					_, _, err := execPlugin(nil, filepath.Join(e.binDir, "macvlan"), e.pluginEnv("DEL", id, cont.Path()), conf)
					return err
				})
			}
			n++
		case <-timeout:
			return 0, fmt.Errorf("no marker route notification within 30s (counted %d)", n)
		}
	}
}

// startTable prints each plugin binary's start cost and size.
func startTable(o options, base stats) error {
	entries, err := os.ReadDir(o.binDir)
	if err != nil {
		return err
	}
	var names []string
	for _, en := range entries {
		if en.Type().IsRegular() {
			names = append(names, en.Name())
		}
	}
	sort.Strings(names)
	fmt.Printf("## Start cost (CNI_COMMAND=VERSION) and size\n\n")
	fmt.Printf("| binary | median | min–max | × hello | size |\n|---|---|---|---|---|\n")
	envv := []string{"CNI_COMMAND=VERSION", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	stdin := []byte(`{"cniVersion":"1.1.0"}`)
	for _, n := range names {
		p := filepath.Join(o.binDir, n)
		st, err := measure(o, func() (time.Duration, error) { return timeExec(p, envv, stdin) })
		if err != nil {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %s | %.1f MiB |\n", n, row(st, base), float64(fi.Size())/(1<<20))
	}
	fmt.Println()
	return nil
}

// gnuTime is GNU time, whose %M is the peak RSS of the process it runs
// and of that process's children.
const gnuTime = "/usr/bin/time"

// memoryTable prints the peak resident memory of one ADD. It is read by
// GNU time rather than from the rusage Go's os/exec returns: Go starts
// children with a vfork-style clone that shares its address space until
// exec, and the kernel then charges the benchmark's own pages to the
// child's peak.
func memoryTable(e *env) error {
	fmt.Printf("## Peak resident memory of one ADD\n\n")
	if _, err := os.Stat(gnuTime); err != nil {
		fmt.Printf("Skipped: %s (Debian package time) is not installed.\n\n", gnuTime)
		return nil
	}
	fmt.Printf("| scenario | peak RSS (largest of macvlan and its static child) |\n|---|---|\n")
	for _, s := range []scenario{latencyScenarios(true)[0], routeCountScenario(1000)} {
		_, _, stderr, err := e.attachment(s.config("1.1.0"), false, []string{gnuTime, "-f", "%M"})
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		kib, err := strconv.Atoi(strings.TrimSpace(lines[len(lines)-1]))
		if err != nil {
			return fmt.Errorf("read peak RSS from %q: %w", stderr, err)
		}
		fmt.Printf("| %s | %.1f MiB |\n", s.name, float64(kib)/1024)
	}
	fmt.Println()
	return nil
}
