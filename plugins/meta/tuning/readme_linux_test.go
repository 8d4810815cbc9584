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

// readmeTuningConfigs returns the tuning configs of README.md's json
// blocks: a block that is a config list gives its tuning plugins, with the
// list's cniVersion and name as libcni passes them.
func readmeTuningConfigs() []map[string]any {
	GinkgoHelper()
	b, err := os.ReadFile("README.md")
	Expect(err).NotTo(HaveOccurred())
	var out []map[string]any
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1) {
		var doc map[string]any
		Expect(json.Unmarshal(m[1], &doc)).To(Succeed(), "README block %s", m[1])
		plugins, isList := doc["plugins"].([]any)
		if !isList {
			out = append(out, doc)
			continue
		}
		for _, p := range plugins {
			p := p.(map[string]any)
			if p["type"] == "tuning" {
				p["cniVersion"], p["name"] = doc["cniVersion"], doc["name"]
				out = append(out, p)
			}
		}
	}
	return out
}

var _ = Describe("README examples", func() {
	It("run unchanged: ADD, CHECK and DEL of every tuning config shown", func() {
		confs := readmeTuningConfigs()
		Expect(confs).To(HaveLen(3), "the README shows two plain configs and the failover recipe")
		for _, conf := range confs {
			f := newFixture()
			before := f.linkText()
			ver, _ := conf["cniVersion"].(string)
			if ver == "" {
				ver = "0.1.0"
			}
			var prev map[string]any
			Expect(json.Unmarshal([]byte(f.prevResult(ver)), &prev)).To(Succeed())
			conf["prevResult"], conf["dataDir"] = prev, f.dataDir
			stdin, err := json.Marshal(conf)
			Expect(err).NotTo(HaveOccurred())

			_, err = f.call("ADD", stdin, "")
			Expect(err).NotTo(HaveOccurred(), "ADD %s", stdin)
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.call("CHECK", stdin, "")
				Expect(err).NotTo(HaveOccurred(), "CHECK %s", stdin)
			}
			_, err = f.call("DEL", stdin, "")
			Expect(err).NotTo(HaveOccurred(), "DEL %s", stdin)
			Expect(f.linkText()).To(Equal(before))
		}
	})
})
