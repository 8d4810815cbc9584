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
	"net"
	"net/netip"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// The oracles: how static parsed addresses with the net package before
// parsePrefix and parseAddr.

func netParseCIDR(s string) (net.IPNet, bool) {
	addr, subnet, err := net.ParseCIDR(strings.TrimSpace(s))
	if err != nil {
		return net.IPNet{}, false
	}
	canon := ipaddr.Canonical(&net.IPNet{IP: addr, Mask: subnet.Mask})
	if ones, _ := subnet.Mask.Size(); canon == nil && addr.To4() != nil && ones >= 96 {
		// An IPv4-mapped address is IPv4 to static, as upstream's result
		// prints it; ipaddr.Canonical refuses the prefix.
		canon = &net.IPNet{IP: addr.To4(), Mask: net.CIDRMask(ones-96, 32)}
	}
	if canon == nil {
		return net.IPNet{}, false
	}
	return net.IPNet{IP: ipaddr.Normalize(addr), Mask: canon.Mask}, true
}

func netParseIP(s string) net.IP {
	return ipaddr.Normalize(net.ParseIP(strings.TrimSpace(s)))
}

// compareParsers reports where the parsers and their oracles disagree on
// s, as an address, a route destination and a gateway.
func compareParsers(s string) error {
	got, ok := parseCIDR(s)
	want, wantOK := netParseCIDR(s)
	if ok != wantOK || got.IP.String() != want.IP.String() || len(got.IP) != len(want.IP) || got.Mask.String() != want.Mask.String() {
		return fmt.Errorf("parseCIDR(%q) = %v %v, net.ParseCIDR gives %v %v", s, got, ok, want, wantOK)
	}
	if ok {
		addr, ones, _ := parsePrefix(s)
		var mem addrMem
		dst := mem.ipNet(netip.PrefixFrom(addr, ones).Masked().Addr(), ones)
		canon := ipaddr.Canonical(&want)
		if dst.String() != canon.String() || len(dst.IP) != len(canon.IP) || len(dst.Mask) != len(canon.Mask) {
			return fmt.Errorf("route destination %q = %v, Canonical gives %v", s, dst, canon)
		}
	}
	if ip, want := parseIP(s), netParseIP(s); !ip.Equal(want) || len(ip) != len(want) {
		return fmt.Errorf("parseIP(%q) = %v, net.ParseIP gives %v", s, ip, want)
	}
	return nil
}

var parserInputs = []string{
	"192.0.2.10/24", "192.0.2.10/0", "192.0.2.10/32", "192.0.2.10/33", "192.0.2.10/024", "192.0.2.10/0000000000032",
	"192.0.2.10/+24", "192.0.2.10/-1", "192.0.2.10/", "192.0.2.10", "/24", "", " 192.0.2.10/24 \n", "192.0.2.10 /24",
	"192.0.2.010/24", "192.0.2.256/24", "192.0.2/24", "2001:db8::10/64", "2001:db8::10/128", "2001:db8::10/129",
	"2001:DB8::A/64", "::/0", "::ffff:192.0.2.10/120", "::ffff:192.0.2.10/96", "::ffff:192.0.2.10/95",
	"::ffff:c000:20a/128", "fe80::1%eth0/64", "fe80::1%eth0", "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1",
	"192.0.2.1/24/8", "1.2.3.4.5/8", "banana", "0.0.0.0/0", "255.255.255.255/32",
}

var _ = Describe("address parsers", func() {
	for _, s := range parserInputs {
		It(fmt.Sprintf("parse %q as the net package does", s), func() {
			Expect(compareParsers(s)).To(Succeed())
		})
	}

	It("keeps a route's destination as written and every field", func() {
		var mem addrMem
		k, err := parseRoute(0, RouteConf{Dst: "198.51.100.7/24", GW: "192.0.2.1", MTU: 1400})
		Expect(err).NotTo(HaveOccurred())
		r := k.route(&mem)
		Expect(r.String()).To(Equal("{Dst:{IP:198.51.100.7 Mask:ffffff00} GW:192.0.2.1 MTU:1400 AdvMSS:0 Priority:0 Table:<nil> Scope:<nil>}"))
	})
})

// FuzzParsers checks the parsers against the net package on any text.
func FuzzParsers(f *testing.F) {
	for _, s := range parserInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := compareParsers(s); err != nil {
			t.Fatal(err)
		}
	})
}
