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
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils/upstream"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// upstreamPtp returns the path of upstream's released ptp binary
// (pkg/testutils/upstream: built once into a cache outside the work tree).
// It skips only where no binary can be had (the VM guest).
func upstreamPtp() string {
	GinkgoHelper()
	return upstream.RequireBin("ptp")
}

// kernelState renders what ADD left in both namespaces, with the host
// end's random name and the MACs replaced.
func kernelState(p *pair) string {
	GinkgoHelper()
	hostVeth := strings.Fields(links(p.host))[0]
	s := strings.Join([]string{
		"host links: " + links(p.host),
		"host addrs: " + addrs(p.host, hostVeth),
		"host routes:\n" + routes(p.host, hostVeth),
		"container links: " + links(p.cont),
		"container addrs: " + addrs(p.cont, "eth0"),
		"container routes:\n" + routes(p.cont, "eth0"),
	}, "\n")
	return strings.ReplaceAll(s, hostVeth, "HOSTVETH")
}

var macRE = regexp.MustCompile(`"mac":\s*"[0-9a-f:]+"`)
var vethRE = regexp.MustCompile(`veth[0-9a-f]{8}`)

var _ = Describe("ptp against upstream's release", func() {
	It("prints the same result and leaves the same kernel state for a dual-stack host-local config", func() {
		up := upstreamPtp()
		var results, states []string
		for _, bin := range []string{up, filepath.Join(binDir, "ptp")} {
			p := newPair()
			stdin := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","mtu":1400,"ipam":{"type":"host-local","dataDir":%q,
				"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8:1::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}}`, GinkgoT().TempDir()))
			var out []byte
			Expect(p.host.Do(func(ns.NetNS) error {
				var err error
				out, err = testutils.ExecPlugin(bin, testutils.PluginCall{
					Command: "ADD", ContainerID: "ctr1", Netns: p.cont.Path(), IfName: "eth0", Path: binDir, Stdin: stdin,
				})
				return err
			})).To(Succeed(), bin)
			var res map[string]any
			Expect(json.Unmarshal(out, &res)).To(Succeed())
			norm, err := json.Marshal(res)
			Expect(err).NotTo(HaveOccurred())
			r := macRE.ReplaceAllString(string(norm), `"mac":"MAC"`)
			r = vethRE.ReplaceAllString(r, "HOSTVETH")
			results = append(results, strings.ReplaceAll(r, p.cont.Path(), "NETNS"))
			states = append(states, kernelState(p))
			_, err = p.call("DEL", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(states[1]).To(Equal(states[0]))
		Expect(results[1]).To(MatchJSON(results[0]))
	})
})
