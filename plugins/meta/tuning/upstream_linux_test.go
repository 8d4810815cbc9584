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
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils/upstream"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// upstreamTuning returns the path of upstream's released tuning binary
// (pkg/testutils/upstream: built once into a cache outside the work tree).
// It skips only where no binary can be had (the VM guest).
func upstreamTuning() string {
	GinkgoHelper()
	return upstream.RequireBin("tuning")
}

var _ = Describe("tuning against upstream's release", func() {
	run := func(bin, cmd string, f *fixture, stdin []byte) ([]byte, error) {
		return testutils.ExecPlugin(bin, testutils.PluginCall{
			Command: cmd, ContainerID: "c1", Netns: f.netns.Path(), IfName: "eth0", Stdin: stdin,
		})
	}
	ours := func() string { return filepath.Join(binDir, "tuning") }

	It("prints the same result, writes the same state file and leaves the same link", func() {
		up := upstreamTuning()
		// One namespace, one after the other: the same original MAC and
		// sandbox path in both runs.
		f := newFixture()
		before := f.linkText()
		conf := f.config("1.0.0", allFields)
		var results, states, links []string
		for _, bin := range []string{up, ours()} {
			out, err := run(bin, "ADD", f, conf)
			Expect(err).NotTo(HaveOccurred(), bin)
			st, err := os.ReadFile(filepath.Join(f.dataDir, "c1_eth0.json"))
			Expect(err).NotTo(HaveOccurred(), bin)
			results = append(results, string(out))
			states = append(states, string(st))
			links = append(links, f.state())
			_, err = run(bin, "DEL", f, conf)
			Expect(err).NotTo(HaveOccurred(), bin)
			Expect(f.linkText()).To(Equal(before), bin)
		}
		Expect(links[1]).To(Equal(links[0]))
		Expect(states[1]).To(Equal(states[0]), "the state file, byte for byte")
		Expect(results[1]).To(MatchJSON(results[0]))
	})

	It("restores with either plugin's DEL what the other's ADD changed", func() {
		up := upstreamTuning()
		for _, order := range [][2]string{{up, ours()}, {ours(), up}} {
			f := newFixture()
			before := f.linkText()
			conf := f.config("1.0.0", allFields)
			_, err := run(order[0], "ADD", f, conf)
			Expect(err).NotTo(HaveOccurred(), "ADD %s", order[0])
			_, err = run(order[1], "DEL", f, conf)
			Expect(err).NotTo(HaveOccurred(), "DEL %s", order[1])
			Expect(f.linkText()).To(Equal(before), "ADD %s, DEL %s", order[0], order[1])
			Expect(filepath.Join(f.dataDir, "c1_eth0.json")).NotTo(BeAnExistingFile())
		}
	})
})
