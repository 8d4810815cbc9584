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
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// upstreamEnv returns an env that runs upstream's released bridge binary
// (pkg/testutils/upstream) with our IPAM plugins (so that only the bridge
// plugins differ). It skips only where no binary can be had (the VM guest).
func upstreamEnv() *env {
	GinkgoHelper()
	e := newEnv()
	e.bin = upstream.RequireBin("bridge")
	e.cniPath = testutils.PluginBinDir()
	return e
}

// expectSameState fails with the lines only one side has.
func expectSameState(ours, upstream string) {
	GinkgoHelper()
	if ours == upstream {
		return
	}
	count := map[string]int{}
	for _, l := range strings.Split(ours, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(upstream, "\n") {
		count[l]--
	}
	var diff []string
	for l, n := range count {
		switch {
		case n > 0:
			diff = append(diff, "ours:     "+l)
		case n < 0:
			diff = append(diff, "upstream: "+l)
		}
	}
	sort.Strings(diff)
	Fail("state differs from upstream's:\n" + strings.Join(diff, "\n"))
}

// compactJSON returns b without insignificant white space.
func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	Expect(json.Compact(&out, b)).To(Succeed())
	return out.Bytes()
}

// nameRE matches what differs by chance between two runs: veth names and
// MAC addresses.
var nameRE = regexp.MustCompile(`veth[0-9a-f]{8}|([0-9a-f]{2}:){5}[0-9a-f]{2}`)

// state renders, normalised, the result and what the ADD left in the
// kernel: links, addresses, routes, sysctls and bridge port flags on both
// sides, and the masquerading and spoof check rules.
func (e *env) state(result []byte) string {
	GinkgoHelper()
	var lines []string
	lines = append(lines, "result "+strings.ReplaceAll(string(result), e.ctr.Path(), "NETNS"))
	for _, side := range []struct {
		name string
		n    ns.NetNS
	}{{"host", e.host}, {"container", e.ctr}} {
		Expect(inNS(side.n, func() error {
			ls, err := netlink.LinkList()
			if err != nil {
				return err
			}
			for _, l := range ls {
				a := l.Attrs()
				if a.Name == "lo" {
					continue
				}
				up := a.Flags&1 != 0
				lines = append(lines, fmt.Sprintf("%s link %s %s mtu %d up %v promisc %d master %v",
					side.name, a.Name, l.Type(), a.MTU, up, a.Promisc, a.MasterIndex != 0))
				if a.MasterIndex != 0 {
					pi, err := netlink.LinkGetProtinfo(l)
					if err == nil {
						lines = append(lines, fmt.Sprintf("%s port %s hairpin %v isolated %v", side.name, a.Name, pi.Hairpin, pi.Isolated))
					}
				}
				for _, k := range []string{"ipv6/conf/%s/accept_ra", "ipv6/conf/%s/accept_dad", "ipv6/conf/%s/disable_ipv6", "ipv4/conf/%s/arp_notify"} {
					v, _ := sysctl.Get("net/" + fmt.Sprintf(k, a.Name))
					lines = append(lines, fmt.Sprintf("%s sysctl %s=%s", side.name, fmt.Sprintf(k, a.Name), v))
				}
				as, err := netlink.AddrList(l, netlink.FAMILY_ALL)
				if err != nil {
					return err
				}
				for _, ad := range as {
					if !ad.IP.IsLinkLocalUnicast() {
						lines = append(lines, fmt.Sprintf("%s addr %s %s", side.name, a.Name, ad.IPNet))
					}
				}
				rt, err := testutils.RouteText(a.Name, netlink.FAMILY_ALL, 0)
				if err != nil {
					return err
				}
				if rt != "" {
					lines = append(lines, side.name+" routes "+a.Name+"\n"+rt)
				}
			}
			for _, k := range []string{"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"} {
				v, _ := sysctl.Get(k)
				lines = append(lines, fmt.Sprintf("%s sysctl %s=%s", side.name, k, v))
			}
			return nil
		})).To(Succeed())
	}
	Expect(inNS(e.host, func() error {
		if _, err := exec.LookPath("iptables-save"); err == nil {
			for _, bin := range []string{"iptables-save", "ip6tables-save"} {
				out, err := exec.Command(bin, "-t", "nat").Output()
				if err != nil {
					return err
				}
				for _, l := range strings.Split(string(out), "\n") {
					if strings.HasPrefix(l, "-A ") || strings.HasPrefix(l, ":CNI-") {
						lines = append(lines, bin+" "+l)
					}
				}
			}
		}
		if _, err := exec.LookPath("nft"); err == nil {
			out, err := exec.Command("nft", "list", "ruleset").Output()
			if err != nil {
				return err
			}
			// iptables-nft's own tables are compared above with
			// iptables-save (an iptables command may leave them empty);
			// table and chain comments are a listed difference.
			skip := false
			for _, l := range strings.Split(string(out), "\n") {
				switch {
				case l == "table ip nat {" || l == "table ip6 nat {":
					skip = true
				case skip && l == "}":
					skip = false
					continue
				}
				l = strings.TrimSpace(l)
				if skip || l == "" || strings.HasPrefix(l, "comment ") || strings.HasPrefix(l, "#") {
					continue
				}
				lines = append(lines, "nft "+l)
			}
		}
		return nil
	})).To(Succeed())
	sort.Strings(lines)
	return nameRE.ReplaceAllString(strings.Join(lines, "\n"), "X")
}

var _ = Describe("differential against upstream's bridge", func() {
	// Configs whose ADD leaves the same state with both plugins (the
	// listed differences aside). The IPAM plugin is ours on both sides.
	cases := map[string]string{
		"l2":       `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0"}`,
		"l2-0.3.1": `{"cniVersion":"0.3.1","name":"mynet","type":"bridge","bridge":"mynet0","ipam":{}}`,
		"gateway": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isDefaultGateway":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}]}}`,
		"no-gateway-from-ipam": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}}`,
		"flags": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","mtu":1400,"hairpinMode":true,
			"portIsolation":true,"runtimeConfig":{"mac":"02:00:00:00:00:42"},"dns":{"nameservers":["192.0.2.53"]}}`,
		"promisc-disabled": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","promiscMode":true,"disableContainerInterface":true}`,
		"enabledad": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","enabledad":true,
			"ipam":{"type":"static","addresses":[{"address":"2001:db8:1::10/64"}]}}`,
		"masq-nftables": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true,"ipMasq":true,"ipMasqBackend":"nftables",
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}]}}`,
		"macspoofchk": `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","macspoofchk":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}}`,
	}
	if _, err := exec.LookPath("iptables"); err == nil {
		cases["masq-iptables"] = strings.Replace(cases["masq-nftables"], "nftables", "iptables", 1)
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		conf := cases[name]
		It("leaves the same state as upstream: "+name, func() {
			up := upstreamEnv()
			ours := newEnv()
			upOut, err := up.run(call{verb: "ADD", conf: conf, netns: up.ctr.Path()})
			Expect(err).NotTo(HaveOccurred(), "upstream ADD")
			ourOut, err := ours.run(call{verb: "ADD", conf: conf, netns: ours.ctr.Path()})
			Expect(err).NotTo(HaveOccurred(), "our ADD")
			// Results compared as values: upstream indents its JSON.
			expectSameState(ours.state(compactJSON(ourOut)), up.state(compactJSON(upOut)))

			// Each DEL removes what the other's ADD made (upgrade, downgrade).
			ourOnUp := *up
			ourOnUp.bin = ""
			upOnOurs := *ours
			upOnOurs.bin, upOnOurs.cniPath = up.bin, up.cniPath
			_, err = ourOnUp.run(call{verb: "DEL", conf: conf, netns: up.ctr.Path()})
			Expect(err).NotTo(HaveOccurred())
			_, err = upOnOurs.run(call{verb: "DEL", conf: conf, netns: ours.ctr.Path()})
			Expect(err).NotTo(HaveOccurred())
			expectSameState(ours.state(nil), up.state(nil))
			for _, e := range []*env{up, ours} {
				Expect(links(e.ctr)).To(BeEmpty())
				Expect(e.state(nil)).NotTo(Or(ContainSubstring("CNI-"), ContainSubstring(" masquerade"), ContainSubstring("MASQUERADE"), ContainSubstring("macspoofchk")))
			}
		})
	}
})
