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

package allocator_test

import (
	"encoding/json"
	"net"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
)

// parseRange decodes one range from its config JSON.
func parseRange(js string) allocator.Range {
	var r allocator.Range
	ExpectWithOffset(1, json.Unmarshal([]byte(js), &r)).To(Succeed())
	return r
}

// parseSet decodes a range set from its config JSON.
func parseSet(js string) allocator.RangeSet {
	var s allocator.RangeSet
	ExpectWithOffset(1, json.Unmarshal([]byte(js), &s)).To(Succeed())
	return s
}

var _ = Describe("Range", func() {
	type want struct{ start, end, gw string }
	DescribeTable("Canonicalize fills in defaults like upstream",
		func(in string, w want) {
			r := parseRange(in)
			Expect(r.Canonicalize()).To(Succeed())
			Expect(r.RangeStart.String()).To(Equal(w.start), "rangeStart")
			Expect(r.RangeEnd.String()).To(Equal(w.end), "rangeEnd")
			Expect(r.Gateway.String()).To(Equal(w.gw), "gateway")
		},
		Entry("IPv4 /24: broadcast excluded", `{"subnet":"192.0.2.0/24"}`, want{"192.0.2.1", "192.0.2.254", "192.0.2.1"}),
		Entry("IPv4 /30", `{"subnet":"198.51.100.4/30"}`, want{"198.51.100.5", "198.51.100.6", "198.51.100.5"}),
		Entry("IPv4 explicit bounds and gateway",
			`{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.10","rangeEnd":"192.0.2.20","gateway":"192.0.2.254"}`,
			want{"192.0.2.10", "192.0.2.20", "192.0.2.254"}),
		Entry("IPv6 /64: last address usable", `{"subnet":"2001:db8::/64"}`,
			want{"2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff", "2001:db8::1"}),
		Entry("IPv6 /120", `{"subnet":"2001:db8:1::/120"}`, want{"2001:db8:1::1", "2001:db8:1::ff", "2001:db8:1::1"}),
	)

	DescribeTable("Canonicalize rejects bad ranges with code 7",
		func(in, msg string) {
			r := parseRange(in)
			err := r.Canonicalize()
			Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig), "error %v", err)
			Expect(err.Error()).To(ContainSubstring(msg))
		},
		Entry("no subnet", `{}`, "missing or malformed subnet"),
		Entry("host bits set", `{"subnet":"192.0.2.5/24"}`, "has host bits set; the network is 192.0.2.0/24"),
		Entry("too small IPv4", `{"subnet":"192.0.2.0/31"}`, "too small"),
		Entry("too small IPv6", `{"subnet":"2001:db8::/127"}`, "too small"),
		Entry("start outside", `{"subnet":"192.0.2.0/24","rangeStart":"198.51.100.1"}`, "rangeStart 198.51.100.1 not in subnet"),
		Entry("end outside", `{"subnet":"192.0.2.0/24","rangeEnd":"2001:db8::1"}`, "rangeEnd 2001:db8::1 not in subnet"),
		Entry("start after end", `{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.9","rangeEnd":"192.0.2.3"}`, "after rangeEnd"),
		Entry("gateway of the other family", `{"subnet":"192.0.2.0/24","gateway":"2001:db8::1"}`, "is not IPv4"),
	)

	DescribeTable("RangeSet.Canonicalize",
		func(in, msg string) {
			s := parseSet(in)
			err := s.Canonicalize()
			if msg == "" {
				Expect(err).NotTo(HaveOccurred())
				return
			}
			Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig), "error %v", err)
			Expect(err.Error()).To(ContainSubstring(msg))
		},
		Entry("two disjoint ranges", `[{"subnet":"192.0.2.0/24"},{"subnet":"198.51.100.0/24"}]`, ""),
		Entry("two disjoint ranges of one subnet",
			`[{"subnet":"192.0.2.0/24","rangeEnd":"192.0.2.9"},{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.10"}]`, ""),
		Entry("empty", `[]`, "no ranges"),
		Entry("overlapping", `[{"subnet":"192.0.2.0/24"},{"subnet":"192.0.2.0/25"}]`, "overlaps"),
		Entry("overlapping bounds",
			`[{"subnet":"192.0.2.0/24","rangeEnd":"192.0.2.10"},{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.10"}]`, "overlaps"),
		Entry("mixed families", `[{"subnet":"192.0.2.0/24"},{"subnet":"2001:db8::/64"}]`, "mixes IPv4 and IPv6"),
	)

	It("counts allocatable addresses without gateways", func() {
		s := parseSet(`[{"subnet":"192.0.2.0/29"},{"subnet":"198.51.100.0/30","gateway":"198.51.100.99"}]`)
		Expect(s.Canonicalize()).To(Succeed())
		// .1-.6 minus the gateway .1, plus .1-.2 (gateway outside the subnet range).
		Expect(s.Size().Int64()).To(BeEquivalentTo(5 + 2))
	})

	It("reports overlap between range sets", func() {
		a := parseSet(`[{"subnet":"192.0.2.0/24"}]`)
		b := parseSet(`[{"subnet":"192.0.2.128/25"}]`)
		c := parseSet(`[{"subnet":"2001:db8::/64"}]`)
		for _, s := range []allocator.RangeSet{a, b, c} {
			Expect(s.Canonicalize()).To(Succeed())
		}
		Expect(a.Overlaps(b)).To(BeTrue())
		Expect(a.Overlaps(c)).To(BeFalse())
		Expect(net.IP(c.RangeFor(net.ParseIP("2001:db8::5")).Gateway).String()).To(Equal("2001:db8::1"))
	})
})
