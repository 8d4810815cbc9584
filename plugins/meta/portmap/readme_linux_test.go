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
	"os"
	"os/exec"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// readmeJSON returns the bodies of README.md's ```json blocks.
func readmeJSON() [][]byte {
	GinkgoHelper()
	data, err := os.ReadFile("README.md")
	Expect(err).NotTo(HaveOccurred())
	var out [][]byte
	var body []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case !in && line == "```json":
			in, body = true, nil
		case in && line == "```":
			in = false
			out = append(out, []byte(strings.Join(body, "\n")))
		case in:
			body = append(body, sc.Text())
		}
	}
	return out
}

var _ = Describe("README examples", func() {
	It("run ADD, CHECK and DEL with the runtime's mappings of the README", func() {
		testutils.SkipUnlessRoot()
		blocks := readmeJSON()
		Expect(len(blocks)).To(BeNumerically(">=", 5), "README's json blocks")
		var rc map[string]json.RawMessage
		Expect(json.Unmarshal(blocks[len(blocks)-1], &rc)).To(Succeed())
		Expect(rc).To(HaveKey("runtimeConfig"))

		for i, b := range blocks[:len(blocks)-1] {
			var list struct {
				CNIVersion string           `json:"cniVersion"`
				Name       string           `json:"name"`
				Plugins    []map[string]any `json:"plugins"`
			}
			Expect(json.Unmarshal(b, &list)).To(Succeed(), "block %d", i)
			var pm map[string]any
			for _, p := range list.Plugins {
				if p["type"] == "portmap" {
					pm = p
				}
			}
			Expect(pm).NotTo(BeNil(), "block %d has a portmap element", i)
			By(list.Name)
			if pm["backend"] != "nftables" {
				if _, err := exec.LookPath("iptables"); err != nil {
					continue // the VM guest: see the iptables backend's specs
				}
			}
			pm["cniVersion"], pm["name"] = list.CNIVersion, list.Name
			pm["runtimeConfig"] = rc["runtimeConfig"]
			pm["prevResult"] = json.RawMessage(`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],
				"ips":[{"address":"192.0.2.10/24","interface":0},{"address":"2001:db8::10/64","interface":0}]}`)
			stdin, err := json.Marshal(pm)
			Expect(err).NotTo(HaveOccurred())

			host := testutils.NewNSForSpec()
			cont := testutils.NewNSForSpec()
			args := &skel.CmdArgs{ContainerID: "readme", Netns: cont.Path(), IfName: "eth0", StdinData: stdin}
			Expect(host.Do(func(ns.NetNS) error {
				if c, ok := pm["externalSetMarkChain"].(string); ok {
					for _, cmd := range []string{"iptables", "ip6tables"} {
						if out, err := exec.Command(cmd, "-t", "nat", "-N", c).CombinedOutput(); err != nil {
							return &commandError{cmd, err, out}
						}
					}
				}
				if _, _, err := testutils.CmdAdd(args, cmdAdd); err != nil {
					return err
				}
				if err := testutils.CmdCheck(args, cmdCheck); err != nil {
					return err
				}
				return testutils.CmdDel(args, cmdDel)
			})).To(Succeed(), list.Name)
		}
	})
})

// commandError is a failed command with its output.
type commandError struct {
	cmd string
	err error
	out []byte
}

func (e *commandError) Error() string { return e.cmd + ": " + e.err.Error() + ": " + string(e.out) }
