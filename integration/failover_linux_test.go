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
	"encoding/json"
	"time"

	"github.com/containernetworking/cni/libcni"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// failoverRecipe is the tuning plugin of the failover recipe
// (plugins/meta/tuning/README.md): the container's neighbor timers for its
// interface, so that a dead gateway's entry is FAILED within seconds. A
// confirmed entry stays REACHABLE for 1–3 s (base_reachable_time_ms,
// randomized to half to one and a half times), is then probed after 1 s of
// DELAY, twice 300 ms apart, and fails.
var failoverRecipe = map[string]any{
	"type": "tuning",
	"sysctl": map[string]string{
		"net.ipv4.neigh.IFNAME.base_reachable_time_ms": "2000",
		"net.ipv4.neigh.IFNAME.delay_first_probe_time": "1",
		"net.ipv4.neigh.IFNAME.retrans_time_ms":        "300",
		"net.ipv4.neigh.IFNAME.ucast_solicit":          "2",
		"net.ipv4.neigh.IFNAME.mcast_solicit":          "2",
		"net.ipv4.neigh.IFNAME.gc_stale_time":          "10",
		"net.ipv6.neigh.IFNAME.base_reachable_time_ms": "2000",
		"net.ipv6.neigh.IFNAME.delay_first_probe_time": "1",
		"net.ipv6.neigh.IFNAME.retrans_time_ms":        "300",
		"net.ipv6.neigh.IFNAME.ucast_solicit":          "2",
		"net.ipv6.neigh.IFNAME.mcast_solicit":          "2",
		"net.ipv6.neigh.IFNAME.gc_stale_time":          "10",
	},
}

// recipeFailoverBound is what the recipe must beat: without it the
// kernel's timers take at least 23 s (15 s reachable, 5 s delay, 3 probes)
// and 29–57 s were measured (Documentation/ecmp.md); with it the timers
// add up to at most 4.6 s, and the bound leaves room for probing rounds
// and a busy machine.
const recipeFailoverBound = 15 * time.Second

// withRecipe returns conf's config list with the recipe's tuning chained
// after the interface plugin, its state kept in dataDir.
func withRecipe(conf []byte, dataDir string) []byte {
	GinkgoHelper()
	var list map[string]any
	Expect(json.Unmarshal(conf, &list)).To(Succeed())
	tuning := map[string]any{"dataDir": dataDir}
	for k, v := range failoverRecipe {
		tuning[k] = v
	}
	list["plugins"] = append(list["plugins"].([]any), tuning)
	b, err := json.Marshal(list)
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = Describe("ECMP failover recipe", func() {
	for _, fc := range familyCases {
		It("skips a dead gateway within seconds with the tuning recipe chained, "+fc.name, func() {
			requirePlugin("macvlan")
			testutils.SkipUnlessRoot()
			topo := newTopology(2)
			fams := fc.families
			routes := append(ecmpRoutes(fams, 2, defaultDst), ecmpRoutes(fams, 2, prefixDst)...)
			list, err := libcni.NetworkConfFromBytes(withRecipe(newNetConf("macvlan", fams, routes).render(), GinkgoT().TempDir()))
			Expect(err).NotTo(HaveOccurred())
			c := &client{
				cni:  libcni.NewCNIConfigWithCacheDir([]string{testutils.PluginBinDir()}, GinkgoT().TempDir(), nil),
				list: list,
				rt:   &libcni.RuntimeConf{ContainerID: containerID, NetNS: topo.container.Path(), IfName: ifName},
				host: topo.host,
			}
			_, err = c.add()
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func() { Expect(c.del()).To(Succeed()) })
			Expect(c.check()).To(Succeed())
			for _, f := range fams {
				expectSpread(topo, f, destinations(f.prefixDst, spreadFlows), "before failover")
			}

			Expect(topo.routers[0].setSegment(false)).To(Succeed())
			took := measureFailover(topo, fams)
			for _, f := range fams {
				GinkgoWriter.Printf("recipe, %s: all new flows on router-b %s after router-a left\n", f.name, took[f.name])
				AddReportEntry("recipe "+f.name+" failover time", took[f.name].String())
				Expect(took[f.name]).To(BeNumerically("<", recipeFailoverBound), "%s failover with the recipe", f.name)
			}
		})
	}
})
