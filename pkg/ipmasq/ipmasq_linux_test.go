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

package ipmasq_test

import (
	"fmt"
	"os/exec"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/nftables"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipmasq"
	"github.com/containernetworking/plugins/pkg/ns"
)

const network = "mynet"

// in runs f in n and returns its error.
func in(n ns.NetNS, f func() error) error {
	return n.Do(func(ns.NetNS) error { return f() })
}

// nftRules returns the comments of the rules in masq_checks, read over
// netlink (the VM guest has no nft binary).
func nftRules(n ns.NetNS) []string {
	GinkgoHelper()
	var comments []string
	Expect(in(n, func() error {
		conn, err := nftables.New()
		if err != nil {
			return err
		}
		t := &nftables.Table{Name: "cni_plugins_masquerade", Family: nftables.TableFamilyINet}
		tables, err := conn.ListTablesOfFamily(nftables.TableFamilyINet)
		if err != nil {
			return err
		}
		found := false
		for _, tt := range tables {
			found = found || tt.Name == t.Name
		}
		if !found {
			return nil
		}
		rules, err := conn.GetRules(t, &nftables.Chain{Name: "masq_checks", Table: t})
		if err != nil {
			return err
		}
		for _, r := range rules {
			// TLV: type 0 (comment), length, text with its NUL.
			if len(r.UserData) > 2 {
				comments = append(comments, strings.TrimRight(string(r.UserData[2:2+int(r.UserData[1])]), "\x00"))
			}
		}
		return nil
	})).To(Succeed())
	return comments
}

// requireBackend skips the spec when backend cannot run here.
func requireBackend(backend string) {
	if backend == ipmasq.BackendIPTables {
		requireBinaries("iptables", "ip6tables", "iptables-save", "ip6tables-save")
	}
}

var _ = Describe("masquerading", func() {
	for _, backend := range []string{ipmasq.BackendIPTables, ipmasq.BackendNFTables} {
		Context("with the "+backend+" backend", func() {
			BeforeEach(func() { requireBackend(backend) })

			It("NATs the container's traffic to the uplink, both families, until Teardown", func() {
				t := newTopology()
				Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("192.0.2.2"))
				Expect(t.sourceSeen(uplinkAddrs[1])).To(Equal("2001:db8:1::2"))

				setup := func() error { return ipmasq.Setup(backend, ctrIPNets(), network, "eth0", "ctr1") }
				Expect(in(t.router, setup)).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.Check(backend, ctrIPNets(), network, "eth0", "ctr1")
				})).To(Succeed())
				Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("198.51.100.1"))
				Expect(t.sourceSeen(uplinkAddrs[1])).To(Equal("2001:db8:2::1"))

				// Setup again (a retried ADD) does not duplicate the rules.
				Expect(in(t.router, setup)).To(Succeed())
				if backend == ipmasq.BackendIPTables {
					Expect(natRules(t.router)).To(Equal(strings.Join([]string{
						":CNI-5145007e2a8415ce07579739 - [0:0]",
						`-A POSTROUTING -s 192.0.2.2/32 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j CNI-5145007e2a8415ce07579739`,
						`-A CNI-5145007e2a8415ce07579739 -d 192.0.2.0/24 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j ACCEPT`,
						`-A CNI-5145007e2a8415ce07579739 ! -d 224.0.0.0/4 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j MASQUERADE`,
						":CNI-5145007e2a8415ce07579739 - [0:0]",
						`-A POSTROUTING -s 2001:db8:1::2/128 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j CNI-5145007e2a8415ce07579739`,
						`-A CNI-5145007e2a8415ce07579739 -d 2001:db8:1::/64 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j ACCEPT`,
						`-A CNI-5145007e2a8415ce07579739 ! -d ff00::/8 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j MASQUERADE`,
					}, "\n")))
				} else {
					c := "d23676b4f2d9fe04-7883a6f9ce71eedb, net: mynet, if: eth0, id: ctr1"
					Expect(nftRules(t.router)).To(Equal([]string{c, c}))
				}

				teardown := func() error { return ipmasq.Teardown(ctrIPNets(), network, "eth0", "ctr1") }
				Expect(in(t.router, teardown)).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.Check(backend, ctrIPNets(), network, "eth0", "ctr1")
				})).To(MatchError(ContainSubstring("missing")))
				Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("192.0.2.2"))
				Expect(t.sourceSeen(uplinkAddrs[1])).To(Equal("2001:db8:1::2"))
				if backend == ipmasq.BackendIPTables {
					Expect(natRules(t.router)).To(BeEmpty())
				} else {
					Expect(nftRules(t.router)).To(BeEmpty())
				}
				// A second DEL, and one that no longer knows the addresses.
				Expect(in(t.router, teardown)).To(Succeed())
				Expect(in(t.router, func() error { return ipmasq.Teardown(nil, network, "eth0", "ctr1") })).To(Succeed())
			})

			It("Teardown without the addresses finds the rules by name", func() {
				t := newTopology()
				Expect(in(t.router, func() error {
					return ipmasq.Setup(backend, ctrIPNets(), network, "eth0", "ctr1")
				})).To(Succeed())
				Expect(in(t.router, func() error { return ipmasq.Teardown(nil, network, "eth0", "ctr1") })).To(Succeed())
				Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("192.0.2.2"))
				Expect(t.sourceSeen(uplinkAddrs[1])).To(Equal("2001:db8:1::2"))
			})

			It("GC removes the rules of attachments not kept, and only those", func() {
				t := newTopology()
				other := ctrIPNets()
				other[0].IP = []byte{192, 0, 2, 3}
				Expect(in(t.router, func() error {
					return ipmasq.Setup(backend, ctrIPNets(), network, "eth0", "ctr1")
				})).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.Setup(backend, other[:1], network, "eth1", "ctr2")
				})).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.Setup(backend, other[:1], "othernet", "eth0", "ctr2")
				})).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.GC(network, []types.GCAttachment{{ContainerID: "ctr1", IfName: "eth0"}})
				})).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.Check(backend, ctrIPNets(), network, "eth0", "ctr1")
				})).To(Succeed())
				Expect(in(t.router, func() error {
					return ipmasq.Check(backend, other[:1], network, "eth1", "ctr2")
				})).To(MatchError(ContainSubstring("missing")))
				// Another network's rules are not GC'd.
				Expect(in(t.router, func() error {
					return ipmasq.Check(backend, other[:1], "othernet", "eth0", "ctr2")
				})).To(Succeed())
				Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("198.51.100.1"))
			})
		})
	}

	It("Teardown and GC succeed where there is nothing to remove", func() {
		t := newTopology()
		Expect(in(t.router, func() error { return ipmasq.Teardown(ctrIPNets(), network, "eth0", "ctr1") })).To(Succeed())
		Expect(in(t.router, func() error { return ipmasq.GC(network, nil) })).To(Succeed())
	})

	It("refuses an unknown backend, naming it", func() {
		Expect(ipmasq.Setup("ebtables", ctrIPNets(), network, "eth0", "ctr1")).To(MatchError(ContainSubstring(`"ebtables"`)))
	})
})

// Rules exactly as upstream's bridge v1.10.0 writes them for mynet, ctr1,
// eth0, 192.0.2.2/24 and 2001:db8:1::2/64 (captured with iptables-save and
// nft list ruleset): an upgraded node must find and remove them.
const upstreamIPTables = `*nat
:CNI-5145007e2a8415ce07579739 - [0:0]
-A POSTROUTING -s 192.0.2.2/32 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j CNI-5145007e2a8415ce07579739
-A CNI-5145007e2a8415ce07579739 -d 192.0.2.0/24 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j ACCEPT
-A CNI-5145007e2a8415ce07579739 ! -d 224.0.0.0/4 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j MASQUERADE
COMMIT
`

const upstreamIP6Tables = `*nat
:CNI-5145007e2a8415ce07579739 - [0:0]
-A POSTROUTING -s 2001:db8:1::2/128 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j CNI-5145007e2a8415ce07579739
-A CNI-5145007e2a8415ce07579739 -d 2001:db8:1::/64 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j ACCEPT
-A CNI-5145007e2a8415ce07579739 ! -d ff00::/8 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j MASQUERADE
COMMIT
`

const upstreamNFT = `table inet cni_plugins_masquerade {
	comment "Masquerading for plugins from github.com/containernetworking/plugins"
	chain masq_checks {
		comment "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet"
		ip saddr 192.0.2.2 ip daddr != 192.0.2.0/24 masquerade comment "d23676b4f2d9fe04-7883a6f9ce71eedb, net: mynet, if: eth0, id: ctr1"
		ip6 saddr 2001:db8:1::2 ip6 daddr != 2001:db8:1::/64 masquerade comment "d23676b4f2d9fe04-7883a6f9ce71eedb, net: mynet, if: eth0, id: ctr1"
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip daddr 224.0.0.0/4 return
		ip6 daddr ff00::/8 return
		goto masq_checks
	}
}
`

var _ = Describe("rules left by upstream's plugins", func() {
	restore := func(n ns.NetNS, bin, rules string) error {
		return in(n, func() error {
			cmd := exec.Command(bin, "--noflush")
			cmd.Stdin = strings.NewReader(rules)
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s: %w: %s", bin, err, out)
			}
			return nil
		})
	}

	It("are checked and removed (iptables)", func() {
		requireBinaries("iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save")
		t := newTopology()
		Expect(restore(t.router, "iptables-restore", upstreamIPTables)).To(Succeed())
		Expect(restore(t.router, "ip6tables-restore", upstreamIP6Tables)).To(Succeed())
		Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("198.51.100.1"))
		Expect(in(t.router, func() error {
			return ipmasq.Check(ipmasq.BackendIPTables, ctrIPNets(), network, "eth0", "ctr1")
		})).To(Succeed())
		Expect(in(t.router, func() error { return ipmasq.Teardown(nil, network, "eth0", "ctr1") })).To(Succeed())
		Expect(natRules(t.router)).To(BeEmpty())
		Expect(t.sourceSeen(uplinkAddrs[0])).To(Equal("192.0.2.2"))
	})

	It("are checked and removed (nftables)", func() {
		requireBinaries("nft")
		t := newTopology()
		Expect(in(t.router, func() error {
			cmd := exec.Command("nft", "-f", "-")
			cmd.Stdin = strings.NewReader(upstreamNFT)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("nft -f: %w: %s", err, out)
			}
			return nil
		})).To(Succeed())
		Expect(t.sourceSeen(uplinkAddrs[1])).To(Equal("2001:db8:2::1"))
		Expect(in(t.router, func() error {
			return ipmasq.Check(ipmasq.BackendNFTables, ctrIPNets(), network, "eth0", "ctr1")
		})).To(Succeed())
		Expect(in(t.router, func() error { return ipmasq.Teardown(ctrIPNets(), network, "eth0", "ctr1") })).To(Succeed())
		Expect(nftRules(t.router)).To(BeEmpty())
		Expect(t.sourceSeen(uplinkAddrs[1])).To(Equal("2001:db8:1::2"))
	})
})
