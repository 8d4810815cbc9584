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
	"net"
	"net/netip"
	"strings"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// The parsers below accept exactly what net.ParseCIDR and net.ParseIP
// accept (after strings.TrimSpace), but parse into netip values, which
// cost no allocation: a config's route list is parsed without one
// allocation per address. addrMem then stores the addresses.

// parsePrefix parses "<address>/<length>" as net.ParseCIDR does — no zone,
// the length in decimal digits (leading zeros allowed) no longer than the
// address — and returns the address with its host part and the length.
// An IPv4-mapped IPv6 address becomes plain IPv4 with the length less 96;
// one with a length below 96 is not a valid prefix.
func parsePrefix(s string) (netip.Addr, int, bool) {
	addrText, lenText, found := strings.Cut(strings.TrimSpace(s), "/")
	if !found {
		return netip.Addr{}, 0, false
	}
	addr, err := netip.ParseAddr(addrText)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, 0, false
	}
	if lenText == "" {
		return netip.Addr{}, 0, false
	}
	ones := 0
	for i := 0; i < len(lenText); i++ {
		c := lenText[i]
		if c < '0' || c > '9' {
			return netip.Addr{}, 0, false
		}
		if ones = ones*10 + int(c-'0'); ones > addr.BitLen() {
			return netip.Addr{}, 0, false
		}
	}
	if addr.Is4In6() {
		if ones < 96 {
			return netip.Addr{}, 0, false
		}
		addr, ones = addr.Unmap(), ones-96
	}
	return addr, ones, true
}

// parseDst parses a route destination as parsePrefix does, but refuses an
// IPv4-mapped IPv6 prefix (::ffff:0:0/96 and inside it): taken as IPv4 it
// would become another route of the other family (::ffff:0:0/96 the IPv4
// default route), and pkg/ipam refuses such a destination too.
func parseDst(s string) (netip.Addr, int, bool) {
	addrText, _, _ := strings.Cut(strings.TrimSpace(s), "/")
	if a, err := netip.ParseAddr(addrText); err == nil && a.Is4In6() {
		return netip.Addr{}, 0, false
	}
	return parsePrefix(s)
}

// parseAddr parses an address as net.ParseIP does, IPv4-mapped IPv6
// addresses turned into plain IPv4.
func parseAddr(s string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

// addrMem hands out the bytes of addresses and masks from shared chunks
// of growing size. The zero value is ready to use.
type addrMem struct {
	buf   []byte
	chunk int
}

// take returns n zeroed bytes.
func (m *addrMem) take(n int) []byte {
	if len(m.buf) < n {
		m.chunk = min(max(2*m.chunk, 32), 4096)
		m.buf = make([]byte, max(m.chunk, n))
	}
	b := m.buf[:n:n]
	m.buf = m.buf[n:]
	return b
}

// ip returns addr in its own length: 4 bytes for IPv4, 16 for IPv6.
func (m *addrMem) ip(addr netip.Addr) net.IP {
	b := m.take(addr.BitLen() / 8)
	if addr.Is4() {
		a := addr.As4()
		copy(b, a[:])
	} else {
		a := addr.As16()
		copy(b, a[:])
	}
	return b
}

// ipNet returns addr with a mask of ones bits, in the length of addr.
func (m *addrMem) ipNet(addr netip.Addr, ones int) net.IPNet {
	mask := net.IPMask(m.take(addr.BitLen() / 8))
	ipaddr.FillMask(mask, ones)
	return net.IPNet{IP: m.ip(addr), Mask: mask}
}
