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
	"os"
	"os/exec"
	"path/filepath"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/vishvananda/netlink"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// ecmpConf is the README's ECMP example (a macvlan network whose
// host-local IPAM lists two gateways for each default route) with master
// and dataDir replaced.
func ecmpConf(master, dataDir string) []byte {
	GinkgoHelper()
	blocks := readmeJSONBlocks()
	Expect(blocks).To(HaveLen(2))
	var m map[string]any
	Expect(json.Unmarshal([]byte(blocks[1]), &m)).To(Succeed())
	Expect(m["name"]).To(Equal("ecmp"))
	m["master"] = master
	m["ipam"].(map[string]any)["dataDir"] = dataDir
	out, err := json.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return out
}

var _ = Describe("ECMP with macvlan", func() {
	It("installs one multipath route per family from host-local's routes", func() {
		testutils.RequireKernelFeature("macvlan")
		testutils.RequireKernelFeature("multipath")

		// macvlan delegates to host-local through CNI_PATH: BeforeSuite
		// put both binaries in one directory.
		binDir := filepath.Dir(pluginBin)

		hostNS := testutils.NewNSForSpec()
		contNS := testutils.NewNSForSpec()
		const master = "mst0"
		Expect(hostNS.Do(func(ns.NetNS) error {
			veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: master}, PeerName: master + "p"}
			if err := netlink.LinkAdd(veth); err != nil {
				return fmt.Errorf("add veth %s: %w", master, err)
			}
			// Both ends up: a veth has carrier only then, and without
			// carrier IPv6 DAD in the container never completes.
			for _, name := range []string{master, master + "p"} {
				l, err := netlinksafe.LinkByName(name)
				if err != nil {
					return fmt.Errorf("find %s: %w", name, err)
				}
				if err := netlink.LinkSetUp(l); err != nil {
					return fmt.Errorf("set %s up: %w", name, err)
				}
			}
			return nil
		})).To(Succeed())

		dataDir := filepath.Join(GinkgoT().TempDir(), "networks")
		conf := ecmpConf(master, dataDir)
		run := func(command string, conf []byte) ([]byte, error) {
			var stdout, stderr bytes.Buffer
			// Started from inside hostNS: the child inherits the namespace
			// of the locked thread, so macvlan finds its master there.
			err := hostNS.Do(func(ns.NetNS) error {
				cmd := exec.Command(filepath.Join(binDir, "macvlan"))
				cmd.Env = []string{"CNI_COMMAND=" + command, "CNI_CONTAINERID=ecmp1", "CNI_IFNAME=eth0",
					"CNI_NETNS=" + contNS.Path(), "CNI_PATH=" + binDir}
				cmd.Stdin = bytes.NewReader(conf)
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				return cmd.Run()
			})
			if err != nil {
				return nil, fmt.Errorf("macvlan %s: %w: stdout %s stderr %s", command, err, stdout.String(), stderr.String())
			}
			return stdout.Bytes(), nil
		}

		added, err := run("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() {
			_, err := run("DEL", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(networkRecords(filepath.Join(dataDir, "ecmp"))).To(BeEmpty())
		})

		var v4, v6 string
		Expect(contNS.Do(func(ns.NetNS) (err error) {
			if v4, err = testutils.RouteText("eth0", ipaddr.FamilyV4, 0); err != nil {
				return err
			}
			v6, err = testutils.RouteText("eth0", ipaddr.FamilyV6, 0)
			return err
		})).To(Succeed())
		Expect(v4).To(Equal("default nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 1"))
		Expect(v6).To(Equal("default metric 1024 nexthop via 2001:db8::1 dev eth0 weight 1 nexthop via 2001:db8::2 dev eth0 weight 1"))
		readme, err := os.ReadFile("README.md")
		Expect(err).NotTo(HaveOccurred())
		Expect(string(readme)).To(ContainSubstring(v4+"\n"+v6+"\n"), "README shows the routes as installed")

		// CHECK through macvlan runs host-local's CHECK on the prevResult.
		res, err := version.NewResult("1.1.0", added)
		Expect(err).NotTo(HaveOccurred())
		cur, err := current.NewResultFromResult(res)
		Expect(err).NotTo(HaveOccurred())
		Expect(cur.IPs).To(HaveLen(2))
		_, err = run("CHECK", withPrev(conf, cur))
		Expect(err).NotTo(HaveOccurred())
	})
})
