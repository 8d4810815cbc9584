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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("README", func() {
	It("has json examples that load and validate", func() {
		b, err := os.ReadFile("README.md")
		Expect(err).NotTo(HaveOccurred())
		blocks := strings.Split(string(b), "```json\n")[1:]
		Expect(blocks).To(HaveLen(2))
		for _, blk := range blocks {
			body, _, ok := strings.Cut(blk, "```")
			Expect(ok).To(BeTrue())
			_, conf, err := loadConf([]byte(body))
			Expect(err).NotTo(HaveOccurred(), body)
			Expect(conf.IPAM.Type).To(Equal("dhcp"))
			_, err = parseOptions(conf.IPAM, "K8S_POD_NAME=web-0")
			Expect(err).NotTo(HaveOccurred(), body)
		}
	})
})
