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
	"encoding/json"
	"math/rand/v2"
	"strings"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// libraryDecode decodes data as ipam.decodeResult did before it had a
// fast path: in the version data names, by the cni library.
func libraryDecode(data []byte) (*current.Result, error) {
	var head struct {
		CNIVersion string `json:"cniVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, err
	}
	res, err := version.NewResult(head.CNIVersion, data)
	if err != nil {
		return nil, err
	}
	cur, ok := res.(*current.Result)
	if !ok {
		return nil, nil
	}
	return cur, nil
}

// expectSameDecode asserts that DecodeResult either declines data or
// returns exactly what the library decodes from it; accept says that it
// must not decline.
func expectSameDecode(data string, accept bool) {
	GinkgoHelper()
	got, ok := netconf.DecodeResult([]byte(data))
	if accept {
		Expect(ok).To(BeTrue(), "DecodeResult declined %s", data)
	}
	if !ok {
		Expect(got).To(BeNil())
		return
	}
	want, err := libraryDecode([]byte(data))
	Expect(err).NotTo(HaveOccurred(), "DecodeResult accepted what the library refuses: %s", data)
	Expect(got).To(Equal(want), "decoding %s", data)
}

var _ = Describe("DecodeResult", func() {
	It("decodes what the library and AppendResult print, compact or indented", func() {
		printed, compact, err := libraryBytes(full)
		Expect(err).NotTo(HaveOccurred())
		expectSameDecode(string(printed), true)
		expectSameDecode(string(compact), true)
		mine, err := netconf.AppendResult(nil, full)
		Expect(err).NotTo(HaveOccurred())
		expectSameDecode(string(mine), true)
	})

	DescribeTable("decodes the plain forms plugins print",
		func(data string) { expectSameDecode(data, true) },
		Entry("version 1.0.0", `{"cniVersion":"1.0.0"}`),
		Entry("empty lists", `{"cniVersion":"1.1.0","interfaces":[],"ips":[],"routes":[],"dns":{"nameservers":[]}}`),
		Entry("empty objects", `{"cniVersion":"1.1.0","interfaces":[{}],"ips":[{}],"routes":[{}],"dns":{}}`),
		Entry("members in any order", `{"routes":[{"gw":"192.0.2.1","dst":"0.0.0.0/0"}],"cniVersion":"1.1.0"}`),
		Entry("whitespace everywhere", " \t\r\n{ \"cniVersion\" : \"1.1.0\" , \"routes\" : [ { \"dst\" : \"192.0.2.0/24\" } ] } \n"),
		Entry("an empty gateway", `{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24","gateway":""}],"routes":[{"dst":"::/0","gw":""}]}`),
		Entry("IPv4-mapped and IPv6 addresses", `{"cniVersion":"1.1.0","ips":[{"address":"::ffff:192.0.2.10/120","gateway":"::ffff:192.0.2.1"},{"address":"2001:db8::10/64","gateway":"2001:db8::1"}]}`),
		Entry("prefix lengths with leading zeros", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/024"},{"dst":"2001:db8::/0128"}]}`),
		Entry("every route member", `{"cniVersion":"1.1.0","routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1","mtu":1400,"advmss":1360,"priority":10,"table":100,"scope":0}]}`),
		Entry("negative and large integers", `{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mtu":-1}],"ips":[{"interface":999999999999999,"address":"192.0.2.1/32"}],"routes":[{"dst":"0.0.0.0/0","table":-999999999999999,"scope":-0}]}`),
		Entry("non-ASCII text", `{"cniVersion":"1.1.0","interfaces":[{"name":"é😀"}],"dns":{"domain":"ü.example","search":["ü"]}}`),
	)

	DescribeTable("declines what only the library can decode or refuse",
		func(data string) {
			got, ok := netconf.DecodeResult([]byte(data))
			Expect(ok).To(BeFalse())
			Expect(got).To(BeNil())
			expectSameDecode(data, false)
		},
		// Other versions and forms.
		Entry("version 0.4.0", `{"cniVersion":"0.4.0","ips":[{"version":"4","address":"192.0.2.10/24"}]}`),
		Entry("no version", `{"ips":[{"address":"192.0.2.10/24"}]}`),
		Entry("an unknown version", `{"cniVersion":"2.0.0"}`),
		Entry("a member name in another case", `{"cniVersion":"1.1.0","Routes":[{"dst":"192.0.2.0/24"}]}`),
		Entry("a member name that folds to a known one", "{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"192.0.2.0/24\",\"\u017fcope\":1}]}"),
		Entry("a member given twice", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","mtu":1}],"routes":[{"dst":"192.0.2.0/24"}]}`),
		Entry("a route member given twice", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","gw":"192.0.2.1","gw":""}]}`),
		Entry("an unknown member", `{"cniVersion":"1.1.0","extra":true}`),
		Entry("null", `{"cniVersion":"1.1.0","routes":[null]}`),
		Entry("a null address", `{"cniVersion":"1.1.0","ips":[{"address":null}]}`),
		Entry("an escaped string", `{"cniVersion":"1.1.0","interfaces":[{"name":"eth\u0030"}]}`),
		Entry("a number with a fraction", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","mtu":1.0}]}`),
		Entry("a number with an exponent", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","mtu":1e3}]}`),
		Entry("a 16-digit integer", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","mtu":1000000000000000}]}`),
		Entry("a string for a number", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","mtu":"1400"}]}`),
		Entry("a number for a string", `{"cniVersion":"1.1.0","routes":[{"dst":5}]}`),
		// Invalid input: the library says what is wrong.
		Entry("a CIDR that does not parse", `{"cniVersion":"1.1.0","routes":[{"dst":"198.51.100.300/24"}]}`),
		Entry("a prefix too long", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/33"}]}`),
		Entry("a prefix too long with leading zeros", `{"cniVersion":"1.1.0","routes":[{"dst":"2001:db8::/000129"}]}`),
		Entry("a prefix of many digits", `{"cniVersion":"1.1.0","routes":[{"dst":"2001:db8::/99999999999999999999"}]}`),
		Entry("a signed prefix", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/+24"}]}`),
		Entry("an address without a prefix", `{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10"}]}`),
		Entry("an address with a zone", `{"cniVersion":"1.1.0","ips":[{"address":"fe80::1%eth0/64"}]}`),
		Entry("a gateway with a zone", `{"cniVersion":"1.1.0","routes":[{"dst":"::/0","gw":"fe80::1%eth0"}]}`),
		Entry("a gateway with a leading zero", `{"cniVersion":"1.1.0","routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.01"}]}`),
		Entry("a gateway that is not an address", `{"cniVersion":"1.1.0","routes":[{"dst":"0.0.0.0/0","gw":"banana"}]}`),
		Entry("trailing data", `{"cniVersion":"1.1.0"} {}`),
		Entry("truncated input", `{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24"}`),
		Entry("a trailing comma", `{"cniVersion":"1.1.0",}`),
		Entry("a control character in a string", "{\"cniVersion\":\"1.1.0\",\"dns\":{\"domain\":\"a\tb\"}}"),
		Entry("invalid UTF-8", "{\"cniVersion\":\"1.1.0\",\"dns\":{\"domain\":\"\xff\"}}"),
		Entry("not an object", `["cniVersion"]`),
		Entry("empty input", ``),
	)

	It("lets the library name a CIDR that does not parse", func() {
		_, err := libraryDecode([]byte(`{"cniVersion":"1.1.0","routes":[{"dst":"198.51.100.300/24"}]}`))
		Expect(err).To(MatchError(ContainSubstring("198.51.100.300/24")))
	})

	It("decodes 5,000 random plain results as the library does", func() {
		for seed := range uint64(5000) {
			r := gen{c: randChoices{rand.New(rand.NewPCG(seed, 2))}, plain: true}.result()
			printed, compact, err := libraryBytes(r)
			Expect(err).NotTo(HaveOccurred(), "seed %d", seed)
			// The library escapes nothing in plain results, so both its
			// forms are plain too.
			expectSameDecode(string(compact), true)
			expectSameDecode(string(printed), true)
		}
	})

	It("never disagrees with the library on random results with odd strings", func() {
		accepted := 0
		for seed := range uint64(5000) {
			r := gen{c: randChoices{rand.New(rand.NewPCG(seed, 3))}}.result()
			printed, _, err := libraryBytes(r)
			if err != nil {
				continue
			}
			expectSameDecode(string(printed), false)
			if _, ok := netconf.DecodeResult(printed); ok {
				accepted++
			}
		}
		Expect(accepted).To(BeNumerically(">", 50), "too few results took the fast path to compare")
	})

	It("keeps the routes apart", func() {
		data := `{"cniVersion":"1.1.0","routes":[` + strings.Repeat(`{"dst":"192.0.2.0/24","gw":"192.0.2.1","table":1},`, 599) + `{"dst":"2001:db8::/64"}]}`
		got, ok := netconf.DecodeResult([]byte(data))
		Expect(ok).To(BeTrue())
		Expect(got.Routes).To(HaveLen(600))
		*got.Routes[0].Table = 7
		got.Routes[0].GW[15] = 9
		got.Routes[0].Dst.Mask[0] = 0
		for _, r := range got.Routes[1:599] {
			Expect(*r.Table).To(Equal(1))
			Expect(r.GW.String()).To(Equal("192.0.2.1"))
			Expect(r.Dst.String()).To(Equal("192.0.2.0/24"))
		}
		Expect(got.Routes[599].Dst.String()).To(Equal("2001:db8::/64"))
	})
})
