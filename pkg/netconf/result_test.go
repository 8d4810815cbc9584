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
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// cidr returns an address with its host part, as results carry them; s
// is a valid literal.
func cidr(s string) net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return net.IPNet{IP: ip, Mask: n.Mask}
}

// expectLibraryBytes asserts that AppendResult prints r as the library
// does, compacted, and that the library decodes that to what it decodes
// its own output to (or fails the same way).
func expectLibraryBytes(r *current.Result) {
	GinkgoHelper()
	printed, want, err := libraryBytes(r)
	Expect(err).NotTo(HaveOccurred())
	got, err := netconf.AppendResult(nil, r)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(got)).To(Equal(string(want)), "library printed\n%s", printed)
	lib, libErr := version.NewResult(r.CNIVersion, printed)
	mine, err := version.NewResult(r.CNIVersion, got)
	if libErr != nil {
		// A malformed address prints as "<nil>", which does not decode.
		Expect(err).To(MatchError(libErr.Error()))
		return
	}
	Expect(err).NotTo(HaveOccurred())
	Expect(mine).To(Equal(lib))
}

// chunkWriter records each write, or fails them all.
type chunkWriter struct {
	chunks [][]byte
	fail   bool
}

func (w *chunkWriter) Write(b []byte) (int, error) {
	if w.fail {
		return 0, errors.New("write failed")
	}
	w.chunks = append(w.chunks, append([]byte(nil), b...))
	return len(b), nil
}

var full = &current.Result{
	CNIVersion: "1.1.0",
	Interfaces: []*current.Interface{
		{Name: "eth0", Mac: "02:42:c0:00:02:0a", Mtu: 1500, Sandbox: "/var/run/netns/a", SocketPath: "/run/vhost.sock", PciID: "0000:00:1f.6"},
		{Name: "lo"},
	},
	IPs: []*current.IPConfig{
		{Interface: current.Int(0), Address: cidr("192.0.2.10/24"), Gateway: net.ParseIP("192.0.2.1")},
		{Interface: current.Int(1), Address: cidr("2001:db8::10/64"), Gateway: net.ParseIP("2001:db8::1")},
		{Address: cidr("198.51.100.7/32")},
	},
	Routes: []*types.Route{
		{Dst: cidr("0.0.0.0/0"), GW: net.ParseIP("192.0.2.1")},
		{Dst: cidr("198.51.100.0/24"), GW: net.ParseIP("192.0.2.2"), MTU: 1400, AdvMSS: 1360, Priority: 10, Table: current.Int(100), Scope: current.Int(0)},
		{Dst: cidr("203.0.113.0/24"), Table: current.Int(0), Scope: current.Int(253)},
		{Dst: cidr("::/0"), GW: net.ParseIP("2001:db8::1"), Priority: 1024},
		{Dst: cidr("2001:db8:1::/48"), MTU: -1},
	},
	DNS: types.DNS{Nameservers: []string{"192.0.2.53", "2001:db8::53"}, Domain: "example.com",
		Search: []string{"example.com", "example.org"}, Options: []string{"ndots:2", "rotate"}},
}

var _ = Describe("AppendResult", func() {
	DescribeTable("prints what the library prints, compacted",
		expectLibraryBytes,
		Entry("only a version", &current.Result{CNIVersion: "1.1.0"}),
		Entry("every member", full),
		Entry("version 1.0.0", &current.Result{CNIVersion: "1.0.0", Routes: full.Routes}),
		Entry("dns with only a domain", &current.Result{CNIVersion: "1.1.0", DNS: types.DNS{Domain: "example.com"}}),
		Entry("dns with empty lists", &current.Result{CNIVersion: "1.1.0", DNS: types.DNS{Nameservers: []string{}, Options: []string{"x"}}}),
		Entry("an empty gateway", &current.Result{CNIVersion: "1.1.0",
			IPs:    []*current.IPConfig{{Address: cidr("192.0.2.10/24"), Gateway: net.IP{}}},
			Routes: []*types.Route{{Dst: cidr("192.0.2.0/24"), GW: net.IP{}}}}),
		Entry("4-byte and IPv4-mapped addresses", &current.Result{CNIVersion: "1.1.0",
			IPs: []*current.IPConfig{
				{Address: net.IPNet{IP: net.IP{192, 0, 2, 10}, Mask: net.CIDRMask(24, 32)}, Gateway: net.IP{192, 0, 2, 1}},
				{Address: net.IPNet{IP: net.ParseIP("192.0.2.11"), Mask: net.CIDRMask(120, 128)}},
				{Address: cidr("::ffff:192.0.2.12/120")},
			}}),
		Entry("malformed addresses as net.IPNet prints them", &current.Result{CNIVersion: "1.1.0",
			IPs: []*current.IPConfig{
				{Address: net.IPNet{}},
				{Address: net.IPNet{IP: net.ParseIP("192.0.2.1"), Mask: net.IPMask{0xff, 0, 0xff, 0}}},
				{Address: net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(24, 32)}},
				{Address: net.IPNet{IP: net.IP{1, 2, 3}, Mask: net.CIDRMask(24, 32)}},
			}}),
		Entry("nil list elements", &current.Result{CNIVersion: "1.1.0",
			Interfaces: []*current.Interface{nil}, IPs: []*current.IPConfig{nil}, Routes: []*types.Route{nil}}),
		Entry("strings that need escapes", &current.Result{CNIVersion: "1.1.0",
			Interfaces: []*current.Interface{{
				Name:       "a\"b\\c\nd\te\rf\bg\fh\x00i\x1fj\x7f",
				Mac:        "<script>&amp;</script>",
				Sandbox:    "line\u2028para\u2029end",
				SocketPath: "bad \xff utf-8 \xc3 and \xed\xa0\x80 surrogate",
				PciID:      "é 😀 /slash",
			}},
			DNS: types.DNS{Domain: "\"quoted\"", Search: []string{"", "<>"}}}),
	)

	It("prints integers beyond 2^53 exactly, where the library rounds them", func() {
		big := 1<<60 + 1
		r := &current.Result{CNIVersion: "1.1.0", Routes: []*types.Route{{Dst: cidr("192.0.2.0/24"), MTU: big, Table: current.Int(-big)}}}
		got, err := netconf.AppendResult(nil, r)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal(`{"cniVersion":"1.1.0","routes":[{"dst":"192.0.2.0/24","mtu":1152921504606846977,"table":-1152921504606846977}]}`))
		back, err := version.NewResult("1.1.0", got)
		Expect(err).NotTo(HaveOccurred())
		Expect(back.(*current.Result).Routes[0].MTU).To(Equal(big))
	})

	It("fails, as the library does, on an address of another length than 4 or 16", func() {
		for _, r := range []*current.Result{
			{CNIVersion: "1.1.0", IPs: []*current.IPConfig{{Address: cidr("192.0.2.10/24"), Gateway: net.IP{192, 0, 2, 1, 0}}}},
			{CNIVersion: "1.1.0", Routes: []*types.Route{{Dst: cidr("192.0.2.0/24"), GW: net.IP{1}}}},
		} {
			_, _, libErr := libraryBytes(r)
			Expect(libErr).To(HaveOccurred())
			_, err := netconf.AppendResult(nil, r)
			Expect(err).To(MatchError(ContainSubstring("invalid IP address")))
		}
	})

	It("appends to what b holds", func() {
		got, err := netconf.AppendResult([]byte("x"), &current.Result{CNIVersion: "1.1.0"})
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal(`x{"cniVersion":"1.1.0"}`))
	})

	It("prints 5,000 random results as the library does", func() {
		for seed := range uint64(5000) {
			r := gen{c: randChoices{rand.New(rand.NewPCG(seed, 1))}}.result()
			_, want, libErr := libraryBytes(r)
			got, err := netconf.AppendResult(nil, r)
			if libErr != nil {
				Expect(err).To(HaveOccurred(), "seed %d: library failed with %v", seed, libErr)
				continue
			}
			Expect(err).NotTo(HaveOccurred(), "seed %d", seed)
			Expect(string(got)).To(Equal(string(want)), "seed %d", seed)
		}
	})
})

var _ = Describe("WriteResult", func() {
	// A result every version can carry: one address per family.
	res := &current.Result{
		CNIVersion: "1.1.0",
		Interfaces: full.Interfaces,
		IPs:        full.IPs[:2],
		Routes:     full.Routes,
		DNS:        full.DNS,
	}

	for _, v := range version.All.SupportedVersions() {
		It("writes version "+v+" as the library prints it", func() {
			conv, err := res.GetAsVersion(v)
			Expect(err).NotTo(HaveOccurred())
			var want, got bytes.Buffer
			Expect(conv.PrintTo(&want)).To(Succeed())
			Expect(netconf.WriteResult(&got, res, v)).To(Succeed())
			if ok, _ := version.GreaterThanOrEqualTo(v, "1.0.0"); ok {
				var compact bytes.Buffer
				Expect(json.Compact(&compact, want.Bytes())).To(Succeed())
				want = compact
			}
			Expect(got.String()).To(Equal(want.String()))
		})
	}

	It("converts an older result up to the current type", func() {
		conv, err := res.GetAsVersion("0.4.0")
		Expect(err).NotTo(HaveOccurred())
		var got bytes.Buffer
		Expect(netconf.WriteResult(&got, conv, "1.1.0")).To(Succeed())
		back, err := version.NewResult("1.1.0", got.Bytes())
		Expect(err).NotTo(HaveOccurred())
		Expect(back.(*current.Result).Routes).To(HaveLen(len(res.Routes)))
	})

	It("writes a large result in chunks that add up to AppendResult's output", func() {
		big := &current.Result{CNIVersion: "1.1.0", Interfaces: full.Interfaces, IPs: full.IPs, DNS: full.DNS}
		for range 1500 {
			big.Routes = append(big.Routes, full.Routes...)
		}
		want, err := netconf.AppendResult(nil, big)
		Expect(err).NotTo(HaveOccurred())
		var w chunkWriter
		Expect(netconf.WriteResult(&w, big, "1.1.0")).To(Succeed())
		Expect(len(w.chunks)).To(BeNumerically(">", 1))
		for _, c := range w.chunks {
			Expect(len(c)).To(BeNumerically("<", 20<<10))
		}
		Expect(string(bytes.Join(w.chunks, nil))).To(Equal(string(want)))
	})

	It("writes nothing when the result cannot be encoded", func() {
		bad := &current.Result{CNIVersion: "1.1.0", Routes: append(append([]*types.Route{}, full.Routes...), &types.Route{Dst: cidr("192.0.2.0/24"), GW: net.IP{1, 2, 3}})}
		var w chunkWriter
		Expect(netconf.WriteResult(&w, bad, "1.1.0")).To(MatchError(ContainSubstring("routes[5]: gw: address 010203: invalid IP address")))
		Expect(w.chunks).To(BeEmpty())
	})

	It("returns the first write error", func() {
		w := chunkWriter{fail: true}
		Expect(netconf.WriteResult(&w, full, "1.1.0")).To(MatchError("write failed"))
	})

	It("fails on a version the result cannot be converted to", func() {
		var got bytes.Buffer
		Expect(netconf.WriteResult(&got, &current.Result{CNIVersion: "1.1.0"}, "0.2.0")).NotTo(Succeed())
		Expect(got.Len()).To(BeZero())
	})
})
