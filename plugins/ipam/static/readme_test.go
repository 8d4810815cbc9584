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
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// readmeConfig is one network config shown in README.md.
type readmeConfig struct {
	where  string // "README.md:<line>"
	config []byte
}

// minReadmeConfigs guards the extractor: the README shows at least this
// many configs, so finding fewer means the extraction broke.
const minReadmeConfigs = 7

// readmeConfigs returns every network config of README.md: the body of each
// ```json block, and the indented body under "config: |" in ```yaml blocks
// (Multus NetworkAttachmentDefinitions).
func readmeConfigs() ([]readmeConfig, error) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		return nil, fmt.Errorf("read README: %w", err)
	}
	var (
		out      []readmeConfig
		fence    string // language of the open fenced block, "" outside
		body     []string
		start    int
		yamlBody []string // lines under "config: |", nil when not in one
		indent   int      // indentation of the "config: |" line
	)
	flushYAML := func() {
		if yamlBody != nil {
			out = append(out, readmeConfig{fmt.Sprintf("README.md:%d", start), []byte(strings.Join(yamlBody, "\n"))})
		}
		yamlBody = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && strings.HasPrefix(trimmed, "```"):
			fence, body = strings.TrimPrefix(trimmed, "```"), nil
		case fence != "" && trimmed == "```":
			if fence == "json" {
				out = append(out, readmeConfig{fmt.Sprintf("README.md:%d", start), []byte(strings.Join(body, "\n"))})
			}
			flushYAML()
			fence = ""
		case fence == "json":
			if body == nil {
				start = n
			}
			body = append(body, line)
		case fence == "yaml":
			lineIndent := len(line) - len(strings.TrimLeft(line, " "))
			if yamlBody != nil && trimmed != "" && lineIndent <= indent {
				flushYAML()
			}
			if yamlBody != nil {
				yamlBody = append(yamlBody, line)
			} else if strings.HasSuffix(trimmed, "config: |") {
				yamlBody, indent, start = []string{}, lineIndent, n+1
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scan README: %w", err)
	}
	if fence != "" {
		return nil, fmt.Errorf("README: unterminated ```%s block", fence)
	}
	return out, nil
}

// readmePlans are the kernel routes the README's ECMP section promises for
// its examples, keyed by network name, as the shared planner renders them.
// Every other README config must plan without error.
var readmePlans = map[string][]string{
	"provider-ecmp": {
		"198.51.100.0/24 nexthop via 203.0.113.1 nexthop via 203.0.113.2 nexthop via 203.0.113.3 dev net1",
		"2001:db8:198::/48 nexthop via 2001:db8:203::1 nexthop via 2001:db8:203::2 nexthop via 2001:db8:203::3 dev net1 metric 1024",
	},
	"dualstack-ecmp": {
		"default nexthop via 192.0.2.1 nexthop via 192.0.2.2 dev net1",
		"default nexthop via 2001:db8::1 nexthop via 2001:db8::2 dev net1 metric 1024",
	},
	"primary-backup": {
		"default via 192.0.2.1 dev net1 metric 100",
		"default via 192.0.2.2 dev net1 metric 200",
	},
	"legacy-two-gateways": {
		"default nexthop via 192.0.2.1 nexthop via 192.0.2.2 dev net1",
	},
}

// readmeEntries makes one table entry per README config.
func readmeEntries() []TableEntry {
	configs, err := readmeConfigs()
	if err != nil {
		return []TableEntry{Entry("reading README.md", readmeConfig{where: err.Error()})}
	}
	var entries []TableEntry
	for _, c := range configs {
		entries = append(entries, Entry(c.where, c))
	}
	return entries
}

var _ = Describe("README.md examples", func() {
	It("are found", func() {
		configs, err := readmeConfigs()
		Expect(err).NotTo(HaveOccurred())
		Expect(len(configs)).To(BeNumerically(">=", minReadmeConfigs))
		names := map[string]bool{}
		for _, c := range configs {
			var n struct {
				Name string `json:"name"`
			}
			Expect(json.Unmarshal(c.config, &n)).To(Succeed(), c.where)
			names[n.Name] = true
		}
		for name := range readmePlans {
			Expect(names).To(HaveKey(name), "README lost the %q example", name)
		}
	})

	DescribeTable("load and ADD",
		func(c readmeConfig) {
			Expect(c.config).NotTo(BeEmpty(), c.where)
			conf, err := loadConfig(c.config, "")
			Expect(err).NotTo(HaveOccurred(), "%s:\n%s", c.where, c.config)

			var raw struct {
				IPAM struct {
					Routes []json.RawMessage `json:"routes"`
				} `json:"ipam"`
			}
			Expect(json.Unmarshal(c.config, &raw)).To(Succeed())
			Expect(conf.Routes).To(HaveLen(len(raw.IPAM.Routes)), "%s: README examples have no duplicate routes", c.where)

			res, out, err := testutils.CmdAdd(cmdArgs(c.config, ""), cmdAdd)
			Expect(err).NotTo(HaveOccurred(), "%s: ADD printed %s", c.where, out)
			Expect(res.Version()).To(Equal(conf.CNIVersion))
			Expect(checkValid(conf)).To(Succeed())

			// What the interface plugin will install from this result.
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			groups, err := ipam.PlanRoutes(cur)
			Expect(err).NotTo(HaveOccurred(), "%s: plan routes", c.where)
			var name struct {
				Name string `json:"name"`
			}
			Expect(json.Unmarshal(c.config, &name)).To(Succeed())
			if want, ok := readmePlans[name.Name]; ok {
				got := []string{}
				for _, g := range groups {
					got = append(got, g.Text("net1"))
				}
				Expect(got).To(Equal(want), "%s: planned routes", c.where)
			}
		},
		readmeEntries(),
	)
})
