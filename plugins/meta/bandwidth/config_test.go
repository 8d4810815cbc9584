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
	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("config", func() {
	resolve := func(members string) (shaping, error) {
		conf, _, err := loadConf([]byte(`{"cniVersion":"1.0.0","name":"n","type":"bandwidth"` + members + `}`))
		if err != nil {
			return shaping{}, err
		}
		return conf.resolve()
	}

	It("converts bits to bytes and keeps the directions apart", func() {
		s, err := resolve(`,"ingressRate":8000000,"ingressBurst":80000,"egressRate":16000000,"egressBurst":160000`)
		Expect(err).NotTo(HaveOccurred())
		Expect(s).To(Equal(shaping{
			ingress: tbfParams{rate: 1000000, burst: 10000},
			egress:  tbfParams{rate: 2000000, burst: 20000},
		}))
		Expect(s.ingress.limit()).To(Equal(uint32(35000)), "25 ms at the rate plus the burst, as upstream")
	})

	It("takes the config's rates over the runtime's, as upstream's release does", func() {
		for _, c := range []struct {
			members string
			want    shaping
		}{
			{`,"runtimeConfig":{"bandwidth":{"ingressRate":8000,"ingressBurst":800}}`,
				shaping{ingress: tbfParams{rate: 1000, burst: 100}}},
			{`,"runtimeConfig":{"bandwidth":{"ingressRate":8000,"ingressBurst":800}},"egressRate":16000,"egressBurst":1600`,
				shaping{egress: tbfParams{rate: 2000, burst: 200}}},
			{`,"runtimeConfig":{"bandwidth":{}},"ingressRate":16000,"ingressBurst":1600`,
				shaping{ingress: tbfParams{rate: 2000, burst: 200}}},
			{`,"runtimeConfig":{"bandwidth":null},"egressRate":16000,"egressBurst":1600`,
				shaping{egress: tbfParams{rate: 2000, burst: 200}}},
			{`,"unshapedSubnets":["192.0.2.0/24"],"shapedSubnets":["2001:db8::/32"]`, shaping{}},
			{``, shaping{}},
		} {
			s, err := resolve(c.members)
			Expect(err).NotTo(HaveOccurred(), c.members)
			Expect(s).To(Equal(c.want), "resolve(%s)", c.members)
		}
	})

	It("refuses rates it cannot install with code 7 naming the field", func() {
		for _, c := range []struct{ members, msg string }{
			{`,"ingressRate":8000`, "ingressRate is 8000 but ingressBurst is not set"},
			{`,"egressBurst":8000`, "egressBurst is 8000 but egressRate is not set"},
			{`,"ingressRate":8000,"ingressBurst":0`, "ingressBurst is not set"},
			{`,"runtimeConfig":{"bandwidth":{"egressRate":8000}}`, "egressRate is 8000 but egressBurst is not set"},
			{`,"ingressRate":8,"ingressBurst":800000000000`, "ingressBurst 800000000000 is 4 GiB or more"},
			{`,"ingressRate":80000000000,"ingressBurst":34359738360`, "ingressBurst 34359738360 is 4 GiB or more (at most 34359738359 bits)"},
			{`,"egressRate":4,"egressBurst":80`, "egressRate 4 is less than 8 bits per second"},
			{`,"ingressRate":8,"ingressBurst":34359738352`, "takes 4294967294 s to send"},
			{`,"egressRate":8000000000000000000,"egressBurst":80000`, "is sent in less than a microsecond"},
		} {
			_, err := resolve(c.members)
			Expect(err).To(HaveOccurred(), c.members)
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), c.members)
			Expect(err.Error()).To(ContainSubstring(c.msg), c.members)
		}
	})

	It("refuses undecodable rates with code 6", func() {
		for _, m := range []string{`,"ingressRate":-5`, `,"egressBurst":"x"`, `,"runtimeConfig":{"bandwidth":[]}`} {
			_, err := resolve(m)
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrDecodingFailure)), m)
		}
	})

	It("names the ifb as upstream's release does", func() {
		// Names observed from upstream v1.10.0's binary for these inputs.
		for _, c := range []struct{ network, id, want string }{
			{"n", "abc123", "bwpbc2ff0b1849f"},
			{"n", "xyz", "bwp7f0f3dd8a141"},
			{"other", "xyz", "bwp593e4a92ac83"},
		} {
			Expect(ifbName(c.network, c.id)).To(Equal(c.want), "ifbName(%q, %q)", c.network, c.id)
		}
	})
})
