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

// Package allocator hands out addresses from host-local's range sets
// through a backend.Store: the range types with their defaults and checks,
// and the per-network operations (allocate, release, check, GC, status).
package allocator

import (
	"fmt"
	"math/big"
	"net"
	"net/netip"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// Range is one block of addresses of a subnet, as in the config:
// {"subnet", "rangeStart", "rangeEnd", "gateway"}.
type Range struct {
	Subnet     types.IPNet `json:"subnet"`
	RangeStart net.IP      `json:"rangeStart,omitempty"`
	RangeEnd   net.IP      `json:"rangeEnd,omitempty"`
	Gateway    net.IP      `json:"gateway,omitempty"`
}

// RangeSet is a list of ranges of one family; one address is allocated per
// range set, from whichever of its ranges has room.
type RangeSet []Range

// addr converts a normalized net.IP to a netip.Addr (IPv4 as 4 bytes).
func addr(a net.IP) netip.Addr {
	n, _ := netip.AddrFromSlice(ipaddr.Normalize(a))
	return n
}

// Canonicalize checks r and fills in the defaults: rangeStart is the first
// address after the network address, rangeEnd the last address of the
// subnet (before the broadcast address for IPv4), gateway the first
// address after the network address. Errors are code 7.
func (r *Range) Canonicalize() error {
	raw := net.IPNet(r.Subnet)
	fam := ipaddr.PrefixFamily(&raw)
	if fam == 0 || r.Subnet.IP == nil {
		return netconf.Invalid("invalid range: missing or malformed subnet")
	}
	subnet := ipaddr.Canonical(&raw)
	ones, bits := subnet.Mask.Size()
	if ones > bits-2 {
		return netconf.Invalid("invalid range: subnet %s too small to allocate from", subnet)
	}
	if !ipaddr.Normalize(raw.IP).Equal(subnet.IP) {
		return netconf.Invalid("invalid range: subnet %s has host bits set; the network is %s", raw.String(), subnet)
	}
	r.Subnet = types.IPNet(*subnet)
	prefix := netip.PrefixFrom(addr(subnet.IP), ones)
	first := prefix.Addr().Next()
	last := lastAddr(prefix)
	if fam == ipaddr.FamilyV4 {
		last = last.Prev() // the broadcast address
	}
	check := func(what string, a net.IP) error {
		if a == nil {
			return nil
		}
		if !ipaddr.Contains(subnet, a) {
			return netconf.Invalid("invalid range: %s %s not in subnet %s", what, a, subnet)
		}
		return nil
	}
	if err := check("rangeStart", r.RangeStart); err != nil {
		return err
	}
	if err := check("rangeEnd", r.RangeEnd); err != nil {
		return err
	}
	if r.RangeStart == nil {
		r.RangeStart = net.IP(first.AsSlice())
	}
	if r.RangeEnd == nil {
		r.RangeEnd = net.IP(last.AsSlice())
	}
	r.RangeStart, r.RangeEnd = ipaddr.Normalize(r.RangeStart), ipaddr.Normalize(r.RangeEnd)
	if addr(r.RangeStart).Compare(addr(r.RangeEnd)) > 0 {
		return netconf.Invalid("invalid range: rangeStart %s after rangeEnd %s", r.RangeStart, r.RangeEnd)
	}
	if r.Gateway == nil {
		r.Gateway = net.IP(first.AsSlice())
	}
	if !ipaddr.SameFamily(r.Gateway, subnet.IP) {
		return netconf.Invalid("invalid range: gateway %s is not %s like subnet %s", r.Gateway, ipaddr.FamilyName(fam), subnet)
	}
	r.Gateway = ipaddr.Normalize(r.Gateway)
	return nil
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Family returns the address family of the range (ipaddr.FamilyV4/V6).
func (r *Range) Family() int {
	n := net.IPNet(r.Subnet)
	return ipaddr.PrefixFamily(&n)
}

// Contains reports whether a lies in [RangeStart, RangeEnd]. r must be
// canonical.
func (r *Range) Contains(a net.IP) bool {
	x := addr(a)
	if !x.IsValid() || x.Is4() != addr(r.RangeStart).Is4() {
		return false
	}
	return x.Compare(addr(r.RangeStart)) >= 0 && x.Compare(addr(r.RangeEnd)) <= 0
}

// Overlaps reports whether r and o share an address. Both must be
// canonical.
func (r *Range) Overlaps(o *Range) bool {
	if r.Family() != o.Family() {
		return false
	}
	return r.Contains(o.RangeStart) || r.Contains(o.RangeEnd) || o.Contains(r.RangeStart)
}

// String returns "start-end", for messages.
func (r *Range) String() string {
	return fmt.Sprintf("%s-%s", r.RangeStart, r.RangeEnd)
}

// size returns the number of addresses in the range.
func (r *Range) size() *big.Int {
	n := new(big.Int).Sub(new(big.Int).SetBytes(r.RangeEnd), new(big.Int).SetBytes(r.RangeStart))
	return n.Add(n, big.NewInt(1))
}

// Canonicalize canonicalizes every range and checks that the set is not
// empty, has one family and no overlapping ranges.
func (s RangeSet) Canonicalize() error {
	if len(s) == 0 {
		return netconf.Invalid("invalid range set: no ranges")
	}
	for i := range s {
		if err := s[i].Canonicalize(); err != nil {
			return err
		}
		if s[i].Family() != s[0].Family() {
			return netconf.Invalid("invalid range set: mixes IPv4 and IPv6 (%s and %s)", s[0].String(), s[i].String())
		}
		for j := 0; j < i; j++ {
			if s[i].Overlaps(&s[j]) {
				return netconf.Invalid("invalid range set: range %s overlaps range %s", s[i].String(), s[j].String())
			}
		}
	}
	return nil
}

// Family returns the family of the set's ranges.
func (s RangeSet) Family() int {
	if len(s) == 0 {
		return 0
	}
	return s[0].Family()
}

// RangeFor returns the range of s containing a, or nil.
func (s RangeSet) RangeFor(a net.IP) *Range {
	for i := range s {
		if s[i].Contains(a) {
			return &s[i]
		}
	}
	return nil
}

// Overlaps reports whether any range of s overlaps any range of o.
func (s RangeSet) Overlaps(o RangeSet) bool {
	for i := range s {
		for j := range o {
			if s[i].Overlaps(&o[j]) {
				return true
			}
		}
	}
	return false
}

// String lists the ranges, for messages.
func (s RangeSet) String() string {
	out := "["
	for i := range s {
		if i > 0 {
			out += " "
		}
		out += s[i].String()
	}
	return out + "]"
}

// IsGateway reports whether a is the gateway of any range of s; such an
// address is never allocated.
func (s RangeSet) IsGateway(a net.IP) bool {
	for i := range s {
		if s[i].Gateway.Equal(a) {
			return true
		}
	}
	return false
}

// Size returns the number of allocatable addresses in s: every range's
// addresses minus the gateways that lie inside the ranges.
func (s RangeSet) Size() *big.Int {
	n := new(big.Int)
	seen := map[netip.Addr]bool{}
	for i := range s {
		n.Add(n, s[i].size())
		gw := addr(s[i].Gateway)
		if !seen[gw] && s.RangeFor(s[i].Gateway) != nil {
			seen[gw] = true
			n.Sub(n, big.NewInt(1))
		}
	}
	return n
}
