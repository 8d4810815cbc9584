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
	"os"
	"regexp"

	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// readmeConfigs returns the bandwidth configs of README.md's json blocks,
// each with its list's cniVersion, and its name unless it has its own, as
// libcni passes them.
func readmeConfigs() []map[string]any {
	GinkgoHelper()
	b, err := os.ReadFile("README.md")
	Expect(err).NotTo(HaveOccurred())
	var out []map[string]any
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1) {
		var doc map[string]any
		Expect(json.Unmarshal(m[1], &doc)).To(Succeed(), "README block %s", m[1])
		plugins, _ := doc["plugins"].([]any)
		Expect(plugins).NotTo(BeEmpty(), "every README example is a config list")
		for _, p := range plugins {
			p := p.(map[string]any)
			if p["type"] == "bandwidth" {
				p["cniVersion"] = doc["cniVersion"]
				if _, ok := p["name"]; !ok {
					p["name"] = doc["name"]
				}
				out = append(out, p)
			}
		}
	}
	return out
}

var _ = Describe("README examples", func() {
	It("run unchanged: ADD, CHECK and DEL of every bandwidth config shown", func() {
		confs := readmeConfigs()
		Expect(confs).To(HaveLen(3))
		for _, conf := range confs {
			f := newFixture()
			ver := conf["cniVersion"].(string)
			var prev map[string]any
			Expect(json.Unmarshal([]byte(f.prevResult(ver)), &prev)).To(Succeed())
			conf["prevResult"] = prev
			if _, ok := conf["capabilities"]; ok {
				conf["runtimeConfig"] = map[string]any{"bandwidth": map[string]any{
					"ingressRate": 8000000, "ingressBurst": 80000, "egressRate": 16000000, "egressBurst": 160000,
				}}
			}
			stdin, err := json.Marshal(conf)
			Expect(err).NotTo(HaveOccurred())

			_, err = f.call("ADD", stdin)
			Expect(err).NotTo(HaveOccurred(), "ADD %s", stdin)
			Expect(f.tcText()).To(ContainSubstring("qdisc tbf 1:0 parent root rate"), "ADD %s", stdin)
			Expect(f.tcText()).To(MatchRegexp(`link bwp[0-9a-f]{12} ifb`), "ADD %s", stdin)
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.call("CHECK", stdin)
				Expect(err).NotTo(HaveOccurred(), "CHECK %s", stdin)
			}
			_, err = f.call("DEL", stdin)
			Expect(err).NotTo(HaveOccurred(), "DEL %s", stdin)
			Expect(f.tcText()).NotTo(ContainSubstring(" ifb "), "DEL %s", stdin)
		}
	})
})
