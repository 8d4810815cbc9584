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
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// How the routes of a second interface in the same pod interact with the
// first one's, as Documentation/ecmp.md describes: the kernel treats a
// second route to the same destination and metric differently per family.
var _ = Describe("routes of two interfaces in one pod", func() {
	fams := []family{ipv4, ipv6}
	const second = "net2"

	secondConf := func(priority int) netConf {
		c := newNetConf("macvlan", fams, ecmpRoutes(fams, 2, defaultDst))
		c.Name = "ecmp-second"
		c.Addresses = []staticAddress{{ipv4.segmentAddr(101)}, {ipv6.segmentAddr(101)}}
		for i := range c.Routes {
			c.Routes[i].Priority = priority
		}
		return c
	}
	attachSecond := func(topo *topology, priority int) {
		GinkgoHelper()
		c := newClient(topo, secondConf(priority))
		c.rt.IfName = second
		_, err := c.add()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.del()).To(Succeed()) })
	}
	line := func(f family, metric int, ifs ...string) string {
		s := "default"
		if metric != 0 {
			s += fmt.Sprintf(" metric %d", metric)
		}
		for _, dev := range ifs {
			for i := range 2 {
				s += fmt.Sprintf(" nexthop via %s dev %s weight 1", f.gateway(i), dev)
			}
		}
		return s
	}

	BeforeEach(func() {
		requirePlugin("macvlan")
	})

	It("with the same metric: IPv4 puts the newer route first, IPv6 merges the gateways into one route", func() {
		topo := newTopology(2)
		attach(topo, newNetConf("macvlan", fams, ecmpRoutes(fams, 2, defaultDst)))
		attachSecond(topo, 0)
		Expect(topo.routeText("", ipv4)).To(Equal(strings.Join([]string{
			line(ipv4, 0, second),
			line(ipv4, 0, ifName),
		}, "\n")))
		Expect(topo.routeText("", ipv6)).To(Equal(line(ipv6, 1024, ifName, second)))
	})

	It("with distinct priorities: two routes in both families, the lower metric first", func() {
		topo := newTopology(2)
		attach(topo, newNetConf("macvlan", fams, ecmpRoutes(fams, 2, defaultDst)))
		attachSecond(topo, 50)
		Expect(topo.routeText("", ipv4)).To(Equal(strings.Join([]string{
			line(ipv4, 0, ifName),
			line(ipv4, 50, second),
		}, "\n")))
		Expect(topo.routeText("", ipv6)).To(Equal(strings.Join([]string{
			line(ipv6, 50, second),
			line(ipv6, 1024, ifName),
		}, "\n")))
	})
})
