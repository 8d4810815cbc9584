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

package netconf_test

import (
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// linkConf is a plugin's own config struct, as macvlan's.
type linkConf struct {
	Master string `json:"master"`
	MTU    int    `json:"mtu"`
	IPAM   struct {
		Routes netconf.RouteConfs `json:"routes"`
	} `json:"ipam"`
}

// code returns the CNI error code of err, or 0 when it is not a
// *types.Error.
func code(err error) uint {
	var e *types.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

var _ = Describe("Load", func() {
	It("decodes the common part and the plugin's own fields", func() {
		conf := &linkConf{}
		c, err := netconf.Load([]byte(`{"cniVersion": "1.1.0", "name": "n", "type": "macvlan", "master": "eth0", "mtu": 1400,
			"capabilities": {"mac": true}, "dns": {"nameservers": ["192.0.2.53"]},
			"args": {"cni": {"ips": ["192.0.2.10/24"], "mac": "02:42:c0:00:02:0a"}},
			"ipam": {"type": "static", "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1", "table": 100}, null]}}`), conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.CNIVersion).To(Equal("1.1.0"))
		Expect(c.Name).To(Equal("n"))
		Expect(c.Type).To(Equal("macvlan"))
		Expect(c.IPAM.Type).To(Equal("static"))
		Expect(c.Capabilities).To(Equal(map[string]bool{"mac": true}))
		Expect(c.DNS.Nameservers).To(Equal([]string{"192.0.2.53"}))
		Expect(c.CNIArgsIPs()).To(Equal([]string{"192.0.2.10/24"}))
		Expect(c.Args.CNI.MAC).To(Equal("02:42:c0:00:02:0a"))
		Expect(c.PrevResult).To(BeNil())
		Expect(conf.Master).To(Equal("eth0"))
		Expect(conf.MTU).To(Equal(1400))
		table := 100
		Expect(conf.IPAM.Routes).To(Equal(netconf.RouteConfs{{Dst: "0.0.0.0/0", GW: "192.0.2.1", Table: &table}, {}}),
			"a null route is a route with no members, which validation refuses")
	})

	It("takes a missing cniVersion as 0.1.0", func() {
		c, err := netconf.Load([]byte(`{"name": "n", "type": "loopback"}`), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.CNIVersion).To(Equal("0.1.0"))
		Expect(c.CNIArgsIPs()).To(BeNil())
	})

	DescribeTable("refuses with the spec's error code",
		func(stdin string, conf any, wantCode uint, wantMsg string) {
			_, err := netconf.Load([]byte(stdin), conf)
			Expect(code(err)).To(Equal(wantCode), "%v", err)
			Expect(err).To(MatchError(ContainSubstring(wantMsg)))
		},
		Entry("undecodable config", `{"name": "n",`, nil, types.ErrDecodingFailure, "decode network config: "),
		Entry("a field of the wrong type", `{"cniVersion": "1.1.0", "name": 1}`, nil, types.ErrDecodingFailure, "decode network config: "),
		Entry("a plugin field of the wrong type", `{"cniVersion": "1.1.0", "name": "n", "mtu": "big"}`, &linkConf{},
			types.ErrDecodingFailure, "decode network config: "),
		Entry("an invalid cniVersion", `{"cniVersion": "one", "name": "n"}`, nil, types.ErrInvalidNetworkConfig, `invalid cniVersion "one"`),
		Entry("an undecodable prevResult", `{"cniVersion": "1.1.0", "name": "n", "prevResult": {"ips": 3}}`, nil,
			types.ErrDecodingFailure, "decode prevResult: "),
		Entry("a prevResult of an unknown version", `{"cniVersion": "1.1.0", "name": "n", "prevResult": {"cniVersion": "9.0.0"}}`, nil,
			types.ErrDecodingFailure, "decode prevResult: "),
	)

	// A prevResult of any version the library knows is converted to the
	// current type.
	for _, v := range []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"} {
		It("converts a prevResult of version "+v, func() {
			stdin := fmt.Sprintf(`{"cniVersion": %q, "name": "n", "prevResult": {"cniVersion": %q,
				"interfaces": [{"name": "eth0", "sandbox": "/run/netns/x"}],
				"ips": [{"version": "4", "interface": 0, "address": "192.0.2.10/24", "gateway": "192.0.2.1"}],
				"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}}`, v, v)
			c, err := netconf.Load([]byte(stdin), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.PrevResult.CNIVersion).To(Equal("1.1.0"))
			Expect(c.PrevResult.Interfaces).To(HaveLen(1))
			Expect(c.PrevResult.IPs).To(HaveLen(1))
			Expect(c.PrevResult.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
			Expect(*c.PrevResult.IPs[0].Interface).To(Equal(0))
			Expect(c.PrevResult.Routes).To(HaveLen(1))
			Expect(c.PrevResult.Routes[0].GW.String()).To(Equal("192.0.2.1"))
		})
	}

	// Every list element can be null: Load never panics on one.
	DescribeTable("never panics on null list elements in a prevResult",
		func(v, prev string, wantErr bool) {
			stdin := fmt.Sprintf(`{"cniVersion": %q, "name": "n", "prevResult": %s}`, v, prev)
			var (
				c   *netconf.Common
				err error
			)
			Expect(func() { c, err = netconf.Load([]byte(stdin), nil) }).NotTo(Panic())
			if wantErr {
				Expect(code(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "%v", err)
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(c.PrevResult).NotTo(BeNil())
			Expect(func() { _ = c.PrevResult.PrintTo(GinkgoWriter) }).NotTo(Panic())
		},
		Entry("1.1.0, kept as nil elements", "1.1.0", `{"cniVersion": "1.1.0", "interfaces": [null], "ips": [null], "routes": [null], "dns": {"nameservers": [null]}}`, false),
		Entry("1.0.0, kept as nil elements", "1.0.0", `{"cniVersion": "1.0.0", "interfaces": [null], "ips": [null], "routes": [null]}`, false),
		Entry("0.4.0 with null elements, refused", "0.4.0", `{"cniVersion": "0.4.0", "interfaces": [null], "ips": [null], "routes": [null]}`, true),
		Entry("0.3.1 with null elements, refused", "0.3.1", `{"cniVersion": "0.3.1", "interfaces": [null], "ips": [null], "routes": [null]}`, true),
		Entry("0.3.1 with a null interface index", "0.3.1", `{"cniVersion": "0.3.1", "ips": [{"version": "4", "address": "192.0.2.1/24", "interface": null}], "dns": null}`, false),
	)
})

var _ = Describe("LoadArgs", func() {
	type args struct {
		types.CommonArgs
		MAC types.UnmarshallableString `json:"mac,omitempty"`
	}
	DescribeTable("parses CNI_ARGS",
		func(in, wantMAC string, wantErr bool) {
			var a args
			err := netconf.LoadArgs(in, &a)
			if wantErr {
				Expect(code(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "%v", err)
				Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf("%q", in))))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(string(a.MAC)).To(Equal(wantMAC))
		},
		Entry("empty", "", "", false),
		Entry("a known key", "MAC=02:42:c0:00:02:0a", "02:42:c0:00:02:0a", false),
		Entry("an unknown key", "MAC=02:42:c0:00:02:0a;K8S_POD_NAME=p", "", true),
		Entry("an unknown key with IgnoreUnknown", "IgnoreUnknown=1;K8S_POD_NAME=p;MAC=02:42:c0:00:02:0a", "02:42:c0:00:02:0a", false),
	)
})
