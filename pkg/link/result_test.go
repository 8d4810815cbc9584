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

package link_test

import (
	"errors"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("FromIPAM", func() {
	intf := &current.Interface{Name: "eth0", Mac: "02:00:5e:00:53:01", Sandbox: "/var/run/netns/a"}

	// pkg/ipam stamps the config's version into a result without one.
	DescribeTable("refuses results a link cannot be configured from",
		func(ver, out, wantErr string) {
			r, err := version.NewResult(ver, []byte(out))
			Expect(err).NotTo(HaveOccurred())
			_, err = link.FromIPAM("static", r, intf)
			Expect(err).To(MatchError(wantErr), "FromIPAM(%s)", out)
		},
		Entry("an error object", "1.1.0", `{"cniVersion":"1.1.0","code":7,"msg":"nope"}`, "IPAM plugin returned missing IP config"),
		Entry("an empty object", "1.1.0", `{"cniVersion":"1.1.0"}`, "IPAM plugin returned missing IP config"),
		Entry("a 0.1.0 result stamped 1.1.0", "1.1.0", `{"cniVersion":"1.1.0","ip4":{"ip":"192.0.2.10/24"}}`, "IPAM plugin returned missing IP config"),
		Entry("routes only", "1.1.0", `{"cniVersion":"1.1.0","routes":[{"dst":"0.0.0.0/0"}]}`, "IPAM plugin returned missing IP config"),
		Entry("null ips element", "1.1.0", `{"cniVersion":"1.1.0","ips":[null]}`, "result of ipam plugin static: ips[0] is null"),
		Entry("null routes element", "1.1.0", `{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"0.0.0.0/0"},null]}`,
			"result of ipam plugin static: routes[1] is null"),
		Entry("null 0.4.0 interfaces element", "0.4.0", `{"cniVersion":"0.4.0","interfaces":[null],"ips":[{"version":"4","address":"192.0.2.10/24"}]}`,
			"result of ipam plugin static: interfaces[0] is null"),
		Entry("null 0.3.1 ips element", "0.3.1", `{"cniVersion":"0.3.1","ips":[null]}`,
			"result of ipam plugin static: ips[0] is null"),
	)

	It("ignores a null interfaces element of a current result, which it drops", func() {
		r, err := version.NewResult("1.1.0", []byte(`{"cniVersion":"1.1.0","interfaces":[null],"ips":[{"address":"192.0.2.10/24","interface":0}]}`))
		Expect(err).NotTo(HaveOccurred())
		res, err := link.FromIPAM("static", r, intf)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Interfaces).To(Equal([]*current.Interface{intf}))
	})

	It("is ErrNoIPConfig without addresses", func() {
		_, err := link.FromIPAM("static", &current.Result{CNIVersion: "1.1.0"}, intf)
		Expect(errors.Is(err, link.ErrNoIPConfig)).To(BeTrue())
		_, err = link.FromIPAM("static", nil, intf)
		Expect(errors.Is(err, link.ErrNoIPConfig)).To(BeTrue())
	})

	It("puts every address on the link, the only interface, whatever the IPAM plugin named", func() {
		r, err := version.NewResult("0.4.0", []byte(`{"cniVersion":"0.4.0",
			"interfaces":[{"name":"other"},{"name":"other2"}],
			"ips":[{"version":"4","address":"192.0.2.10/24","interface":1},{"version":"6","address":"2001:db8::10/64"}],
			"dns":{"nameservers":["192.0.2.53"]}}`))
		Expect(err).NotTo(HaveOccurred())
		res, err := link.FromIPAM("static", r, intf)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.CNIVersion).To(Equal(current.ImplementedSpecVersion))
		Expect(res.Interfaces).To(Equal([]*current.Interface{intf}))
		Expect(res.IPs).To(HaveLen(2))
		for _, ipc := range res.IPs {
			Expect(ipc.Interface).To(Equal(current.Int(0)))
		}
		Expect(res.DNS.Nameservers).To(Equal([]string{"192.0.2.53"}))
	})
})

var _ = Describe("InterfaceFromPrev", func() {
	DescribeTable("takes the one named interface",
		func(prev *current.Result, want, wantErr string) {
			got, err := link.InterfaceFromPrev(prev)
			if wantErr != "" {
				Expect(err).To(MatchError(ContainSubstring(wantErr)), "InterfaceFromPrev(%+v)", prev)
				Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want), "InterfaceFromPrev(%+v) = %q, want %q", prev, got, want)
		},
		Entry("one", &current.Result{Interfaces: []*current.Interface{{Name: "eth0"}}}, "eth0", ""),
		Entry("none", &current.Result{}, "", "want exactly one interface, prevResult has 0"),
		Entry("two", &current.Result{Interfaces: []*current.Interface{{Name: "eth0"}, {Name: "eth1"}}}, "",
			"want exactly one interface, prevResult has 2"),
		Entry("unnamed", &current.Result{Interfaces: []*current.Interface{{Mac: "02:00:5e:00:53:01"}}}, "", "its interface has no name"),
		Entry("null", &current.Result{Interfaces: []*current.Interface{nil}}, "", "its interface has no name"),
		Entry("no prevResult", nil, "", "no prevResult"),
	)
})

var _ = Describe("CheckIfName", func() {
	DescribeTable("refuses a name template with code 4",
		func(name string, wantErr bool) {
			err := link.CheckIfName(name)
			if !wantErr {
				Expect(err).NotTo(HaveOccurred(), "CheckIfName(%q)", name)
				return
			}
			Expect(err).To(MatchError(ContainSubstring("invalid interface name")), "CheckIfName(%q)", name)
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidEnvironmentVariables)))
		},
		Entry("plain", "eth0", false),
		Entry("dotted", "net1.100", false),
		Entry("template", "eth%d", true),
		Entry("lone percent", "%", true),
	)
})

var _ = Describe("LoadTeardown", func() {
	DescribeTable("reads the IPAM type of configs ADD would refuse",
		func(stdin, want string) {
			common, err := link.LoadTeardown([]byte(stdin))
			Expect(err).NotTo(HaveOccurred(), "LoadTeardown(%s)", stdin)
			Expect(common.IPAM.Type).To(Equal(want))
		},
		Entry("good", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","ipam":{"type":"host-local","subnet":"192.0.2.0/24"}}`, "host-local"),
		Entry("no ipam", `{"cniVersion":"1.1.0","name":"n","type":"macvlan"}`, ""),
		Entry("null ipam", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","ipam":null}`, ""),
		Entry("bogus mode, bad mtu and mac", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","mode":"bogus","mtu":"big","mac":"zz","ipam":{"type":"static"}}`, "static"),
		Entry("undecodable prevResult", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","prevResult":{"ips":7},"ipam":{"type":"static"}}`, "static"),
		Entry("null prevResult element", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","prevResult":{"ips":[null]},"ipam":{"type":"static"}}`, "static"),
	)

	It("is code 6 when the ipam section cannot be read", func() {
		_, err := link.LoadTeardown([]byte(`{"cniVersion":"1.1.0","name":"n","type":"macvlan","ipam":"static"}`))
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrDecodingFailure)))
	})
})

var _ = Describe("FindInterface with null elements", func() {
	It("skips them", func() {
		res := &current.Result{Interfaces: []*current.Interface{nil, {Name: "eth0", Sandbox: "/x"}}}
		i, _, err := link.FindInterface(res, "eth0", "/x")
		Expect(err).NotTo(HaveOccurred())
		Expect(i).To(Equal(1))
	})
})
