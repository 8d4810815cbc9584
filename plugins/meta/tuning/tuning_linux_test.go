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
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// fixture is a container namespace holding eth0, one end of a veth pair,
// as an interface plugin leaves it, and a data directory for the plugin.
type fixture struct {
	netns   ns.NetNS
	dataDir string
	mac     string // eth0's MAC before tuning
}

func newFixture() *fixture {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	f := &fixture{netns: testutils.NewNSForSpec(), dataDir: filepath.Join(GinkgoT().TempDir(), "tuning")}
	Expect(f.netns.Do(func(ns.NetNS) error {
		attrs := netlink.NewLinkAttrs() // TxQLen -1: the kernel's default, 1000
		attrs.Name = "eth0"
		veth := &netlink.Veth{LinkAttrs: attrs, PeerName: "peer0"}
		if err := netlink.LinkAdd(veth); err != nil {
			return err
		}
		l, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		f.mac = l.Attrs().HardwareAddr.String()
		return netlink.LinkSetUp(l)
	})).To(Succeed())
	return f
}

// prevResult is what an interface plugin printed, in spec version ver.
func (f *fixture) prevResult(ver string) string {
	GinkgoHelper()
	res := &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		Interfaces: []*current.Interface{{Name: "eth0", Mac: f.mac, Sandbox: f.netns.Path()}},
		IPs:        []*current.IPConfig{{Address: mustCIDR("192.0.2.5/24"), Interface: current.Int(0)}},
	}
	conv, err := res.GetAsVersion(ver)
	Expect(err).NotTo(HaveOccurred())
	b, err := json.Marshal(conv)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// config returns a tuning config of version ver with the given extra
// members and f's prevResult.
func (f *fixture) config(ver, extra string) []byte {
	GinkgoHelper()
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"tn","type":"tuning","dataDir":%q,%s"prevResult":%s}`,
		ver, f.dataDir, extra, f.prevResult(ver)))
}

func (f *fixture) call(cmd string, stdin []byte, cniArgs string) ([]byte, error) {
	return testutils.ExecPlugin(filepath.Join(binDir, "tuning"), testutils.PluginCall{
		Command: cmd, ContainerID: "c1", Netns: f.netns.Path(), IfName: "eth0", Args: cniArgs, Stdin: stdin,
	})
}

// linkText renders eth0's attributes as one line.
func (f *fixture) linkText() string {
	GinkgoHelper()
	var out string
	Expect(f.netns.Do(func(ns.NetNS) error {
		l, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		a := l.Attrs()
		out = fmt.Sprintf("mac %s mtu %d promisc %d allmulti %d qlen %d", a.HardwareAddr, a.MTU, a.Promisc, a.Allmulti, a.TxQLen)
		return nil
	})).To(Succeed())
	return out
}

// state renders eth0's attributes and two sysctls as one line.
func (f *fixture) state() string {
	GinkgoHelper()
	var out string
	Expect(f.netns.Do(func(ns.NetNS) error {
		l, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		a := l.Attrs()
		arp, err := os.ReadFile("/proc/sys/net/ipv4/conf/eth0/arp_filter")
		if err != nil {
			return err
		}
		conn, err := os.ReadFile("/proc/sys/net/core/somaxconn")
		if err != nil {
			return err
		}
		out = fmt.Sprintf("mac %s mtu %d promisc %d allmulti %d qlen %d arp_filter %s somaxconn %s",
			a.HardwareAddr, a.MTU, a.Promisc, a.Allmulti, a.TxQLen, strings.TrimSpace(string(arp)), strings.TrimSpace(string(conn)))
		return nil
	})).To(Succeed())
	return out
}

func mustCIDR(s string) net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	Expect(err).NotTo(HaveOccurred())
	n.IP = ip
	return *n
}

const allFields = `"mac":"c2:b0:57:49:47:f1","mtu":1454,"promisc":true,"allmulti":true,"txQLen":500,` +
	`"sysctl":{"net.ipv4.conf.IFNAME.arp_filter":"1","net/core/somaxconn":"500"},`

var _ = Describe("tuning", func() {
	for _, ver := range testutils.SpecVersions() {
		It("sets every attribute and sysctl, checks them and puts the attributes back on DEL, at version "+ver, func() {
			f := newFixture()
			Expect(f.state()).To(Equal(fmt.Sprintf("mac %s mtu 1500 promisc 0 allmulti 0 qlen 1000 arp_filter 0 somaxconn 4096", f.mac)))
			conf := f.config(ver, allFields)

			out, err := f.call("ADD", conf, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(f.state()).To(Equal("mac c2:b0:57:49:47:f1 mtu 1454 promisc 1 allmulti 1 qlen 500 arp_filter 1 somaxconn 500"))
			res, err := version.NewResult(ver, out)
			Expect(err).NotTo(HaveOccurred())
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.3.0"); ok {
				Expect(cur.Interfaces).To(HaveLen(1))
				Expect(cur.Interfaces[0].Mac).To(Equal("c2:b0:57:49:47:f1"))
			}
			Expect(cur.IPs).To(HaveLen(1))

			// The state file is upstream's, byte for byte.
			st, err := os.ReadFile(filepath.Join(f.dataDir, "c1_eth0.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(st)).To(Equal(fmt.Sprintf("{\n \"mac\": %q,\n \"promisc\": false,\n \"mtu\": 1500,\n \"allmulti\": false,\n \"txQLen\": 1000\n}", f.mac)))

			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.call("CHECK", conf, "")
				Expect(err).NotTo(HaveOccurred())
				Expect(f.netns.Do(func(ns.NetNS) error {
					return os.WriteFile("/proc/sys/net/ipv4/conf/eth0/arp_filter", []byte("0"), 0o644)
				})).To(Succeed())
				_, err = f.call("CHECK", conf, "")
				Expect(err).To(MatchError(ContainSubstring(`sysctl net.ipv4.conf.IFNAME.arp_filter is "0", configured "1"`)))
			}

			_, err = f.call("DEL", conf, "")
			Expect(err).NotTo(HaveOccurred())
			// Sysctls stay as ADD left them (as upstream): the namespace
			// goes away with the container.
			arp := "1"
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				arp = "0" // as the CHECK above left it
			}
			Expect(f.state()).To(Equal(fmt.Sprintf("mac %s mtu 1500 promisc 0 allmulti 0 qlen 1000 arp_filter %s somaxconn 500", f.mac, arp)))
			Expect(filepath.Join(f.dataDir, "c1_eth0.json")).NotTo(BeAnExistingFile())
			_, err = f.call("DEL", conf, "")
			Expect(err).NotTo(HaveOccurred())
		})
	}

	It("turns all-multicast mode off for allmulti false, and back on at DEL, as upstream", func() {
		f := newFixture()
		Expect(f.netns.Do(func(ns.NetNS) error {
			l, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			return netlink.LinkSetAllmulticastOn(l)
		})).To(Succeed())
		before := f.linkText()
		Expect(before).To(ContainSubstring("allmulti 1"))
		conf := f.config("1.0.0", `"allmulti":false,`)
		_, err := f.call("ADD", conf, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.linkText()).To(ContainSubstring("allmulti 0"))
		st, err := os.ReadFile(filepath.Join(f.dataDir, "c1_eth0.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(st)).To(Equal("{\n \"allmulti\": true\n}"))
		_, err = f.call("CHECK", conf, "")
		Expect(err).NotTo(HaveOccurred())
		_, err = f.call("CHECK", f.config("1.0.0", `"allmulti":true,`), "")
		Expect(err).To(MatchError(ContainSubstring("allmulticast of eth0 is off, configured on")))
		_, err = f.call("DEL", conf, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.linkText()).To(Equal(before))
	})

	It("undoes everything when ADD fails half way", func() {
		f := newFixture()
		before := f.state()
		_, err := f.call("ADD", f.config("1.0.0", `"promisc":true,"mtu":70000,"sysctl":{"net.core.somaxconn":"500"},`), "")
		Expect(err).To(MatchError(ContainSubstring("set mtu 70000 of eth0")))
		Expect(f.state()).To(Equal(before))
		Expect(filepath.Join(f.dataDir, "c1_eth0.json")).NotTo(BeAnExistingFile())
	})

	It("refuses ADD and CHECK without a prevResult", func() {
		f := newFixture()
		for _, cmd := range []string{"ADD", "CHECK"} {
			_, err := f.call(cmd, []byte(`{"cniVersion":"1.0.0","name":"tn","type":"tuning","promisc":true}`), "")
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "%s: %v", cmd, err)
			Expect(err).To(MatchError(ContainSubstring("required prevResult missing")))
		}
	})

	It("keeps the state through a DEL without a namespace and restores on the next DEL", func() {
		f := newFixture()
		before := f.state()
		conf := f.config("1.0.0", `"mtu":1400,`)
		_, err := f.call("ADD", conf, "")
		Expect(err).NotTo(HaveOccurred())
		_, err = testutils.ExecPlugin(filepath.Join(binDir, "tuning"), testutils.PluginCall{
			Command: "DEL", ContainerID: "c1", IfName: "eth0", Stdin: conf,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(f.dataDir, "c1_eth0.json")).To(BeAnExistingFile())
		_, err = f.call("DEL", conf, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.state()).To(Equal(before))
	})

	It("succeeds on DEL of a config ADD refuses, and when the namespace is gone", func() {
		f := newFixture()
		conf := f.config("1.0.0", `"mtu":1400,`)
		_, err := f.call("ADD", conf, "")
		Expect(err).NotTo(HaveOccurred())
		bad := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"tn","type":"tuning","dataDir":%q,"sysctl":{"kernel.x":1},"mtu":-1}`, f.dataDir))
		_, err = testutils.ExecPlugin(filepath.Join(binDir, "tuning"), testutils.PluginCall{
			Command: "DEL", ContainerID: "c1", Netns: "/nonexistent/netns", IfName: "eth0", Stdin: bad,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(f.dataDir, "c1_eth0.json")).NotTo(BeAnExistingFile())
	})

	It("answers GC and STATUS", func() {
		testutils.SkipUnlessRoot()
		for _, cmd := range []string{"GC", "STATUS"} {
			_, err := testutils.ExecPlugin(filepath.Join(binDir, "tuning"), testutils.PluginCall{
				Command: cmd, Stdin: []byte(`{"cniVersion":"1.1.0","name":"tn","type":"tuning"}`),
			})
			Expect(err).NotTo(HaveOccurred(), cmd)
		}
	})
})
