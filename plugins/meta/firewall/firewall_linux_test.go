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
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// fixture is a throwaway "host" namespace, where the plugin runs and makes
// its rules as it would in the machine's, and a container namespace for
// CNI_NETNS. Nothing touches the machine's own ruleset.
type fixture struct {
	host, cont ns.NetNS
}

// newFixture skips without root or without the iptables commands (the VM
// guest's busybox userland has none).
func newFixture() *fixture {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	for _, c := range []string{"iptables", "ip6tables", "iptables-save", "ip6tables-save"} {
		if _, err := exec.LookPath(c); err != nil {
			Skip(fmt.Sprintf("no %s command (the VM guest has none): the iptables backend cannot run", c))
		}
	}
	return &fixture{host: testutils.NewNSForSpec(), cont: testutils.NewNSForSpec()}
}

// exec runs bin in f.host, as a runtime there would.
func (f *fixture) exec(bin, cmd, id string, stdin []byte, netns string) ([]byte, error) {
	var out []byte
	err := f.host.Do(func(ns.NetNS) error {
		var err error
		out, err = testutils.ExecPlugin(bin, testutils.PluginCall{
			Command: cmd, ContainerID: id, Netns: netns, IfName: "eth0", Path: binDir, Stdin: stdin,
		})
		return err
	})
	return out, err
}

// call runs our firewall binary with the fixture's container namespace.
func (f *fixture) call(cmd string, stdin []byte) ([]byte, error) {
	return f.exec(filepath.Join(binDir, "firewall"), cmd, "ctr1", stdin, f.cont.Path())
}

// rules returns the filter table of f.host for a family ("iptables" or
// "ip6tables") as iptables-save prints it, without comments and counters.
func (f *fixture) rules(cmd string) string {
	GinkgoHelper()
	var out []byte
	Expect(f.host.Do(func(ns.NetNS) error {
		var err error
		out, err = exec.Command(cmd+"-save", "-t", "filter").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s-save: %w: %s", cmd, err, out)
		}
		return nil
	})).To(Succeed())
	var lines []string
	for l := range strings.SplitSeq(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, ":"):
			l, _, _ = strings.Cut(l, " [")
			lines = append(lines, l)
		case strings.HasPrefix(l, "-A"):
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// conf is a firewall config at version v whose prevResult is a bridge
// plugin's: bridge first, host veth, the container's eth0 with ips.
func (f *fixture) conf(v, extra, bridge string, ips ...string) []byte {
	var ipcs []string
	for _, ip := range ips {
		ver := `"version":"4",`
		if strings.Contains(ip, ":") {
			ver = `"version":"6",`
		}
		if v == "1.0.0" || v == "1.1.0" {
			ver = ""
		}
		ipcs = append(ipcs, fmt.Sprintf(`{%s"address":%q,"interface":2}`, ver, ip))
	}
	return fmt.Appendf(nil, `{"cniVersion":%q,"name":"net-%s","type":"firewall"%s,
		"prevResult":{"cniVersion":%q,"interfaces":[{"name":%q},{"name":"veth-%s"},{"name":"eth0","sandbox":%q}],"ips":[%s]}}`,
		v, bridge, extra, v, bridge, bridge, f.cont.Path(), strings.Join(ipcs, ","))
}

// The filter table of a fresh namespace.
const emptyFilter = ":INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT"

var _ = Describe("iptables backend", func() {
	It("makes upstream's chains and rules for both families, checks them, and DEL removes the address rules", func() {
		f := newFixture()
		conf := f.conf("1.0.0", `,"backend":"iptables","ingressPolicy":"same-bridge"`, "cni0", "192.0.2.5/24", "2001:db8::5/64")
		out, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchJSON(`{"cniVersion":"1.0.0","interfaces":[{"name":"cni0"},{"name":"veth-cni0"},{"name":"eth0","sandbox":"`+f.cont.Path()+`"}],
			"ips":[{"address":"192.0.2.5/24","interface":2},{"address":"2001:db8::5/64","interface":2}]}`), "the prevResult, passed through")
		shared := func(host string) string {
			return `:INPUT ACCEPT
:FORWARD ACCEPT
:OUTPUT ACCEPT
:CNI-ADMIN -
:CNI-FORWARD -
:CNI-ISOLATION-STAGE-1 -
:CNI-ISOLATION-STAGE-2 -
-A FORWARD -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j CNI-ISOLATION-STAGE-1
-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
` + host + `-A CNI-ISOLATION-STAGE-1 -i cni0 ! -o cni0 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge)" -j CNI-ISOLATION-STAGE-2
-A CNI-ISOLATION-STAGE-1 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j RETURN
-A CNI-ISOLATION-STAGE-2 -o cni0 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j DROP
-A CNI-ISOLATION-STAGE-2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j RETURN`
		}
		Expect(f.rules("iptables")).To(Equal(shared(`-A CNI-FORWARD -d 192.0.2.5/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A CNI-FORWARD -s 192.0.2.5/32 -j ACCEPT
`)))
		Expect(f.rules("ip6tables")).To(Equal(shared(`-A CNI-FORWARD -d 2001:db8::5/128 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A CNI-FORWARD -s 2001:db8::5/128 -j ACCEPT
`)))
		_, err = f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred(), "a second ADD")
		Expect(f.rules("iptables")).To(Equal(shared(`-A CNI-FORWARD -d 192.0.2.5/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A CNI-FORWARD -s 192.0.2.5/32 -j ACCEPT
`)), "no duplicates")

		_, err = f.call("CHECK", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.host.Do(func(ns.NetNS) error {
			return exec.Command("ip6tables", "-D", "CNI-FORWARD", "-s", "2001:db8::5/128", "-j", "ACCEPT").Run()
		})).To(Succeed())
		_, err = f.call("CHECK", conf)
		Expect(err).To(MatchError(ContainSubstring("IPv6 rule [-s 2001:db8::5/128 -j ACCEPT] not found in chain CNI-FORWARD")))

		_, err = f.call("DEL", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules("iptables")).To(Equal(shared("")), "the shared chains and isolation rules stay, as upstream")
		Expect(f.rules("ip6tables")).To(Equal(shared("")))
		_, err = f.call("DEL", conf)
		Expect(err).NotTo(HaveOccurred(), "a second DEL")
	})

	It("makes only the families of the result's addresses, with the admin chain named in the config", func() {
		f := newFixture()
		conf := f.conf("0.4.0", `,"iptablesAdminChainName":"MY-ADMIN"`, "cni0", "198.51.100.7/24")
		_, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules("iptables")).To(Equal(emptyFilter + `
:CNI-FORWARD -
:MY-ADMIN -
-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j MY-ADMIN
-A CNI-FORWARD -d 198.51.100.7/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A CNI-FORWARD -s 198.51.100.7/32 -j ACCEPT`))
		Expect(f.rules("ip6tables")).To(Equal(emptyFilter))
	})

	It("puts the drop between ports of an isolated bridge first, and newer bridges above older ones", func() {
		f := newFixture()
		_, err := f.call("ADD", f.conf("1.0.0", `,"ingressPolicy":"same-bridge"`, "br1", "192.0.2.5/24"))
		Expect(err).NotTo(HaveOccurred())
		_, err = f.call("ADD", f.conf("1.0.0", `,"ingressPolicy":"isolated"`, "br2", "198.51.100.5/24"))
		Expect(err).NotTo(HaveOccurred())
		text := f.rules("iptables")
		Expect(text).To(ContainSubstring(`-A CNI-ISOLATION-STAGE-1 -i br2 -o br2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: isolated)" -j DROP
-A CNI-ISOLATION-STAGE-1 -i br2 ! -o br2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: isolated)" -j CNI-ISOLATION-STAGE-2
-A CNI-ISOLATION-STAGE-1 -i br1 ! -o br1 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge)" -j CNI-ISOLATION-STAGE-2
-A CNI-ISOLATION-STAGE-1 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j RETURN
-A CNI-ISOLATION-STAGE-2 -o br2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j DROP
-A CNI-ISOLATION-STAGE-2 -o br1 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j DROP
-A CNI-ISOLATION-STAGE-2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)" -j RETURN`))
	})

	It("adds every shared rule once when ADDs run at once", func() {
		f := newFixture()
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			conf := f.conf("1.0.0", `,"ingressPolicy":"same-bridge"`, fmt.Sprintf("br%d", i%2), fmt.Sprintf("192.0.2.%d/24", 10+i))
			go func() {
				defer GinkgoRecover()
				_, err := f.exec(filepath.Join(binDir, "firewall"), "ADD", fmt.Sprintf("c%d", i), conf, f.cont.Path())
				errs <- err
			}()
		}
		for range n {
			Expect(<-errs).To(Succeed())
		}
		lines := strings.Split(f.rules("iptables"), "\n")
		seen := map[string]bool{}
		for _, l := range lines {
			Expect(seen[l]).To(BeFalse(), "a duplicate: %s", l)
			seen[l] = true
		}
		for i := range n {
			Expect(seen[fmt.Sprintf("-A CNI-FORWARD -s 192.0.2.%d/32 -j ACCEPT", 10+i)]).To(BeTrue())
		}
		// 7 chains, 2 jumps in FORWARD, the admin jump, 2 rules per
		// address, per bridge one rule in each stage, and both RETURNs.
		Expect(lines).To(HaveLen(7 + 2 + 1 + 2*n + 2*2 + 2))
	})

	It("leaves no rule and no chain behind when ADD fails", func() {
		f := newFixture()
		// iptables refuses an interface name longer than IFNAMSIZ-1, after
		// the address rules are made.
		_, err := f.call("ADD", f.conf("1.0.0", `,"ingressPolicy":"isolated"`, "a-bridge-name-too-long", "192.0.2.5/24", "2001:db8::5/64"))
		Expect(err).To(HaveOccurred())
		Expect(f.rules("iptables")).To(Equal(emptyFilter))
		Expect(f.rules("ip6tables")).To(Equal(emptyFilter))
	})

	It("refuses with code 7 and makes nothing: no prevResult, an unknown policy, the container's interface as the bridge", func() {
		f := newFixture()
		for _, c := range [][]byte{
			[]byte(`{"cniVersion":"1.0.0","name":"n","type":"firewall"}`),
			f.conf("1.0.0", `,"ingressPolicy":"bogus"`, "cni0", "192.0.2.5/24"),
			fmt.Appendf(nil, `{"cniVersion":"1.0.0","name":"n","type":"firewall","ingressPolicy":"isolated",
				"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":%q}],"ips":[{"address":"192.0.2.5/24"}]}}`, f.cont.Path()),
		} {
			_, err := f.call("ADD", c)
			Expect(testutils.ErrCode(err)).To(BeEquivalentTo(7), string(c))
		}
		Expect(f.rules("iptables")).To(Equal(emptyFilter))
	})

	It("DEL succeeds on configs ADD refuses and on a runtime's second DEL without netns or prevResult", func() {
		f := newFixture()
		conf := f.conf("1.0.0", "", "cni0", "192.0.2.5/24")
		_, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		bogus := f.conf("1.0.0", `,"ingressPolicy":"bogus","backend":"nft"`, "cni0", "192.0.2.5/24")
		_, err = f.call("DEL", bogus)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules("iptables")).NotTo(ContainSubstring("192.0.2.5"), "the address rules, removed by the lenient DEL")
		for _, c := range []string{
			`{"cniVersion":"1.0.0","name":"net-cni0","type":"firewall"}`,
			`{"cniVersion":"1.0.0","name":"net-cni0","type":"firewall","prevResult":{"ips":[null],"interfaces":[null]}}`,
			`{"cniVersion":"1.0.0","name":"x","type":"firewall","prevResult":"not a result"}`,
		} {
			_, err = f.exec(filepath.Join(binDir, "firewall"), "DEL", "ctr1", []byte(c), "")
			Expect(err).NotTo(HaveOccurred(), c)
		}
	})

	It("passes the prevResult through at every spec version that has one", func() {
		f := newFixture()
		for _, v := range []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"} {
			out, err := f.call("ADD", f.conf(v, "", "cni0", "192.0.2.5/24"))
			Expect(err).NotTo(HaveOccurred(), v)
			Expect(string(out)).To(MatchRegexp(`"cniVersion":\s*"`+strings.ReplaceAll(v, ".", `\.`)+`"`), v)
			Expect(string(out)).To(ContainSubstring(`192.0.2.5/24`), v)
		}
	})

	It("GC and STATUS succeed and change nothing", func() {
		f := newFixture()
		conf := f.conf("1.1.0", "", "cni0", "192.0.2.5/24")
		_, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		before := f.rules("iptables")
		for _, cmd := range []string{"GC", "STATUS"} {
			_, err = f.exec(filepath.Join(binDir, "firewall"), cmd, "", []byte(`{"cniVersion":"1.1.0","name":"net-cni0","type":"firewall","cni.dev/valid-attachments":[]}`), "")
			Expect(err).NotTo(HaveOccurred(), cmd)
		}
		Expect(f.rules("iptables")).To(Equal(before))
	})
})
