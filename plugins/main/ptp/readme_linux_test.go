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

var _ = Describe("README examples", func() {
	It("run unchanged but for host-local's data directory: ADD, CHECK and DEL of every config shown", func() {
		b, err := os.ReadFile("README.md")
		Expect(err).NotTo(HaveOccurred())
		blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1)
		Expect(blocks).To(HaveLen(2), "upstream's example and the ECMP example")
		for _, m := range blocks {
			p := newPair()
			var conf map[string]any
			Expect(json.Unmarshal(m[1], &conf)).To(Succeed())
			if ipamConf := conf["ipam"].(map[string]any); ipamConf["type"] == "host-local" {
				// host-local's default directory is the machine's.
				ipamConf["dataDir"] = GinkgoT().TempDir()
			}
			stdin, err := json.Marshal(conf)
			Expect(err).NotTo(HaveOccurred())
			out, err := p.call("ADD", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "ADD %s", stdin)
			ver, _ := conf["cniVersion"].(string)
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = p.call("CHECK", withPrev(stdin, out), p.cont.Path())
				Expect(err).NotTo(HaveOccurred(), "CHECK %s", stdin)
			}
			_, err = p.call("DEL", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL %s", stdin)
			Expect(links(p.host)).To(BeEmpty())
		}
	})
})
