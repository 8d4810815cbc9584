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
	"os"
	"os/exec"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// withAllowlist returns an executable that runs the tuning binary in a
// mount namespace of its own whose /etc is an empty tmpfs holding only
// cni/tuning/allowlist.conf with content: the plugin reads the file at its
// fixed path, and the machine's /etc is never touched.
func withAllowlist(content string) string {
	GinkgoHelper()
	if _, err := exec.LookPath("unshare"); err != nil {
		Skip("needs unshare(1) to give the plugin a private /etc")
	}
	dir := GinkgoT().TempDir()
	allow := filepath.Join(dir, "allowlist.conf")
	Expect(os.WriteFile(allow, []byte(content), 0o644)).To(Succeed())
	script := filepath.Join(dir, "tuning-with-allowlist")
	// set -e: nothing is written under /etc unless the tmpfs is mounted.
	Expect(os.WriteFile(script, []byte(fmt.Sprintf(`#!/bin/sh
exec unshare --mount --propagation private /bin/sh -ec 'mount -t tmpfs tmpfs /etc; mkdir -p /etc/cni/tuning; cp %s /etc/cni/tuning/allowlist.conf; exec %s'
`, allow, filepath.Join(binDir, "tuning"))), 0o755)).To(Succeed())
	return script
}

var _ = Describe("the allowlist file", func() {
	It("is read by ADD from /etc/cni/tuning/allowlist.conf", func() {
		f := newFixture()
		bin := withAllowlist("^net\\.core\\.somaxconn$\n")
		call := func(cmd, sysctl string) error {
			_, err := testutils.ExecPlugin(bin, testutils.PluginCall{
				Command: cmd, ContainerID: "c1", Netns: f.netns.Path(), IfName: "eth0",
				Stdin: f.config("1.0.0", `"sysctl":{`+sysctl+`},`),
			})
			return err
		}
		Expect(call("ADD", `"net.core.somaxconn":"600"`)).To(Succeed())
		Expect(f.state()).To(HaveSuffix("somaxconn 600"))
		err := call("ADD", `"net.ipv4.conf.IFNAME.arp_filter":"1"`)
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
		Expect(err).To(MatchError(ContainSubstring(`sysctl "net.ipv4.conf.IFNAME.arp_filter" is not allowed by /etc/cni/tuning/allowlist.conf`)))
		Expect(f.state()).To(ContainSubstring("arp_filter 0"))
		// DEL does not consult it.
		Expect(call("DEL", `"net.ipv4.conf.IFNAME.arp_filter":"1"`)).To(Succeed())
	})
})
