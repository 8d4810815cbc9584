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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
)

// readmeJSONBlocks returns the ```json blocks of README.md.
func readmeJSONBlocks() []string {
	GinkgoHelper()
	data, err := os.ReadFile("README.md")
	Expect(err).NotTo(HaveOccurred())
	var blocks []string
	for _, p := range strings.Split(string(data), "```json\n")[1:] {
		end := strings.Index(p, "```")
		Expect(end).To(BeNumerically(">=", 0), "unterminated json block")
		blocks = append(blocks, p[:end])
	}
	return blocks
}

// privateDataDir points a host-local config's dataDir at the spec's
// directory, the only change made to an example: its state stays out of
// /var/lib/cni.
func (e *env) privateDataDir(conf string) string {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal([]byte(conf), &m)).To(Succeed())
	if ipamConf, ok := m["ipam"].(map[string]any); ok && ipamConf["type"] == "host-local" {
		ipamConf["dataDir"] = e.dataDir
	}
	b, err := json.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// The examples of upstream's documentation page for the bridge plugin
// (cni.dev/plugins/current/main/bridge), as printed there.
const (
	upstreamExample = `{
    "cniVersion": "0.3.1",
    "name": "mynet",
    "type": "bridge",
    "bridge": "mynet0",
    "isDefaultGateway": true,
    "forceAddress": false,
    "ipMasq": true,
    "hairpinMode": true,
    "ipam": {
        "type": "host-local",
        "subnet": "10.10.0.0/16"
    }
}`
	upstreamL2 = `{
    "cniVersion": "0.3.1",
    "name": "mynet",
    "type": "bridge",
    "bridge": "mynet0",
    "ipam": {}
}`
	upstreamVlan = `{
    "cniVersion": "0.3.1",
    "name": "mynet",
    "type": "bridge",
    "bridge": "mynet0",
    "vlan": 100,
    "vlanTrunk": [
        { "id": 101 },
        { "minID": 200, "maxID": 299 }
    ],
    "ipam": {}
}`
	// Printed with a trailing comma, which is not JSON.
	upstreamDisabled = `{
    "cniVersion": "0.3.1",
    "name": "mynet",
    "type": "bridge",
    "bridge": "mynet0",
    "disableContainerInterface": "true",
}`
	upstreamIsolation = `{
    "cniVersion": "0.3.1",
    "name": "mynet",
    "type": "bridge",
    "bridge": "mynet0",
    "portIsolation": "true"
}`
)

var _ = Describe("documented examples", func() {
	It("README's examples ADD, CHECK and DEL", func() {
		blocks := readmeJSONBlocks()
		Expect(blocks).To(HaveLen(2))
		for i, b := range blocks {
			e := newEnv()
			conf := e.privateDataDir(b)
			_, out, err := e.add(conf, "ctr1", "eth0")
			Expect(err).NotTo(HaveOccurred(), "block %d", i)
			_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
			Expect(err).NotTo(HaveOccurred(), "block %d", i)
			if i == 1 {
				Expect(routes(e.ctr, "eth0", netlink.FAMILY_V4)).To(Equal(
					"default nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.2 dev eth0 weight 1"))
				Expect(routes(e.ctr, "eth0", netlink.FAMILY_V6)).To(Equal(
					"default metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1"))
			}
			_, err = e.run(call{verb: "DEL", conf: conf, netns: e.ctr.Path()})
			Expect(err).NotTo(HaveOccurred(), "block %d", i)
		}
	})

	It("upstream's main example: default gateway, masquerading, hairpin", func() {
		e := newEnv()
		conf := e.privateDataDir(upstreamExample)
		res, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IPs[0].Address.String()).To(Equal("10.10.0.2/16"))
		Expect(addrs(e.host, "mynet0")).To(ConsistOf("10.10.0.1/16"))
		Expect(routes(e.ctr, "eth0", netlink.FAMILY_V4)).To(Equal("default via 10.10.0.1 dev eth0"))
		_, err = e.run(call{verb: "DEL", conf: conf, netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())
	})

	It("upstream's L2-only example", func() {
		e := newEnv()
		res, _, err := e.add(upstreamL2, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IPs).To(BeEmpty())
		Expect(addrs(e.ctr, "eth0")).To(BeEmpty())
	})

	It("upstream's L2-only VLAN example", func() {
		requireVlanFiltering()
		e := newEnv()
		res, _, err := e.add(upstreamVlan, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		vlans := portVlans(e.host, res.Interfaces[1].Name)
		Expect(vlans).To(ContainElements("100 pvid untagged", "101", "200", "299"))
		Expect(vlans).To(HaveLen(1 + 1 + 1 + 100))
	})

	It("upstream's disabled-interface example, once its trailing comma is gone", func() {
		e := newEnv()
		// As printed, it is not JSON: code 6, as upstream answers.
		_, _, err := e.add(upstreamDisabled, "ctr1", "eth0")
		Expect(errCode(err)).To(BeEquivalentTo(6))
		Expect(links(e.host)).To(BeEmpty())
		fixed := strings.Replace(upstreamDisabled, `"true",`, `"true"`, 1)
		_, _, err = e.add(fixed, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(inNS(e.ctr, func() error {
			l, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			Expect(l.Attrs().Flags & 1).To(BeZero())
			return nil
		})).To(Succeed())
	})

	It("upstream's port isolation example", func() {
		e := newEnv()
		res, _, err := e.add(upstreamIsolation, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(inNS(e.host, func() error {
			l, err := netlink.LinkByName(res.Interfaces[1].Name)
			if err != nil {
				return err
			}
			pi, err := netlink.LinkGetProtinfo(l)
			if err != nil {
				return err
			}
			Expect(pi.Isolated).To(BeTrue())
			return nil
		})).To(Succeed())
	})
})
