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
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("GC and STATUS", func() {
	It("removes the iptables chains of the network's containers that are gone, and no other", func() {
		testutils.SkipUnlessRoot()
		backends[0].need()
		host := testutils.NewNSForSpec()
		cont := testutils.NewNSForSpec()
		run := func(f func(*skel.CmdArgs) error, id string, stdin []byte) error {
			return host.Do(func(ns.NetNS) error {
				return f(&skel.CmdArgs{ContainerID: id, Netns: cont.Path(), IfName: "eth0", StdinData: stdin})
			})
		}
		add := func(a *skel.CmdArgs) error { _, _, err := testutils.CmdAdd(a, cmdAdd); return err }
		mapping := `{"hostPort":8080,"containerPort":80,"protocol":"tcp"}`
		Expect(run(add, "c-kept", pluginConf("", mapping))).To(Succeed())
		Expect(run(add, "c-gone", pluginConf("", mapping))).To(Succeed())
		other := []byte(strings.Replace(string(pluginConf("", mapping)), `"name":"pmnet"`, `"name":"othernet"`, 1))
		Expect(run(add, "c-other", other)).To(Succeed())

		gc := []byte(`{"cniVersion":"1.1.0","name":"pmnet","type":"portmap",
			"cni.dev/valid-attachments":[{"containerID":"c-kept","ifname":"eth0"},null]}`)
		Expect(run(func(a *skel.CmdArgs) error { return testutils.CmdGC(a, cmdGC) }, "", gc)).To(Succeed())

		var saved string
		Expect(host.Do(func(ns.NetNS) error {
			out, err := exec.Command("iptables-save", "-t", "nat").CombinedOutput()
			saved = string(out)
			return err
		})).To(Succeed())
		Expect(saved).To(ContainSubstring(":" + dnChainName("pmnet", "c-kept")))
		Expect(saved).To(ContainSubstring(":" + dnChainName("othernet", "c-other")))
		Expect(saved).NotTo(ContainSubstring(dnChainName("pmnet", "c-gone")))
		Expect(saved).NotTo(ContainSubstring(`id: \"c-gone\"`))

		status := []byte(`{"cniVersion":"1.1.0","name":"pmnet","type":"portmap"}`)
		Expect(run(func(a *skel.CmdArgs) error { return testutils.CmdStatus(a, cmdStatus) }, "", status)).To(Succeed())
	})

	It("reports code 50 from STATUS when the iptables command is missing", func() {
		GinkgoT().Setenv("PATH", GinkgoT().TempDir())
		status := []byte(`{"cniVersion":"1.1.0","name":"pmnet","type":"portmap"}`)
		err := testutils.CmdStatus(&skel.CmdArgs{StdinData: status}, cmdStatus)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrPluginNotAvailable), "%v", err)
	})

	It("reports STATUS of the nftables backend", func() {
		testutils.SkipUnlessRoot()
		host := testutils.NewNSForSpec()
		status := []byte(`{"cniVersion":"1.1.0","name":"pmnet","type":"portmap","backend":"nftables"}`)
		Expect(host.Do(func(ns.NetNS) error {
			return testutils.CmdStatus(&skel.CmdArgs{StdinData: status}, cmdStatus)
		})).To(Succeed())
	})

	It("fails CHECK when a mapping's rule is missing", func() {
		testutils.SkipUnlessRoot()
		for _, b := range backends {
			By(b.name)
			if b.name == "iptables" {
				if _, err := exec.LookPath("iptables"); err != nil {
					continue
				}
			}
			host := testutils.NewNSForSpec()
			cont := testutils.NewNSForSpec()
			args := &skel.CmdArgs{ContainerID: "c1", Netns: cont.Path(), IfName: "eth0",
				StdinData: pluginConf(b.extra, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"}`)}
			Expect(host.Do(func(ns.NetNS) error { _, _, err := testutils.CmdAdd(args, cmdAdd); return err })).To(Succeed())
			args.StdinData = pluginConf(b.extra, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":9090,"containerPort":90,"protocol":"udp"}`)
			Expect(host.Do(func(ns.NetNS) error { return testutils.CmdCheck(args, cmdCheck) })).To(MatchError(ContainSubstring("check")))
		}
	})
})
