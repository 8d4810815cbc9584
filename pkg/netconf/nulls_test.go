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
	"github.com/containernetworking/cni/pkg/types"
	types040 "github.com/containernetworking/cni/pkg/types/040"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("Load with null prevResult elements", func() {
	DescribeTable("refuses them with code 7 where the library converts the result",
		func(ver, prev, wantMsg string) {
			_, err := netconf.Load([]byte(`{"cniVersion":"`+ver+`","name":"n","type":"macvlan","prevResult":`+prev+`}`), nil)
			Expect(err).To(MatchError(wantMsg))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		},
		Entry("0.4.0 interfaces", "0.4.0", `{"cniVersion":"0.4.0","interfaces":[null]}`, "prevResult: interfaces[0] is null"),
		Entry("0.4.0 routes", "0.4.0", `{"cniVersion":"0.4.0","ips":[{"version":"4","address":"192.0.2.10/24"}],"routes":[null]}`, "prevResult: routes[0] is null"),
		Entry("0.3.1 ips", "0.3.1", `{"cniVersion":"0.3.1","ips":[{"version":"4","address":"192.0.2.10/24"},null]}`, "prevResult: ips[1] is null"),
	)

	It("hands a current result on as decoded, for its users to check", func() {
		c, err := netconf.Load([]byte(`{"cniVersion":"1.1.0","name":"n","type":"macvlan","prevResult":{"cniVersion":"1.1.0","ips":[null]}}`), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(netconf.NullElement(c.PrevResult, "prevResult")).To(MatchError("prevResult: ips[0] is null"))
	})

	It("leaves null dns strings and a 0.2.0 prevResult alone", func() {
		_, err := netconf.Load([]byte(`{"cniVersion":"1.1.0","name":"n","type":"macvlan","prevResult":{"cniVersion":"1.1.0","dns":{"nameservers":[null]}}}`), nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = netconf.Load([]byte(`{"cniVersion":"0.2.0","name":"n","type":"macvlan","prevResult":{"cniVersion":"0.2.0","ip4":{"ip":"192.0.2.10/24","routes":[null]}}}`), nil)
		Expect(err).NotTo(HaveOccurred())
	})
})

var _ = Describe("NullElement", func() {
	It("finds nothing in a nil result, typed or not", func() {
		Expect(netconf.NullElement(nil, "r")).To(Succeed())
		Expect(netconf.NullElement((*current.Result)(nil), "r")).To(Succeed())
		Expect(netconf.NullElement((*types040.Result)(nil), "r")).To(Succeed())
	})

	It("names the first null element, ips before routes before interfaces", func() {
		r := &current.Result{
			Interfaces: []*current.Interface{nil},
			Routes:     []*types.Route{{}, nil},
			IPs:        []*current.IPConfig{{}, {}, nil},
		}
		Expect(netconf.NullElement(r, "r")).To(MatchError("r: ips[2] is null"))
		r.IPs = nil
		Expect(netconf.NullElement(r, "r")).To(MatchError("r: routes[1] is null"))
		r.Routes = nil
		Expect(netconf.NullElement(r, "r")).To(MatchError("r: interfaces[0] is null"))
	})
})
