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

package linktest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/skel"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// earlySpecs check the IPAM plugin started by link.StartIPAM, the plugin's
// skel.Dispatcher EarlyAdd hook: ADD runs through a dispatcher as the
// plugin's main does.
func earlySpecs(newFixture func() *Fixture) {
	var (
		f   *Fixture
		dir string
	)
	// The recording IPAM plugin logs "start" and its pid when its process
	// starts and "config" once it has read a config, then prints a result.
	const record = `#!/bin/sh
log="$(dirname "$0")/log"
echo "start $$" >> "$log"
conf=$(cat)
[ -n "$conf" ] && echo config >> "$log"
echo '{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}]}'
`
	BeforeEach(func() {
		f = newFixture()
		dir = GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "record"), []byte(record), 0o755)).To(Succeed())
		GinkgoT().Setenv("CNI_PATH", dir+":"+os.Getenv("CNI_PATH"))
	})
	logged := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "log"))
		if os.IsNotExist(err) {
			return ""
		}
		Expect(err).NotTo(HaveOccurred())
		return string(b)
	}
	// started waits until the recording plugin has logged its start and
	// returns its pid.
	started := func() string {
		GinkgoHelper()
		Eventually(logged).WithTimeout(10*time.Second).WithPolling(5*time.Millisecond).Should(HavePrefix("start "),
			"the IPAM plugin was not started")
		line, _, _ := strings.Cut(logged(), "\n")
		return strings.TrimPrefix(line, "start ")
	}
	// dispatch runs ADD of stdin in the host namespace with CNI_NETNS
	// netns, through a dispatcher as the plugin's main does. With early
	// set, the EarlyAdd hook returns only once the IPAM plugin it started
	// is running, and the hook's pid is returned; add, when set, runs
	// before the plugin's Add.
	dispatch := func(stdin []byte, netns string, early bool, add func()) (types.Result, *types.Error, string) {
		args := f.Args(stdin, "")
		args.Netns = netns
		var (
			res types.Result
			e   *types.Error
			pid string
		)
		Expect(f.HostNS.Do(func(ns.NetNS) error {
			SetEnv("ADD", args)
			d := &skel.Dispatcher{Stdin: bytes.NewReader(stdin), Stderr: GinkgoWriter, EarlyAdd: func(stdin []byte) func() {
				done := link.StartIPAM(stdin)
				if early {
					pid = started()
				}
				return done
			}}
			res, _, _ = testutils.CmdAdd(args, func(*skel.CmdArgs) error {
				e = d.Main(skel.CNIFuncs{Add: func(a *skel.CmdArgs) error {
					if add != nil {
						add()
					}
					return f.Plugin.Add(a)
				}}, version.All, "")
				return nil
			})
			return nil
		})).To(Succeed())
		return res, e, pid
	}
	// gone asserts that the process pid was ended and reaped.
	gone := func(pid string) {
		GinkgoHelper()
		_, err := os.Stat("/proc/" + pid)
		Expect(os.IsNotExist(err)).To(BeTrue(), "IPAM plugin %s still exists: %v", pid, err)
	}
	conf := func(fields map[string]any) []byte {
		m := map[string]any{"master": MasterName, "ipam": map[string]any{"type": "record"}}
		for k, v := range fields {
			m[k] = v
		}
		return f.Conf("1.1.0", m)
	}

	It("starts the IPAM plugin before Add runs, and Add takes it over", func() {
		res, e, pid := dispatch(conf(nil), f.ContNS.Path(), true, nil)
		Expect(e).To(BeNil())
		Expect(AsCurrent(res).IPs).To(HaveLen(1))
		Expect(AsCurrent(res).IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
		Expect(logged()).To(Equal("start "+pid+"\nconfig\n"), "one IPAM process, given its config once")
		gone(pid)
		_, cont := f.Snapshots()
		Expect(cont).To(ContainSubstring("192.0.2.10/24"))
	})

	It("cancels it unread when CNI_NETNS is refused", func() {
		host, cont := f.Snapshots()
		_, e, pid := dispatch(conf(nil), f.HostNS.Path(), true, nil)
		Expect(e).NotTo(BeNil())
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetNS)))
		Expect(logged()).NotTo(ContainSubstring("config"))
		gone(pid)
		h, c := f.Snapshots()
		Expect(h).To(Equal(host))
		Expect(c).To(Equal(cont))
	})

	It("cancels it unread when the plugin refuses its config", func() {
		_, e, pid := dispatch(conf(map[string]any{"mtu": -1}), f.ContNS.Path(), true, nil)
		Expect(e).NotTo(BeNil())
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		Expect(logged()).NotTo(ContainSubstring("config"))
		gone(pid)
		f.ContHasNoLink()
	})

	It("leaves to Add a config whose IPAM type it cannot read plainly", func() {
		// "IPAM" is the ipam section to encoding/json, not to the reader.
		stdin := bytes.Replace(conf(nil), []byte(`"ipam"`), []byte(`"IPAM"`), 1)
		Expect(string(stdin)).To(ContainSubstring(`"IPAM"`))
		_, e, _ := dispatch(stdin, f.ContNS.Path(), false, func() {
			Expect(logged()).To(BeEmpty(), "started although the type could not be read")
		})
		Expect(e).To(BeNil())
		Expect(strings.Count(logged(), "start")).To(Equal(1))
		Expect(strings.Count(logged(), "config")).To(Equal(1))
	})
}
