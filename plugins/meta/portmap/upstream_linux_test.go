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
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

// upstreamPortmap returns the path of upstream's released portmap binary
// (pkg/testutils/upstream: built once into a cache outside the work tree).
// It skips only where no binary can be had (the VM guest).
func upstreamPortmap() string {
	GinkgoHelper()
	return upstream.RequireBin("portmap")
}

// runUpstream runs upstream's binary for verb in the host namespace.
func runUpstream(host ns.NetNS, bin, verb string, args *skel.CmdArgs) error {
	return host.Do(func(ns.NetNS) error {
		cmd := exec.Command(bin)
		cmd.Env = []string{"CNI_COMMAND=" + verb, "CNI_CONTAINERID=" + args.ContainerID, "CNI_NETNS=" + args.Netns,
			"CNI_IFNAME=" + args.IfName, "CNI_PATH=/nonexistent", "PATH=" + os.Getenv("PATH")}
		cmd.Stdin = bytes.NewReader(args.StdinData)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("upstream portmap %s: %w: %s", verb, err, out)
		}
		return nil
	})
}

var _ = Describe("an upgrade from upstream's plugin and back", func() {
	for _, b := range backends {
		It("finds and removes the other's "+b.name+" rules", func() {
			testutils.SkipUnlessRoot()
			b.need()
			bin := upstreamPortmap()
			w := newWorld()
			w.serve()
			args := &skel.CmdArgs{ContainerID: "ctr-upgrade", Netns: w.cont.Path(), IfName: "eth0",
				StdinData: pluginConf(b.extra, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"}`)}
			ours := func(f func(*skel.CmdArgs) error) error {
				return w.host.Do(func(ns.NetNS) error { return f(args) })
			}

			// Upstream's ADD, our CHECK and DEL.
			Expect(runUpstream(w.host, bin, "ADD", args)).To(Succeed())
			Expect(ours(func(a *skel.CmdArgs) error { return testutils.CmdCheck(a, cmdCheck) })).To(Succeed())
			Expect(ours(func(a *skel.CmdArgs) error { return testutils.CmdDel(a, cmdDel) })).To(Succeed())
			refused(w.client, "tcp", hostClientV4+":8080", "after our DEL of upstream's rules")

			// Our ADD, upstream's CHECK and DEL.
			Expect(ours(func(a *skel.CmdArgs) error { _, _, err := testutils.CmdAdd(a, cmdAdd); return err })).To(Succeed())
			Expect(runUpstream(w.host, bin, "CHECK", args)).To(Succeed())
			Expect(runUpstream(w.host, bin, "DEL", args)).To(Succeed())
			refused(w.client, "tcp", hostClientV4+":8080", "after upstream's DEL of our rules")
		})
	}
})

// ruleset returns the host namespace's nat rules as iptables-save and
// ip6tables-save print them (without the dated comment lines), or as nft
// lists them (without the table comment, which we cannot write).
func ruleset(host ns.NetNS, nft bool) string {
	GinkgoHelper()
	var out strings.Builder
	Expect(host.Do(func(ns.NetNS) error {
		cmds := [][]string{{"iptables-save", "-t", "nat"}, {"ip6tables-save", "-t", "nat"}}
		if nft {
			cmds = [][]string{{"nft", "list", "ruleset"}}
		}
		for _, c := range cmds {
			b, err := exec.Command(c[0], c[1:]...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s: %w: %s", c[0], err, b)
			}
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == `comment "CNI portmap plugin"` {
					continue
				}
				out.WriteString(l + "\n")
			}
		}
		return nil
	})).To(Succeed())
	return out.String()
}

var _ = Describe("rules as upstream writes them", func() {
	mappings := `{"hostPort":8080,"containerPort":80,"protocol":"tcp"},
		{"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"` + hostClientV4 + `"},
		{"hostPort":9132,"containerPort":132,"protocol":"sctp"}`
	for _, c := range []struct {
		name, extra string
		nft         bool
	}{
		{"iptables default", ``, false},
		{"iptables snat false", `,"snat":false`, false},
		{"iptables masqAll", `,"masqAll":true`, false},
		{"iptables markMasqBit", `,"markMasqBit":5`, false},
		{"iptables externalSetMarkChain", `,"externalSetMarkChain":"KUBE-MARK-MASQ"`, false},
		{"iptables conditions", `,"conditionsV4":["!","-d","203.0.113.0/24"],"conditionsV6":["!","-d","fc00::/7"]`, false},
		{"nftables default", `,"backend":"nftables"`, true},
		{"nftables snat false", `,"backend":"nftables","snat":false`, true},
		{"nftables masqAll", `,"backend":"nftables","masqAll":true`, true},
	} {
		It("writes the same "+c.name+" rules and removes them the same way", func() {
			testutils.SkipUnlessRoot()
			tool := "iptables-save"
			if c.nft {
				tool = "nft"
			}
			if _, err := exec.LookPath(tool); err != nil {
				Skip(tool + " not installed (the VM guest's busybox has none): the specs read the rules back with it")
			}
			bin := upstreamPortmap()
			var dumps [2][2]string // [upstream, ours][after ADD, after DEL]
			for i := range 2 {
				host := testutils.NewNSForSpec()
				cont := testutils.NewNSForSpec()
				args := &skel.CmdArgs{ContainerID: "ctr-diff", Netns: cont.Path(), IfName: "eth0", StdinData: pluginConf(c.extra, mappings)}
				if strings.Contains(c.extra, "KUBE-MARK-MASQ") {
					// Kubernetes' chain, which the config only names.
					Expect(host.Do(func(ns.NetNS) error {
						for _, cmd := range []string{"iptables", "ip6tables"} {
							if out, err := exec.Command(cmd, "-t", "nat", "-N", "KUBE-MARK-MASQ").CombinedOutput(); err != nil {
								return fmt.Errorf("%s: %w: %s", cmd, err, out)
							}
						}
						return nil
					})).To(Succeed())
				}
				if i == 0 {
					Expect(runUpstream(host, bin, "ADD", args)).To(Succeed())
				} else {
					Expect(host.Do(func(ns.NetNS) error { _, _, err := testutils.CmdAdd(args, cmdAdd); return err })).To(Succeed())
				}
				dumps[i][0] = ruleset(host, c.nft)
				if i == 0 {
					Expect(runUpstream(host, bin, "DEL", args)).To(Succeed())
				} else {
					Expect(host.Do(func(ns.NetNS) error { return testutils.CmdDel(args, cmdDel) })).To(Succeed())
				}
				dumps[i][1] = ruleset(host, c.nft)
			}
			Expect(dumps[0][0]).To(ContainSubstring("8080"))
			Expect(dumps[1][0]).To(Equal(dumps[0][0]), "after ADD")
			Expect(dumps[1][1]).To(Equal(dumps[0][1]), "after DEL")
		})
	}
})
