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
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/skel"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// upstreamPortmap returns upstream's v1.10.0 portmap binary, from
// $CNI_UPSTREAM_BIN_DIR or the repository's .cache/upstream/v1.10.0 (where
// the IPAM plugins' tests build upstream's binaries), or skips.
func upstreamPortmap() string {
	var dirs []string
	if d := os.Getenv("CNI_UPSTREAM_BIN_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, filepath.Join(filepath.Dir(testutils.PluginBinDir()), ".cache", "upstream", "v1.10.0"))
	for _, d := range dirs {
		p := filepath.Join(d, "portmap")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	Skip("upstream's v1.10.0 portmap binary not found in $CNI_UPSTREAM_BIN_DIR or .cache/upstream/v1.10.0")
	return ""
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
