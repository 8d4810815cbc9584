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
	"net"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// loUp reports whether lo is up in n.
func loUp(n ns.NetNS) bool {
	GinkgoHelper()
	var up bool
	Expect(n.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName("lo")
		if err != nil {
			return err
		}
		up = l.Attrs().Flags&net.FlagUp != 0
		return nil
	})).To(Succeed())
	return up
}

func loArgs(n ns.NetNS, stdin string) *skel.CmdArgs {
	return &skel.CmdArgs{ContainerID: "ctr-1", Netns: n.Path(), IfName: "eth0", StdinData: []byte(stdin)}
}

var _ = Describe("loopback", func() {
	var netns ns.NetNS
	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		netns = testutils.NewNSForSpec()
	})

	for _, ver := range testutils.SpecVersions() {
		It("brings lo up and down with spec version "+ver, func() {
			args := loArgs(netns, fmt.Sprintf(`{"cniVersion":%q,"name":"lo","type":"loopback"}`, ver))
			Expect(loUp(netns)).To(BeFalse())

			res, out, err := testutils.CmdAdd(args, cmdAdd)
			Expect(err).NotTo(HaveOccurred())
			Expect(loUp(netns)).To(BeTrue())
			Expect(res.Version()).To(Equal(ver))

			if gt, _ := version.GreaterThanOrEqualTo(ver, "0.3.0"); !gt {
				Expect(out).To(MatchJSON(fmt.Sprintf(`{"cniVersion":%q,"dns":{}}`, ver)), "before 0.3.0 the result is empty")
			} else {
				r, err := current.NewResultFromResult(res)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Interfaces).To(HaveLen(1))
				Expect(r.Interfaces[0].Name).To(Equal("lo"))
				Expect(r.Interfaces[0].Sandbox).To(Equal(netns.Path()))
				var addrs []string
				for _, ipc := range r.IPs {
					addrs = append(addrs, ipc.Address.String())
				}
				Expect(addrs).To(Equal([]string{"127.0.0.1/8", "::1/128"}))
			}

			if gt, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); gt {
				Expect(testutils.CmdCheck(args, cmdCheck)).To(Succeed())
			}
			Expect(testutils.CmdDel(args, cmdDel)).To(Succeed())
			Expect(loUp(netns)).To(BeFalse())
			if gt, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); gt {
				Expect(testutils.CmdCheck(args, cmdCheck)).To(MatchError("check lo: link is down"))
			}
			Expect(testutils.CmdDel(args, cmdDel)).To(Succeed(), "second DEL")
		})
	}

	It("passes a prevResult through unchanged", func() {
		args := loArgs(netns, `{"cniVersion":"1.1.0","name":"lo","type":"loopback",
			"prevResult":{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}]}}`)
		res, _, err := testutils.CmdAdd(args, cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		r, err := current.NewResultFromResult(res)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.IPs).To(HaveLen(1))
		Expect(r.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
		Expect(loUp(netns)).To(BeTrue())
	})

	It("succeeds DEL when the namespace is gone", func() {
		args := loArgs(netns, `{"cniVersion":"1.1.0","name":"lo","type":"loopback"}`)
		Expect(testutils.UnmountNS(netns)).To(Succeed())
		Expect(testutils.CmdDel(args, cmdDel)).To(Succeed())
	})

	DescribeTable("deletes with a config ADD refuses",
		func(prevResult string, wantCode uint, wantMsg string) {
			bad := loArgs(netns, `{"cniVersion":"1.1.0","name":"lo","type":"loopback","prevResult":`+prevResult+`}`)
			_, _, err := testutils.CmdAdd(bad, cmdAdd)
			Expect(err).To(MatchError(ContainSubstring(wantMsg)))
			Expect(testutils.ErrCode(err)).To(Equal(wantCode))
			Expect(testutils.CmdDel(bad, cmdDel)).To(Succeed(), "cleanup DEL after the refused ADD")

			good := loArgs(netns, `{"cniVersion":"1.1.0","name":"lo","type":"loopback"}`)
			_, _, err = testutils.CmdAdd(good, cmdAdd)
			Expect(err).NotTo(HaveOccurred())
			Expect(loUp(netns)).To(BeTrue())
			Expect(testutils.CmdDel(bad, cmdDel)).To(Succeed())
			Expect(loUp(netns)).To(BeFalse())
			bad.Netns = ""
			Expect(testutils.CmdDel(bad, cmdDel)).To(Succeed(), "repeated DEL without CNI_NETNS")
		},
		Entry("undecodable prevResult", `{"cniVersion":"1.1.0","ips":7}`, uint(types.ErrDecodingFailure), "decode prevResult"),
		Entry("null ips element", `{"cniVersion":"1.1.0","ips":[null]}`, uint(types.ErrInvalidNetworkConfig), "prevResult: ips[0] is null"),
		Entry("null interfaces element", `{"cniVersion":"1.1.0","interfaces":[null]}`, uint(types.ErrInvalidNetworkConfig), "prevResult: interfaces[0] is null"),
		Entry("null routes element", `{"cniVersion":"1.1.0","routes":[null]}`, uint(types.ErrInvalidNetworkConfig), "prevResult: routes[0] is null"),
	)

	It("has nothing to do on GC and STATUS", func() {
		args := loArgs(netns, `{"cniVersion":"1.1.0","name":"lo","type":"loopback"}`)
		Expect(testutils.CmdGC(args, cmdGC)).To(Succeed())
		Expect(testutils.CmdStatus(args, cmdStatus)).To(Succeed())
	})
})
