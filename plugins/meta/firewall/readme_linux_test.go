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
	"os"
	"regexp"

	"github.com/containernetworking/cni/pkg/version"
	"github.com/godbus/dbus/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// upstreamDocLists are the config lists of upstream's documentation page
// for the firewall plugin (cni.dev, plugins/current/meta/firewall), as
// published, at spec 0.3.1.
var upstreamDocLists = []string{
	`{"cniVersion": "0.3.1", "name": "bridge-firewalld", "plugins": [
	  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
	   "ipam": {"type": "host-local", "subnet": "10.88.0.0/16", "routes": [{ "dst": "0.0.0.0/0" }]}},
	  {"type": "firewall"}]}`,
	`{"cniVersion": "0.3.1", "name": "bridge-firewalld", "plugins": [
	  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
	   "ipam": {"type": "host-local", "subnet": "10.88.0.0/16", "routes": [{ "dst": "0.0.0.0/0" }]}},
	  {"type": "firewall", "backend": "firewalld"}]}`,
	`{"cniVersion": "0.3.1", "name": "bridge-firewalld", "plugins": [
	  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
	   "ipam": {"type": "host-local", "subnet": "10.88.0.0/16", "routes": [{ "dst": "0.0.0.0/0" }]}},
	  {"type": "firewall", "backend": "iptables"}]}`,
}

// readmeLists returns the config lists of README.md's json blocks.
func readmeLists() []string {
	GinkgoHelper()
	b, err := os.ReadFile("README.md")
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// runList runs the firewall plugin of list with the prevResult a bridge
// plugin would give (the list's bridge first, an IPv4 and an IPv6
// address) through ADD, CHECK (from spec 0.4.0) and DEL, and
// checks the kernel's or firewalld's state after each.
func runList(list string) {
	GinkgoHelper()
	var doc struct {
		CNIVersion string           `json:"cniVersion"`
		Name       string           `json:"name"`
		Plugins    []map[string]any `json:"plugins"`
	}
	Expect(json.Unmarshal([]byte(list), &doc)).To(Succeed(), list)
	bridge := "cni0"
	var fw map[string]any
	for _, p := range doc.Plugins {
		switch p["type"] {
		case "bridge":
			if b, ok := p["bridge"].(string); ok {
				bridge = b
			}
		case "firewall":
			fw = p
		}
	}
	Expect(fw).NotTo(BeNil(), "a firewall plugin in %s", list)

	f := newFixture()
	var conn *dbus.Conn
	if fw["backend"] == backendFirewalld {
		conn = f.startFirewalld()
	}
	var prev map[string]any
	Expect(json.Unmarshal(f.conf(doc.CNIVersion, "", bridge, "192.0.2.5/24", "2001:db8::5/64"), &prev)).To(Succeed())
	fw["cniVersion"], fw["name"], fw["prevResult"] = doc.CNIVersion, doc.Name, prev["prevResult"]
	stdin, err := json.Marshal(fw)
	Expect(err).NotTo(HaveOccurred())

	zone, _ := fw["firewalldZone"].(string)
	if zone == "" {
		zone = defaultZone
	}
	present := func(want bool) {
		GinkgoHelper()
		if conn != nil {
			if want {
				Expect(sources(conn, zone)).To(Equal([]string{"192.0.2.5/32", "2001:db8::5/128"}), "%s", stdin)
			} else {
				Expect(sources(conn, zone)).To(BeEmpty(), "%s", stdin)
			}
			return
		}
		for _, c := range []struct{ cmd, rule string }{{"iptables", "-s 192.0.2.5/32 -j ACCEPT"}, {"ip6tables", "-s 2001:db8::5/128 -j ACCEPT"}} {
			if want {
				Expect(f.rules(c.cmd)).To(ContainSubstring(c.rule), "%s", stdin)
			} else {
				Expect(f.rules(c.cmd)).NotTo(ContainSubstring(c.rule), "%s", stdin)
			}
		}
	}
	_, err = f.call("ADD", stdin)
	Expect(err).NotTo(HaveOccurred(), "ADD %s", stdin)
	present(true)
	if ok, _ := version.GreaterThanOrEqualTo(doc.CNIVersion, "0.4.0"); ok {
		_, err = f.call("CHECK", stdin)
		Expect(err).NotTo(HaveOccurred(), "CHECK %s", stdin)
	}
	_, err = f.call("DEL", stdin)
	Expect(err).NotTo(HaveOccurred(), "DEL %s", stdin)
	present(false)
}

var _ = Describe("documentation examples", func() {
	It("README.md shows three config lists", func() {
		Expect(readmeLists()).To(HaveLen(3))
	})
	for i := range 3 {
		It(fmt.Sprintf("README.md list %d runs unchanged: ADD, CHECK, DEL", i+1), func() {
			runList(readmeLists()[i])
		})
	}
	for i, list := range upstreamDocLists {
		It(fmt.Sprintf("upstream's documentation list %d runs unchanged at spec 0.3.1", i+1), func() {
			runList(list)
		})
	}
})
