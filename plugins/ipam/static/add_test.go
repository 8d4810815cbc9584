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
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/skel"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// cmdArgs returns the arguments of an in-process call; static never
// enters the namespace, so Netns need not exist.
func cmdArgs(stdin []byte, cniArgs string) *skel.CmdArgs {
	return &skel.CmdArgs{
		ContainerID: "static-test",
		Netns:       "/nonexistent/netns",
		IfName:      "eth0",
		Args:        cniArgs,
		StdinData:   stdin,
	}
}

// atLeast reports whether spec version v is at least min.
func atLeast(v, min string) bool {
	ok, err := version.GreaterThanOrEqualTo(v, min)
	Expect(err).NotTo(HaveOccurred())
	return ok
}

const shapeIPAM = `{"type": "static",
	"addresses": [
		{"address": "192.0.2.10/24", "gateway": "192.0.2.1"},
		{"address": "2001:db8::10/64", "gateway": "2001:db8::1"}],
	"routes": [
		{"dst": "0.0.0.0/0", "gw": "192.0.2.1", "mtu": 1400},
		{"dst": "2001:db8:ffff::/48", "gw": "2001:db8::1"}],
	"dns": {"nameservers": ["192.0.2.53"], "search": ["example.com"]}}`

// wantShape is the ADD output for shapeIPAM in spec version v.
func wantShape(v string) string {
	const dns = `"dns": {"nameservers": ["192.0.2.53"], "search": ["example.com"]}`
	if !atLeast(v, "0.3.0") {
		// 0.1.0 and 0.2.0: one object per family, routes inside it
		// with only dst and gw.
		return fmt.Sprintf(`{"cniVersion": %q,
			"ip4": {"ip": "192.0.2.10/24", "gateway": "192.0.2.1", "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]},
			"ip6": {"ip": "2001:db8::10/64", "gateway": "2001:db8::1", "routes": [{"dst": "2001:db8:ffff::/48", "gw": "2001:db8::1"}]},
			%s}`, v, dns)
	}
	routes := `"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1", "mtu": 1400}, {"dst": "2001:db8:ffff::/48", "gw": "2001:db8::1"}]`
	if !atLeast(v, "1.0.0") {
		// 0.3.x and 0.4.0: an "ips" list whose entries carry "version".
		return fmt.Sprintf(`{"cniVersion": %q,
			"ips": [{"version": "4", "address": "192.0.2.10/24", "gateway": "192.0.2.1"},
				{"version": "6", "address": "2001:db8::10/64", "gateway": "2001:db8::1"}],
			%s, %s}`, v, routes, dns)
	}
	return fmt.Sprintf(`{"cniVersion": %q,
		"ips": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"},
			{"address": "2001:db8::10/64", "gateway": "2001:db8::1"}],
		%s, %s}`, v, routes, dns)
}

func versionEntries() []TableEntry {
	var entries []TableEntry
	for _, v := range testutils.SpecVersions() {
		entries = append(entries, Entry("cniVersion "+v, v))
	}
	return entries
}

var _ = Describe("in-process ADD", func() {
	DescribeTable("prints the result in the config's spec version",
		func(v string) {
			res, out, err := testutils.CmdAdd(cmdArgs(netConf(v, shapeIPAM), ""), cmdAdd)
			Expect(err).NotTo(HaveOccurred())
			Expect(out).To(MatchJSON(wantShape(v)))
			Expect(res.Version()).To(Equal(v))

			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			Expect(cur.IPs).To(HaveLen(2))
			for _, ipc := range cur.IPs {
				Expect(ipc.Interface).To(BeNil(), "IPAM results leave the interface index unset")
			}
		},
		versionEntries(),
	)

	It("lists every address and route on 1.1.0, ungrouped", func() {
		stdin := netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}],
			"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.2"}]}`)
		_, out, err := testutils.CmdAdd(cmdArgs(stdin, "IP=2001:db8::10/64"), cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchJSON(`{"cniVersion": "1.1.0",
			"ips": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}, {"address": "2001:db8::10/64"}],
			"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.2"}]}`))
	})

	It("returns the validation error and prints nothing", func() {
		stdin := netConf("1.1.0", `{"addresses": [{"address": "192.0.2.300/24"}]}`)
		_, out, err := testutils.CmdAdd(cmdArgs(stdin, ""), cmdAdd)
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue())
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		Expect(e.Msg).To(Equal(`invalid ipam.addresses[0].address "192.0.2.300/24": not a CIDR`))
		Expect(out).To(BeEmpty())
	})
})

var _ = Describe("CHECK, DEL, GC and STATUS", func() {
	const ipam = `{"addresses": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64"}]}`

	It("CHECK fails without prevResult, as upstream's does", func() {
		err := testutils.CmdCheck(cmdArgs(netConf("1.1.0", ipam), ""), cmdCheck)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig))
		Expect(err).To(MatchError("check: no prevResult; CHECK needs the result of ADD"))
	})

	It("CHECK fails on a null element of prevResult.ips instead of panicking", func() {
		stdin := netConf("1.1.0", ipam, `"prevResult": {"cniVersion": "1.1.0",
			"ips": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, null, {"address": "2001:db8::10/64"}]}`)
		err := testutils.CmdCheck(cmdArgs(stdin, ""), cmdCheck)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig))
		Expect(err).To(MatchError("check: invalid prevResult.ips[1]: null"))
	})

	DescribeTable("CHECK compares the configured gateway, as upstream's does",
		func(prevIPs, wantErr string) {
			stdin := netConf("1.1.0", ipam, `"prevResult": {"cniVersion": "1.1.0", "ips": `+prevIPs+`}`)
			err := testutils.CmdCheck(cmdArgs(stdin, ""), cmdCheck)
			if wantErr == "" {
				Expect(err).NotTo(HaveOccurred())
				return
			}
			Expect(err).To(MatchError(wantErr))
		},
		Entry("another gateway", `[{"address": "192.0.2.10/24", "gateway": "192.0.2.9"}, {"address": "2001:db8::10/64"}]`,
			"check address 192.0.2.10/24: prevResult has gateway 192.0.2.9, the config 192.0.2.1"),
		Entry("no gateway", `[{"address": "192.0.2.10/24"}, {"address": "2001:db8::10/64"}]`,
			"check address 192.0.2.10/24: prevResult has gateway none, the config 192.0.2.1"),
		Entry("a gateway where the config has none", `[{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64", "gateway": "2001:db8::1"}]`, ""),
		Entry("another prefix length, other plugins' addresses", `[{"address": "192.0.2.10/25", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64"}, {"address": "203.0.113.5/24"}]`, ""),
	)

	It("CHECK succeeds when prevResult holds every address", func() {
		stdin := netConf("1.1.0", ipam, `"prevResult": {"cniVersion": "1.1.0",
			"interfaces": [{"name": "eth0", "sandbox": "/var/run/netns/x"}],
			"ips": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1", "interface": 0},
				{"address": "2001:db8::10/64", "interface": 0}]}`)
		Expect(testutils.CmdCheck(cmdArgs(stdin, ""), cmdCheck)).To(Succeed())
	})

	It("CHECK fails when prevResult lacks an address", func() {
		stdin := netConf("0.4.0", ipam, `"prevResult": {"cniVersion": "0.4.0",
			"ips": [{"version": "4", "address": "192.0.2.10/24", "gateway": "192.0.2.1"}]}`)
		Expect(testutils.CmdCheck(cmdArgs(stdin, ""), cmdCheck)).To(MatchError(
			"check address 2001:db8::10/64: missing from prevResult"))
	})

	It("CHECK validates the config again", func() {
		err := testutils.CmdCheck(cmdArgs(netConf("1.1.0", ipam), "FOO=bar"), cmdCheck)
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue())
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		Expect(e.Msg).To(Equal(`invalid CNI_ARGS "FOO=bar": ARGS: unknown args ["FOO=bar"]`))
	})

	It("DEL succeeds, even for a config that is no longer valid", func() {
		Expect(testutils.CmdDel(cmdArgs(netConf("1.1.0", ipam), ""), cmdDel)).To(Succeed())
		Expect(testutils.CmdDel(cmdArgs(netConf("1.1.0", `{"addresses": [{"address": "bad"}]}`), ""), cmdDel)).To(Succeed())
	})

	It("GC and STATUS succeed: nothing is allocated", func() {
		Expect(testutils.CmdGC(cmdArgs(netConf("1.1.0", ipam), ""), cmdGC)).To(Succeed())
		Expect(testutils.CmdStatus(cmdArgs(netConf("1.1.0", ipam), ""), cmdStatus)).To(Succeed())
	})
})
