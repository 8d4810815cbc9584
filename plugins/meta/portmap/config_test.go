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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// conf returns a portmap config with extra top-level members and the
// mappings as runtimeConfig.portMappings.
func conf(extra, mappings string) []byte {
	return fmt.Appendf(nil, `{"cniVersion":"1.0.0","name":"pmnet","type":"portmap"%s,
		"runtimeConfig":{"portMappings":[%s]}}`, extra, mappings)
}

var _ = Describe("config", func() {
	DescribeTable("refuses bad configs with the field and value",
		func(extra, mappings string, code uint, msg string) {
			_, _, err := loadConf(conf(extra, mappings))
			Expect(err).To(HaveOccurred())
			Expect(testutils.ErrCode(err)).To(Equal(code))
			Expect(err.Error()).To(ContainSubstring(msg))
		},
		Entry("backend", `,"backend":"ipfw"`, ``, types.ErrInvalidNetworkConfig, `invalid backend "ipfw"`),
		Entry("mark bit", `,"markMasqBit":32`, ``, types.ErrInvalidNetworkConfig, `invalid markMasqBit 32`),
		Entry("mark bit and chain", `,"markMasqBit":3,"externalSetMarkChain":"KUBE-MARK-MASQ"`, ``, types.ErrInvalidNetworkConfig, `externalSetMarkChain`),
		Entry("host port 0", ``, `{"hostPort":0,"containerPort":80,"protocol":"tcp"}`, types.ErrInvalidNetworkConfig, `portMappings[0].hostPort 0`),
		Entry("container port", ``, `{"hostPort":80,"containerPort":70000,"protocol":"tcp"}`, types.ErrInvalidNetworkConfig, `portMappings[0].containerPort 70000`),
		Entry("protocol", ``, `null,{"hostPort":80,"containerPort":80,"protocol":"icmp"}`, types.ErrInvalidNetworkConfig, `portMappings[1].protocol "icmp"`),
		Entry("host IP", ``, `{"hostPort":80,"containerPort":80,"protocol":"tcp","hostIP":"1.2.3"}`, types.ErrInvalidNetworkConfig, `hostIP "1.2.3"`),
		Entry("nftables conditions", `,"backend":"nftables","conditionsV4":["ip","saddr","192.0.2.0/24"]`, ``, types.ErrUnsupportedField, `"conditionsV4"`),
		Entry("undecodable", `,"snat":"yes"`, ``, types.ErrDecodingFailure, `decode network config`),
	)

	It("accepts upper-case protocols and skips null mappings", func() {
		c, _, err := loadConf(conf(``, `null,{"hostPort":8080,"containerPort":80,"protocol":"TCP","hostIP":"::ffff:192.0.2.7"}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.mappings).To(HaveLen(1))
		Expect(c.mappings[0].Protocol).To(Equal("tcp"))
		Expect(c.mappings[0].hostIP.String()).To(Equal("192.0.2.7"))
		Expect(c.snat()).To(BeTrue())
		Expect(c.markBit()).To(Equal(13))
	})

	It("names the container's chain as upstream does", func() {
		// Observed with upstream's v1.10.0 binary for this name and ID.
		Expect(dnChainName("pmnet", "ctr1234567890abcdef")).To(Equal("CNI-DN-ae9c74fb766c5ad1582f1"))
	})

	DescribeTable("reads the network and container back from a DNAT rule",
		func(rule, name, id string, ok bool) {
			n, i, got := parseDNATComment(rule)
			Expect(got).To(Equal(ok))
			Expect(n).To(Equal(name))
			Expect(i).To(Equal(id))
		},
		Entry("upstream's", `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"pmnet\" id: \"c1\"" -m multiport --dports 8080 -j CNI-DN-x`, "pmnet", "c1", true),
		Entry("another rule", `-A CNI-HOSTPORT-DNAT -p tcp -j X`, "", "", false),
	)

	It("splits a protocol's ports in groups of 15 for multiport", func() {
		var maps string
		for i := range 16 {
			if i > 0 {
				maps += ","
			}
			maps += fmt.Sprintf(`{"hostPort":%d,"containerPort":80,"protocol":"udp"}`, 1000+i)
		}
		c, common, err := loadConf(conf(``, maps))
		Expect(err).NotTo(HaveOccurred())
		rules := jumpRules(&plan{NetConf: c, name: common.Name, containerID: "c1"}, false)
		Expect(rules).To(HaveLen(2))
		Expect(rules[1]).To(ContainElement("1015"))
	})
})
