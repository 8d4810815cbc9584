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

package ipaddr_test

import (
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// ipnet parses s as a prefix without masking its host bits, as a CNI result
// carries an interface address ("192.0.2.7/24").
func ipnet(s string) *net.IPNet {
	a, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return &net.IPNet{IP: a, Mask: n.Mask}
}

// mapped is the IPv4-mapped IPv6 form of an IPv4 address, in 16 bytes.
func mapped(s string) net.IP {
	return net.ParseIP(s).To16()
}

var _ = Describe("address families", func() {
	It("Is4, Is6, Family", func() {
		for _, tc := range []struct {
			in   net.IP
			is4  bool
			is6  bool
			want int
		}{
			{net.ParseIP("192.0.2.1"), true, false, ipaddr.FamilyV4},
			{net.ParseIP("192.0.2.1").To4(), true, false, ipaddr.FamilyV4},
			{mapped("198.51.100.7"), true, false, ipaddr.FamilyV4},
			{net.ParseIP("2001:db8::1"), false, true, ipaddr.FamilyV6},
			{net.ParseIP("::"), false, true, ipaddr.FamilyV6},
			{net.ParseIP("::ffff:0:0").To16(), true, false, ipaddr.FamilyV4},
			{nil, false, false, 0},
			{net.IP{1, 2, 3}, false, false, 0},
		} {
			Expect(ipaddr.Is4(tc.in)).To(Equal(tc.is4), "Is4(%q) = %v, want %v", tc.in, ipaddr.Is4(tc.in), tc.is4)
			Expect(ipaddr.Is6(tc.in)).To(Equal(tc.is6), "Is6(%q) = %v, want %v", tc.in, ipaddr.Is6(tc.in), tc.is6)
			Expect(ipaddr.Family(tc.in)).To(Equal(tc.want), "Family(%q) = %v, want %v", tc.in, ipaddr.Family(tc.in), tc.want)
		}
	})

	It("uses the kernel's family numbers", func() {
		Expect(ipaddr.FamilyV4).To(Equal(2))
		Expect(ipaddr.FamilyV6).To(Equal(10))
	})

	It("FamilyName", func() {
		for _, tc := range []struct {
			in   int
			want string
		}{
			{ipaddr.FamilyV4, "IPv4"},
			{ipaddr.FamilyV6, "IPv6"},
			{0, "family 0"},
			{7, "family 7"},
		} {
			got := ipaddr.FamilyName(tc.in)
			Expect(got).To(Equal(tc.want), "FamilyName(%d) = %q, want %q", tc.in, got, tc.want)
		}
	})

	It("SameFamily", func() {
		for _, tc := range []struct {
			a, b net.IP
			want bool
		}{
			{net.ParseIP("192.0.2.1"), net.ParseIP("198.51.100.1"), true},
			{net.ParseIP("192.0.2.1").To4(), mapped("198.51.100.1"), true},
			{net.ParseIP("2001:db8::1"), net.ParseIP("2001:db8::2"), true},
			{net.ParseIP("192.0.2.1"), net.ParseIP("2001:db8::1"), false},
			{nil, nil, false},
			{net.ParseIP("192.0.2.1"), nil, false},
		} {
			got := ipaddr.SameFamily(tc.a, tc.b)
			Expect(got).To(Equal(tc.want), "SameFamily(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	})

	It("Normalize", func() {
		for _, tc := range []struct {
			in   net.IP
			want net.IP
		}{
			{mapped("192.0.2.1"), net.IP{192, 0, 2, 1}},
			{net.IP{192, 0, 2, 1}, net.IP{192, 0, 2, 1}},
			{net.ParseIP("2001:db8::1"), net.ParseIP("2001:db8::1")},
			{nil, nil},
			{net.IP{1, 2}, nil},
		} {
			got := ipaddr.Normalize(tc.in)
			Expect(got).To(Equal(tc.want), "Normalize(%q) = %v, want %v", tc.in, got, tc.want)
		}
	})

	It("HostPrefix", func() {
		for _, tc := range []struct {
			in   net.IP
			want string
		}{
			{net.ParseIP("192.0.2.9"), "192.0.2.9/32"},
			{mapped("192.0.2.9"), "192.0.2.9/32"},
			{net.ParseIP("2001:db8::9"), "2001:db8::9/128"},
		} {
			got := ipaddr.HostPrefix(tc.in)
			Expect(got).NotTo(BeNil(), "HostPrefix(%q) = nil, want %v", tc.in, tc.want)
			Expect(got.String()).To(Equal(tc.want), "HostPrefix(%q) = %v, want %v", tc.in, got, tc.want)
			Expect(got.IP).To(HaveLen(len(ipaddr.Normalize(tc.in))), "HostPrefix(%q) address length", tc.in)
		}
		Expect(ipaddr.HostPrefix(nil)).To(BeNil(), "HostPrefix(nil) = %v, want nil", ipaddr.HostPrefix(nil))
	})

	It("Canonical", func() {
		for _, tc := range []struct {
			in   *net.IPNet
			want string // "" for nil
		}{
			{ipnet("192.0.2.7/24"), "192.0.2.0/24"},
			{ipnet("192.0.2.0/24"), "192.0.2.0/24"},
			{ipnet("203.0.113.77/32"), "203.0.113.77/32"},
			{ipnet("198.51.100.200/25"), "198.51.100.128/25"},
			{ipnet("0.0.0.0/0"), "0.0.0.0/0"},
			{ipnet("192.0.2.1/0"), "0.0.0.0/0"},
			{ipnet("2001:db8::1/64"), "2001:db8::/64"},
			{ipnet("2001:db8:1:2:3:4:5:6/48"), "2001:db8:1::/48"},
			{ipnet("::/0"), "::/0"},
			{ipnet("2001:db8::1/128"), "2001:db8::1/128"},
			// IPv4 address in 16 bytes with a 32-bit mask.
			{&net.IPNet{IP: mapped("192.0.2.7"), Mask: net.CIDRMask(24, 32)}, "192.0.2.0/24"},
			// IPv4-mapped IPv6 prefixes never change family: refused.
			{&net.IPNet{IP: mapped("192.0.2.7"), Mask: net.CIDRMask(120, 128)}, ""},
			{&net.IPNet{IP: mapped("192.0.2.7"), Mask: net.CIDRMask(64, 128)}, ""},
			{ipnet("::ffff:0:0/96"), ""},
			{ipnet("::ffff:192.0.2.0/120"), ""},
			// An IPv6 prefix that merely contains ::ffff:0:0/96 stays IPv6.
			{ipnet("::/64"), "::/64"},
			// An IPv6 address with an IPv4-sized mask is malformed.
			{&net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(24, 32)}, ""},
			// Non-contiguous mask.
			{&net.IPNet{IP: net.ParseIP("192.0.2.1").To4(), Mask: net.IPv4Mask(255, 0, 255, 0)}, ""},
			{&net.IPNet{IP: nil, Mask: net.CIDRMask(24, 32)}, ""},
			{nil, ""},
		} {
			got := ipaddr.Canonical(tc.in)
			if tc.want == "" {
				Expect(got).To(BeNil(), "Canonical(%q) = %v, want nil", tc.in, got)
				continue
			}
			Expect(got).NotTo(BeNil(), "Canonical(%q) = nil, want %v", tc.in, tc.want)
			Expect(got.String()).To(Equal(tc.want), "Canonical(%q) = %v, want %v", tc.in, got, tc.want)
			ones, bits := got.Mask.Size()
			Expect(bits).To(Equal(8*len(got.IP)), "Canonical(%q) = %v: mask of %d bits on a %d-byte address", tc.in, got, bits, len(got.IP))
			Expect(ones).To(BeNumerically("<=", bits))
		}
	})

	It("Canonical does not modify its input", func() {
		in := ipnet("192.0.2.7/24")
		ipaddr.Canonical(in)
		Expect(in.IP.String()).To(Equal("192.0.2.7"))
	})

	It("Contains", func() {
		for _, tc := range []struct {
			n    *net.IPNet
			a    net.IP
			want bool
		}{
			{ipnet("192.0.2.7/24"), net.ParseIP("192.0.2.200"), true},
			{ipnet("192.0.2.0/24"), mapped("192.0.2.1"), true},
			{ipnet("192.0.2.0/24"), net.ParseIP("198.51.100.1"), false},
			{ipnet("2001:db8::/32"), net.ParseIP("2001:db8:ffff::1"), true},
			{ipnet("2001:db8::/32"), net.ParseIP("2001:db9::1"), false},
			// An IPv4 prefix never contains an IPv6 address, nor the reverse.
			{ipnet("0.0.0.0/0"), net.ParseIP("2001:db8::1"), false},
			{ipnet("::/0"), net.ParseIP("192.0.2.1"), false},
			{nil, net.ParseIP("192.0.2.1"), false},
			{ipnet("192.0.2.0/24"), nil, false},
		} {
			got := ipaddr.Contains(tc.n, tc.a)
			Expect(got).To(Equal(tc.want), "Contains(%q, %q) = %v, want %v", tc.n, tc.a, got, tc.want)
		}
	})

	It("PrefixFamily", func() {
		for _, tc := range []struct {
			in   *net.IPNet
			want int
		}{
			{ipnet("192.0.2.0/24"), ipaddr.FamilyV4},
			{&net.IPNet{IP: mapped("192.0.2.0"), Mask: net.CIDRMask(120, 128)}, 0},
			{ipnet("::ffff:0:0/96"), 0},
			{ipnet("2001:db8::/64"), ipaddr.FamilyV6},
			{ipnet("::/0"), ipaddr.FamilyV6},
			{nil, 0},
			{&net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(24, 32)}, 0},
		} {
			got := ipaddr.PrefixFamily(tc.in)
			Expect(got).To(Equal(tc.want), "PrefixFamily(%q) = %v, want %v", tc.in, got, tc.want)
		}
	})

	It("IsDefault", func() {
		for _, tc := range []struct {
			in   *net.IPNet
			want bool
		}{
			{ipnet("0.0.0.0/0"), true},
			{ipnet("::/0"), true},
			{ipnet("192.0.2.1/0"), true},
			// ::ffff:0:0/96 is not the IPv4 default route.
			{&net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(96, 128)}, false},
			{ipnet("::ffff:0:0/96"), false},
			{ipnet("0.0.0.0/1"), false},
			{ipnet("2001:db8::/32"), false},
			{ipnet("0.0.0.0/32"), false},
			{nil, false},
		} {
			got := ipaddr.IsDefault(tc.in)
			Expect(got).To(Equal(tc.want), "IsDefault(%q) = %v, want %v", tc.in, got, tc.want)
		}
	})
})
