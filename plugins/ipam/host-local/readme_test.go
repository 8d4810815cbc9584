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
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// readmeJSONBlocks returns the ```json blocks of README.md.
func readmeJSONBlocks() []string {
	data, err := os.ReadFile("README.md")
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var blocks []string
	parts := strings.Split(string(data), "```json\n")
	for _, p := range parts[1:] {
		end := strings.Index(p, "```")
		ExpectWithOffset(1, end).To(BeNumerically(">=", 0), "unterminated json block")
		blocks = append(blocks, p[:end])
	}
	return blocks
}

var _ = Describe("README", func() {
	It("has examples that load and allocate", func() {
		blocks := readmeJSONBlocks()
		Expect(blocks).To(HaveLen(2))
		for i, b := range blocks {
			var m map[string]any
			Expect(json.Unmarshal([]byte(b), &m)).To(Succeed(), "block %d", i)
			// Keep the example's state out of /var/lib/cni and /run.
			m["ipam"].(map[string]any)["dataDir"] = filepath.Join(GinkgoT().TempDir(), "networks")
			conf, err := json.Marshal(m)
			Expect(err).NotTo(HaveOccurred())
			_, _, err = testutils.CmdAdd(verbArgs("readme", "eth0", conf), cmdAdd)
			Expect(err).NotTo(HaveOccurred(), "block %d", i)
		}
	})
})
