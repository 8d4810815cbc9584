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

package integration_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// familyCase is one address-family setup every spec runs in.
type familyCase struct {
	name     string
	families []family
}

var (
	familyCases = []familyCase{
		{"IPv4", []family{ipv4}},
		{"IPv6", []family{ipv6}},
		{"dual stack", []family{ipv4, ipv6}},
	}
	linkPlugins = []string{"macvlan", "ipvlan"}
)

const (
	// spreadFlows is how many flows a spread assertion sends per router
	// set: with two routers and a random hash seed, the chance that one
	// router gets none is 2^-63.
	spreadFlows = 64
	// deliveryWait bounds how long a probe waits for its datagrams.
	deliveryWait = 5 * time.Second
	// failoverTimeout bounds the failover: the container's neighbor entry
	// of the vanished router goes from REACHABLE (15-45 s) through DELAY
	// (5 s) and three unicast probes (3 s) to FAILED.
	failoverTimeout = 120 * time.Second
)

// requirePlugin skips the spec when the kernel cannot make plugin's link
// type, and fails it when the plugins were not built.
func requirePlugin(plugin string) {
	GinkgoHelper()
	testutils.RequireKernelFeature(plugin)
	for _, bin := range []string{plugin, "static"} {
		_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
		Expect(err).NotTo(HaveOccurred(), "plugin %s not built: run ./build_linux.sh", bin)
	}
}

// attach runs ADD through libcni and registers the DEL.
func attach(topo *topology, conf netConf) *client {
	GinkgoHelper()
	c := newClient(topo, conf)
	_, err := c.add()
	Expect(err).NotTo(HaveOccurred(), "ADD %s", conf.Plugin)
	DeferCleanup(func() { Expect(c.del()).To(Succeed()) })
	return c
}

// routeText renders the container's main-table routes of family on its
// interface (all links when link is empty).
func (t *topology) routeText(link string, f family) string {
	GinkgoHelper()
	var text string
	Expect(t.container.Do(func(ns.NetNS) (err error) {
		text, err = testutils.RouteText(link, f.netlink, 0)
		return err
	})).To(Succeed())
	return text
}

// metricText is what the kernel reports for a route added without a
// priority: IPv4 keeps 0 (not printed), IPv6 stores 1024.
func metricText(f family, priority int) string {
	switch {
	case priority != 0:
		return fmt.Sprintf(" metric %d", priority)
	case f.netlink == ipv6.netlink:
		return " metric 1024"
	}
	return ""
}

// multipathLine is the expected text of one route to dst with a nexthop
// through each of the given routers.
func multipathLine(f family, dst string, routers ...int) string {
	line := dst + metricText(f, 0)
	for _, i := range routers {
		line += fmt.Sprintf(" nexthop via %s dev %s weight 1", f.gateway(i), ifName)
	}
	return line
}

func allRouters(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// expectSpread sends one datagram to each of dsts, each a new flow, and
// expects all of them to arrive and every router to receive some.
func expectSpread(topo *topology, f family, dsts []net.IP, what string) []int {
	GinkgoHelper()
	counts, err := topo.probe(what, dsts, deliveryWait)
	Expect(err).NotTo(HaveOccurred())
	GinkgoWriter.Printf("%s %s: datagrams per router %v\n", f.name, what, counts)
	Expect(sum(counts)).To(Equal(len(dsts)), "%s %s: every datagram arrives", f.name, what)
	Expect(counts).To(HaveEach(BeNumerically(">", 0)), "%s %s: every router receives some flows", f.name, what)
	return counts
}

func repeatIP(ip net.IP, n int) []net.IP {
	out := make([]net.IP, n)
	for i := range out {
		out[i] = ip
	}
	return out
}

var _ = Describe("ECMP through libcni", func() {
	for _, plugin := range linkPlugins {
		for _, fc := range familyCases {
			Context(plugin+", "+fc.name, func() {
				fams := fc.families
				twoGatewayRoutes := func() []staticRoute {
					return append(ecmpRoutes(fams, 2, defaultDst), ecmpRoutes(fams, 2, prefixDst)...)
				}

				BeforeEach(func() {
					requirePlugin(plugin)
				})

				It("ADD installs one multipath route for the default route and one for the prefix", func() {
					topo := newTopology(2)
					attach(topo, newNetConf(plugin, fams, twoGatewayRoutes()))
					for _, f := range fams {
						Expect(topo.routeText(ifName, f)).To(Equal(strings.Join(twoGatewayText(f), "\n")), f.name)
					}
				})

				It("spreads flows to many destinations over both routers, and flows to one destination only with L4 hashing", func() {
					topo := newTopology(2)
					attach(topo, newNetConf(plugin, fams, twoGatewayRoutes()))
					for _, f := range fams {
						expectSpread(topo, f, destinations(f.prefixDst, spreadFlows), "L3 hash, prefix route")
						expectSpread(topo, f, destinations(f.defaultDst, spreadFlows), "L3 hash, default route")
					}
					for _, f := range fams {
						// The L3 hash sees only the addresses: every flow to one destination takes one gateway.
						one := repeatIP(nthAddr(f.prefixDst, 7), spreadFlows)
						counts, err := topo.probe("L3 hash, one destination", one, deliveryWait)
						Expect(err).NotTo(HaveOccurred())
						GinkgoWriter.Printf("%s L3 hash, one destination: datagrams per router %v\n", f.name, counts)
						Expect(counts).To(ContainElement(spreadFlows), "%s: one router carries all flows to one destination", f.name)

						Expect(topo.container.Do(func(ns.NetNS) error { return sysctl.Set(f.hashPolicy, "1") })).To(Succeed())
						expectSpread(topo, f, one, "L4 hash, one destination")
					}
				})

				It("fails over to the remaining router, with nothing set by the test in the container", func() {
					topo := newTopology(2)
					attach(topo, newNetConf(plugin, fams, twoGatewayRoutes()))
					for _, f := range fams {
						expectSpread(topo, f, destinations(f.prefixDst, spreadFlows), "before failover")
					}

					Expect(topo.routers[0].setSegment(false)).To(Succeed())
					took := measureFailover(topo, fams)
					for _, f := range fams {
						GinkgoWriter.Printf("%s: all new flows on router-b %s after router-a left\n", f.name, took[f.name])
						AddReportEntry(f.name+" failover time", took[f.name].String())
					}
				})

				It("CHECK passes after ADD and fails without a nexthop; GC and STATUS answer; DEL removes everything, twice", func() {
					topo := newTopology(2)
					c := newClient(topo, newNetConf(plugin, fams, twoGatewayRoutes()))
					_, err := c.add()
					Expect(err).NotTo(HaveOccurred())
					Expect(c.check()).To(Succeed())
					Expect(c.gc()).To(Succeed(), "GC keeps a valid attachment")
					Expect(c.status()).To(Succeed())
					Expect(c.check()).To(Succeed(), "CHECK after GC")

					for _, f := range fams {
						// One leg removed by hand: the route replaced by a plain route through router-a.
						setRoute(topo, f.prefixDst, f.gateway(0))
						Expect(c.check()).To(MatchError(ContainSubstring(f.prefixDst.String())), "%s: CHECK without a nexthop", f.name)
						setRoute(topo, f.prefixDst, f.gateway(0), f.gateway(1))
						Expect(c.check()).To(Succeed(), "%s: CHECK with the route restored", f.name)
					}

					Expect(c.del()).To(Succeed())
					Expect(topo.container.Do(func(ns.NetNS) error {
						_, err := netlinksafe.LinkByName(ifName)
						return err
					})).To(MatchError(ContainSubstring("not found")))
					for _, f := range fams {
						Expect(topo.routeText("", f)).To(BeEmpty(), "%s: no route left", f.name)
					}
					Expect(c.del()).To(Succeed(), "DEL twice")
				})

				It("gives a primary and a backup route for two priorities, not ECMP", func() {
					topo := newTopology(2)
					var routes []staticRoute
					for _, f := range fams {
						for _, dst := range []string{defaultDst(f), prefixDst(f)} {
							routes = append(routes,
								staticRoute{Dst: dst, GW: f.gateway(0).String(), Priority: 100},
								staticRoute{Dst: dst, GW: f.gateway(1).String(), Priority: 200})
						}
					}
					attach(topo, newNetConf(plugin, fams, routes))
					for _, f := range fams {
						Expect(topo.routeText(ifName, f)).To(Equal(strings.Join(backupText(f), "\n")), f.name)
						counts, err := topo.probe("primary", destinations(f.prefixDst, spreadFlows), deliveryWait)
						Expect(err).NotTo(HaveOccurred())
						GinkgoWriter.Printf("%s primary/backup: datagrams per router %v\n", f.name, counts)
						Expect(counts).To(Equal([]int{spreadFlows, 0}), "%s: the primary carries everything", f.name)
					}
				})

				It("installs one route with eight nexthops and reaches all eight routers", func() {
					topo := newTopology(8)
					attach(topo, newNetConf(plugin, fams, ecmpRoutes(fams, 8, defaultDst)))
					for _, f := range fams {
						Expect(topo.routeText(ifName, f)).To(Equal(multipathLine(f, "default", allRouters(8)...)), f.name)
						// 255 flows (every host address of a /24) over 8 routers: one router
						// is missed with probability below 8*(7/8)^255 < 2e-14.
						expectSpread(topo, f, destinations(f.defaultDst, 255), "eight gateways")
					}
				})
			})
		}
	}
})

// twoGatewayText is the expected route text of the two-gateway config.
func twoGatewayText(f family) []string {
	var out []string
	for _, dst := range dumpOrder(f) {
		out = append(out, multipathLine(f, dst, 0, 1))
	}
	return out
}

// dumpOrder is the order in which the kernel dumps the default route and
// the prefix route: IPv4 walks its trie from 0.0.0.0/0 up, IPv6 dumps the
// default route, held at the root of its tree, last.
func dumpOrder(f family) []string {
	if f.netlink == ipv6.netlink {
		return []string{f.prefixDst.String(), "default"}
	}
	return []string{"default", f.prefixDst.String()}
}

// backupText is the expected route text of the primary/backup config.
func backupText(f family) []string {
	var out []string
	for _, dst := range dumpOrder(f) {
		for i, prio := range []int{100, 200} {
			out = append(out, fmt.Sprintf("%s via %s dev %s%s", dst, f.gateway(i), ifName, metricText(f, prio)))
		}
	}
	return out
}

// measureFailover probes every family with new flows until, for each, a
// whole batch reaches router-b, and returns how long that took per family
// from now. All families are probed in every round, so that each family's
// neighbor entry of the vanished router ages under traffic, as it would
// for a real workload.
func measureFailover(topo *topology, fams []family) map[string]time.Duration {
	GinkgoHelper()
	gone := time.Now()
	took := map[string]time.Duration{}
	Eventually(func() error {
		var pending []string
		for _, f := range fams {
			if _, ok := took[f.name]; ok {
				continue
			}
			dsts := append(destinations(f.prefixDst, spreadFlows/2), destinations(f.defaultDst, spreadFlows/2)...)
			counts, err := topo.probe("failover", dsts, time.Second)
			if err != nil {
				return err
			}
			if counts[1] == len(dsts) {
				took[f.name] = time.Since(gone).Round(100 * time.Millisecond)
				continue
			}
			pending = append(pending, fmt.Sprintf("%s: %d of %d new flows reached router-b (per router %v)", f.name, counts[1], len(dsts), counts))
		}
		if len(pending) > 0 {
			return errors.New(strings.Join(pending, "; "))
		}
		return nil
	}).WithTimeout(failoverTimeout).WithPolling(500 * time.Millisecond).Should(Succeed())
	return took
}

// setRoute replaces the container's route to dst with one through gws, by
// hand, as an administrator or another agent would.
func setRoute(topo *topology, dst *net.IPNet, gws ...net.IP) {
	GinkgoHelper()
	Expect(topo.container.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(ifName)
		if err != nil {
			return err
		}
		rt := &netlink.Route{Dst: dst}
		if len(gws) == 1 {
			rt.LinkIndex, rt.Gw = l.Attrs().Index, gws[0]
		}
		if len(gws) > 1 {
			for _, gw := range gws {
				rt.MultiPath = append(rt.MultiPath, &netlink.NexthopInfo{LinkIndex: l.Attrs().Index, Gw: gw})
			}
		}
		return netlink.RouteReplace(rt)
	})).To(Succeed())
}
