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
	"net"
	"os/exec"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/nftables"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipmasq"
)

// masqChecked runs ipmasq.Check in the host namespace.
func (e *env) masqChecked(backend string, res []string, id, ifName string) error {
	var ipns []*net.IPNet
	for _, s := range res {
		ip, n, err := net.ParseCIDR(s)
		Expect(err).NotTo(HaveOccurred())
		n.IP = ip
		ipns = append(ipns, n)
	}
	return inNS(e.host, func() error { return ipmasq.Check(backend, ipns, "mynet", ifName, id) })
}

// bridgeChains returns the chains of table bridge nat in the host
// namespace.
func (e *env) bridgeChains() []string {
	GinkgoHelper()
	var names []string
	Expect(inNS(e.host, func() error {
		conn, err := nftables.New()
		if err != nil {
			return err
		}
		chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyBridge)
		if err != nil {
			return err
		}
		for _, c := range chains {
			names = append(names, c.Table.Name+" "+c.Name)
		}
		return nil
	})).To(Succeed())
	return names
}

var _ = Describe("bridge netfilter", func() {
	for _, backend := range []string{ipmasq.BackendIPTables, ipmasq.BackendNFTables} {
		It("ipMasq with the "+backend+" backend: ADD sets it up, CHECK sees it, DEL and GC remove it", func() {
			if backend == ipmasq.BackendIPTables {
				if _, err := exec.LookPath("iptables"); err != nil {
					Skip("iptables not installed (the VM guest has no netfilter tools)")
				}
			}
			e := newEnv()
			conf := e.hostLocalConf("1.0.0", `,"isGateway":true,"ipMasq":true,"ipMasqBackend":"`+backend+`"`)
			_, out, err := e.add(conf, "ctr1", "eth0")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = e.add(conf, "ctr2", "eth1")
			Expect(err).NotTo(HaveOccurred())
			Expect(e.masqChecked(backend, []string{"192.0.2.2/24", "2001:db8:1::2/64"}, "ctr1", "eth0")).To(Succeed())
			Expect(e.masqChecked(backend, []string{"192.0.2.3/24", "2001:db8:1::3/64"}, "ctr2", "eth1")).To(Succeed())
			_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
			Expect(err).NotTo(HaveOccurred())

			_, err = e.run(call{verb: "DEL", conf: conf, netns: e.ctr.Path()})
			Expect(err).NotTo(HaveOccurred())
			Expect(e.masqChecked(backend, []string{"192.0.2.2/24"}, "ctr1", "eth0")).To(MatchError(ContainSubstring("missing")))
			Expect(e.masqChecked(backend, []string{"192.0.2.3/24"}, "ctr2", "eth1")).To(Succeed())

			// GC with no valid attachment left removes ctr2's rules (and
			// host-local's record of it).
			gc := strings.Replace(e.hostLocalConf("1.1.0", `,"ipMasq":true`), `"name":"mynet"`,
				`"name":"mynet","cni.dev/valid-attachments":[]`, 1)
			_, err = e.run(call{verb: "GC", conf: gc})
			Expect(err).NotTo(HaveOccurred())
			Expect(e.masqChecked(backend, []string{"192.0.2.3/24"}, "ctr2", "eth1")).To(MatchError(ContainSubstring("missing")))
			Expect(e.records("mynet")).To(BeEmpty())
		})
	}

	It("GC keeps the masquerading of valid attachments", func() {
		e := newEnv()
		conf := e.hostLocalConf("1.1.0", `,"isGateway":true,"ipMasq":true,"ipMasqBackend":"nftables"`)
		_, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		_, _, err = e.add(conf, "ctr2", "eth1")
		Expect(err).NotTo(HaveOccurred())
		// Without cni.dev/valid-attachments nothing is known to be stale
		// (asked without ipam: what host-local makes of it is its own).
		noIPAM := `{"cniVersion":"1.1.0","name":"mynet","type":"bridge","bridge":"cnitest0","ipMasq":true}`
		_, err = e.run(call{verb: "GC", conf: noIPAM})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.masqChecked(ipmasq.BackendNFTables, []string{"192.0.2.3/24"}, "ctr2", "eth1")).To(Succeed())

		var m map[string]any
		Expect(json.Unmarshal([]byte(conf), &m)).To(Succeed())
		m["cni.dev/valid-attachments"] = []types.GCAttachment{{ContainerID: "ctr1", IfName: "eth0"}}
		gc, _ := json.Marshal(m)
		_, err = e.run(call{verb: "GC", conf: string(gc)})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.masqChecked(ipmasq.BackendNFTables, []string{"192.0.2.2/24"}, "ctr1", "eth0")).To(Succeed())
		Expect(e.masqChecked(ipmasq.BackendNFTables, []string{"192.0.2.3/24"}, "ctr2", "eth1")).To(MatchError(ContainSubstring("missing")))
		Expect(e.records("mynet")).To(ConsistOf("192.0.2.2", "2001:db8:1::2"))
	})

	It("macspoofchk drops frames from another source MAC, and DEL removes its chains", func() {
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true,"macspoofchk":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}]}}`
		_, out, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(e.bridgeChains()).To(ConsistOf("nat PREROUTING", "nat cni-br-iface-ctr1-eth0", "nat cni-br-iface-ctr1-eth0-mac"))
		_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())

		var conn *net.UDPConn
		Expect(inNS(e.host, func() error {
			var err error
			conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP("192.0.2.1"), Port: 5555})
			return err
		})).To(Succeed())
		defer conn.Close()
		send := func() error {
			return inNS(e.ctr, func() error {
				c, err := net.Dial("udp4", "192.0.2.1:5555")
				if err != nil {
					return err
				}
				defer c.Close()
				_, err = c.Write([]byte("probe"))
				return err
			})
		}
		received := func() bool {
			_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			buf := make([]byte, 16)
			_, _, err := conn.ReadFromUDP(buf)
			return err == nil
		}
		Eventually(func() bool { Expect(send()).To(Succeed()); return received() }).
			WithTimeout(20 * time.Second).WithPolling(100 * time.Millisecond).Should(BeTrue())

		// A new source MAC: the frames are dropped at the bridge.
		Expect(inNS(e.ctr, func() error {
			l, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			mac, _ := net.ParseMAC("02:00:00:00:00:99")
			return netlink.LinkSetHardwareAddr(l, mac)
		})).To(Succeed())
		for received() {
		}
		Consistently(func() bool { Expect(send()).To(Succeed()); return received() }).
			WithTimeout(3 * time.Second).WithPolling(100 * time.Millisecond).Should(BeFalse())

		_, err = e.run(call{verb: "DEL", conf: conf, netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.bridgeChains()).To(ConsistOf("nat PREROUTING"))
		_, err = e.run(call{verb: "DEL", conf: conf})
		Expect(err).NotTo(HaveOccurred())
	})
})
