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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("spec versions", func() {
	for _, v := range testutils.SpecVersions() {
		It("passes prevResult through at "+v+" and removes its rules", func() {
			testutils.SkipUnlessRoot()
			prev := &current.Result{
				CNIVersion: current.ImplementedSpecVersion,
				Interfaces: []*current.Interface{{Name: "eth0", Sandbox: "/x"}},
				IPs: []*current.IPConfig{{
					Interface: current.Int(0),
					Address:   net.IPNet{IP: net.ParseIP(contV4).To4(), Mask: net.CIDRMask(24, 32)},
					Gateway:   net.ParseIP(hostContV4),
				}},
			}
			conv, err := prev.GetAsVersion(v)
			Expect(err).NotTo(HaveOccurred())
			prevJSON, err := json.Marshal(conv)
			Expect(err).NotTo(HaveOccurred())
			stdin, err := json.Marshal(map[string]any{
				"cniVersion": v, "name": "pmnet", "type": "portmap", "backend": "nftables",
				"runtimeConfig": map[string]any{"portMappings": []map[string]any{{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}}},
				"prevResult":    json.RawMessage(prevJSON),
			})
			Expect(err).NotTo(HaveOccurred())

			host := testutils.NewNSForSpec()
			cont := testutils.NewNSForSpec()
			args := &skel.CmdArgs{ContainerID: "c-" + v, Netns: cont.Path(), IfName: "eth0", StdinData: stdin}
			var out []byte
			Expect(host.Do(func(ns.NetNS) error {
				var err error
				_, out, err = testutils.CmdAdd(args, cmdAdd)
				return err
			})).To(Succeed())
			Expect(out).To(MatchJSON(prevJSON))

			if ok, _ := version.GreaterThanOrEqualTo(v, "0.4.0"); ok {
				Expect(host.Do(func(ns.NetNS) error { return testutils.CmdCheck(args, cmdCheck) })).To(Succeed())
			}
			Expect(host.Do(func(ns.NetNS) error { return testutils.CmdDel(args, cmdDel) })).To(Succeed())
			if ok, _ := version.GreaterThanOrEqualTo(v, "0.4.0"); ok {
				Expect(host.Do(func(ns.NetNS) error { return testutils.CmdCheck(args, cmdCheck) })).NotTo(Succeed(), "CHECK after DEL")
			}
		})
	}
})
