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
	"path/filepath"
	"time"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

// upstreamRelease is the release of upstream's dhcp binary the specs talk
// to.
const upstreamRelease = upstream.Release

// upstreamDHCP returns the path of upstream's released dhcp binary
// (pkg/testutils/upstream: built once into a cache outside the work tree).
// It skips only where no binary can be had (the VM guest).
func upstreamDHCP() string {
	GinkgoHelper()
	return upstream.RequireBin("dhcp")
}

var _ = Describe("dhcp next to upstream's "+upstreamRelease, func() {
	It("our plugin works with upstream's daemon, and upstream's plugin with ours", func() {
		l := startLab(
			"--dhcp-option=option:router,192.0.2.1",
			"--dhcp-option=option:classless-static-route,203.0.113.0/24,192.0.2.2,203.0.113.0/24,192.0.2.3",
		)
		upstream := upstreamDHCP()

		By("upstream's plugin (through our macvlan) with our daemon")
		mixed := GinkgoT().TempDir()
		Expect(os.Symlink(filepath.Join(l.bin, "macvlan"), filepath.Join(mixed, "macvlan"))).To(Succeed())
		Expect(os.Symlink(upstream, filepath.Join(mixed, "dhcp"))).To(Succeed())
		call := testutils.PluginCall{Command: "ADD", ContainerID: "ctr1", Netns: l.container.Path(), IfName: "eth0", Path: mixed, Stdin: l.conf("")}
		var out []byte
		Expect(l.master.Do(func(ns.NetNS) error {
			var err error
			out, err = testutils.ExecPlugin(filepath.Join(mixed, "macvlan"), call)
			return err
		})).To(Succeed())
		res := &current.Result{}
		Expect(json.Unmarshal(out, res)).To(Succeed())
		Expect(routeStrings(res.Routes)).To(Equal([]string{"203.0.113.0/24 via 192.0.2.2", "203.0.113.0/24 via 192.0.2.3"}))
		Expect(l.routes()).To(Equal("203.0.113.0/24 nexthop via 192.0.2.2 dev eth0 weight 1 nexthop via 192.0.2.3 dev eth0 weight 1"))
		call.Command = "DEL"
		Expect(l.master.Do(func(ns.NetNS) error {
			_, err := testutils.ExecPlugin(upstream, call)
			return err
		})).To(Succeed())
		Eventually(l.leases, 10*time.Second, 100*time.Millisecond).Should(BeEmpty())
		Expect(l.master.Do(func(ns.NetNS) error {
			_, err := testutils.ExecPlugin(filepath.Join(l.bin, "macvlan"), call)
			return err
		})).To(Succeed())

		By("our plugin with upstream's daemon")
		sock := filepath.Join(l.dir, "upstream.sock")
		startProcess(filepath.Join(l.dir, "upstream-daemon.log"), upstream, "daemon", "-socketpath", sock, "-timeout", "15s")
		conf := []byte(`{"cniVersion":"1.0.0","name":"dhcpnet","type":"macvlan","master":"master0","ipam":{"type":"dhcp","daemonSocketPath":"` + sock + `"}}`)
		Eventually(func() error {
			_, err := testutils.ExecPlugin(filepath.Join(l.bin, "dhcp"), testutils.PluginCall{Command: "CHECK", Path: l.bin, Stdin: conf,
				ContainerID: "ctr1", Netns: l.container.Path(), IfName: "eth0"})
			return err
		}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
		call = testutils.PluginCall{Command: "ADD", ContainerID: "ctr2", Netns: l.container.Path(), IfName: "eth0", Path: l.bin, Stdin: conf}
		Expect(l.master.Do(func(ns.NetNS) error {
			var err error
			out, err = testutils.ExecPlugin(filepath.Join(l.bin, "macvlan"), call)
			return err
		})).To(Succeed())
		res = &current.Result{}
		Expect(json.Unmarshal(out, res)).To(Succeed())
		Expect(res.IPs).To(HaveLen(1))
		Expect(res.IPs[0].Address.String()).To(MatchRegexp(`^192\.0\.2\.\d+/24$`))
		Expect(l.leases()).To(HaveKey(res.IPs[0].Address.IP.String()))
		call.Command = "DEL"
		Expect(l.master.Do(func(ns.NetNS) error {
			_, err := testutils.ExecPlugin(filepath.Join(l.bin, "dhcp"), call)
			return err
		})).To(Succeed())
		Eventually(l.leases, 10*time.Second, 100*time.Millisecond).Should(BeEmpty())
	})
})
