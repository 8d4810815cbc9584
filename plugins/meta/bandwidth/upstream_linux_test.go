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

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

// upstreamBandwidth returns the path of upstream's released bandwidth
// binary (pkg/testutils/upstream: built once into a cache outside the work
// tree). It skips only where no binary can be had (the VM guest).
func upstreamBandwidth() string {
	GinkgoHelper()
	return upstream.RequireBin("bandwidth")
}

// normalized drops from an ADD result the ifb's MAC, which is random, and
// the container's namespace path, which differs per fixture.
func normalized(out []byte, netns string) string {
	GinkgoHelper()
	var res map[string]any
	Expect(json.Unmarshal([]byte(strings.ReplaceAll(string(out), netns, "NETNS")), &res)).To(Succeed())
	for _, i := range res["interfaces"].([]any) {
		delete(i.(map[string]any), "mac")
	}
	b, err := json.Marshal(res)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

var _ = Describe("bandwidth against upstream's release", func() {
	ours := func() string { return filepath.Join(binDir, "bandwidth") }
	// upstreamExtra is the second mirred action upstream's filter carries
	// (see Documentation/compatibility.md): it follows one that
	// steals every packet, so it never runs.
	upstreamExtra := " mirred 1 to " + fixtureIFB + " ok"

	for _, extra := range []string{
		bothRates,
		`"ingressRate":8000000,"ingressBurst":80000,`,
		`"egressRate":16000000,"egressBurst":160000,`,
		`"ingressRate":800,"ingressBurst":8,`,
		`"runtimeConfig":{"bandwidth":{"ingressRate":8000000,"ingressBurst":80000}},"egressRate":16000000,"egressBurst":160000,`,
		`"capabilities":{"bandwidth":true},"runtimeConfig":{"bandwidth":{"egressRate":16000000,"egressBurst":160000}},`,
		`"unshapedSubnets":["192.0.2.0/25"],"ingressRate":8000000,"ingressBurst":80000,`,
		``,
	} {
		It("leaves the same tc state and prints the same result for "+extra, func() {
			up := upstreamBandwidth()
			var states, results []string
			for _, bin := range []string{up, ours()} {
				f := newFixture()
				conf := f.config("1.0.0", extra)
				out, err := f.exec(bin, "ADD", f.cont.Path(), conf)
				Expect(err).NotTo(HaveOccurred(), bin)
				state := f.tcText()
				if bin == up && strings.Contains(extra, "egressRate") {
					Expect(state).To(ContainSubstring(upstreamExtra), "the known difference is still there")
				}
				states = append(states, strings.Replace(state, upstreamExtra, "", 1))
				results = append(results, normalized(out, f.cont.Path()))
				for _, checker := range []string{up, ours()} {
					_, err = f.exec(checker, "CHECK", f.cont.Path(), conf)
					Expect(err).NotTo(HaveOccurred(), "CHECK by %s after ADD by %s", checker, bin)
				}
			}
			Expect(states[1]).To(Equal(states[0]))
			Expect(results[1]).To(MatchJSON(results[0]))
		})
	}

	It("gives the ifb the same MTU", func() {
		up := upstreamBandwidth()
		var states []string
		for _, bin := range []string{up, ours()} {
			f := newFixture()
			f.setHostMTU(9000)
			_, err := f.exec(bin, "ADD", f.cont.Path(), f.config("1.0.0", bothRates))
			Expect(err).NotTo(HaveOccurred(), bin)
			states = append(states, strings.Replace(f.tcText(), upstreamExtra, "", 1))
		}
		Expect(states[0]).To(ContainSubstring("link " + fixtureIFB + " ifb mtu 9000"))
		Expect(states[1]).To(Equal(states[0]))
	})

	It("deletes with either plugin the ifb the other made", func() {
		up := upstreamBandwidth()
		for _, order := range [][2]string{{up, ours()}, {ours(), up}} {
			f := newFixture()
			conf := f.config("1.0.0", bothRates)
			_, err := f.exec(order[0], "ADD", f.cont.Path(), conf)
			Expect(err).NotTo(HaveOccurred(), "ADD %s", order[0])
			Expect(f.tcText()).To(ContainSubstring("link " + fixtureIFB))
			_, err = f.exec(order[1], "DEL", "", []byte(`{"cniVersion":"1.0.0","name":"bw","type":"bandwidth"}`))
			Expect(err).NotTo(HaveOccurred(), "DEL %s", order[1])
			Expect(f.tcText()).NotTo(ContainSubstring("link "+fixtureIFB), "ADD %s, DEL %s", order[0], order[1])
		}
	})

	It("refuses the same configs, and ours leaves no ifb behind", func() {
		up := upstreamBandwidth()
		for _, extra := range []string{
			`"ingressRate":8000,`,
			`"egressBurst":8000,`,
			`"ingressRate":8,"ingressBurst":800000000000,`,
			`"ingressRate":80000000000,"ingressBurst":34359738360,`,
			`"ingressRate":4,"ingressBurst":800,`,
			`"ingressRate":-5,"ingressBurst":80,`,
			`"runtimeConfig":{"bandwidth":{"egressRate":8000}},`,
		} {
			for _, bin := range []string{up, ours()} {
				f := newFixture()
				_, err := f.exec(bin, "ADD", f.cont.Path(), f.config("1.0.0", extra))
				Expect(err).To(HaveOccurred(), "%s with %s", bin, extra)
				Expect(f.tcText()).To(Equal(bareVeth), "%s with %s", bin, extra)
			}
		}
	})
})
