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

// Package ipaddr holds the address family and prefix helpers every plugin
// uses. It has no kernel dependency, so that the IPAM plugins, which only
// compute addresses, need not link netlink (see pkg/ip for link, address and
// forwarding operations): every package a binary links adds to the start
// cost of every CNI call.
package ipaddr

import (
	"fmt"
	"net"
)

// Address families, equal to unix.AF_INET and unix.AF_INET6 and to
// netlink.FAMILY_V4 and netlink.FAMILY_V6, spelled out so that this file
// builds on every platform.
const (
	FamilyV4 = 2
	FamilyV6 = 10
)

// Is4 reports whether ip is an IPv4 address, including its IPv4-mapped
// IPv6 form: the kernel and the CNI types both treat those as IPv4.
func Is4(ip net.IP) bool {
	return ip.To4() != nil
}

// Is6 reports whether ip is a valid IPv6 address that is not IPv4-mapped.
func Is6(ip net.IP) bool {
	return ip.To4() == nil && len(ip) == net.IPv6len
}

// Family returns FamilyV4 or FamilyV6 for ip, and 0 for an invalid address.
func Family(ip net.IP) int {
	switch {
	case Is4(ip):
		return FamilyV4
	case Is6(ip):
		return FamilyV6
	}
	return 0
}

// FamilyName returns "IPv4" or "IPv6", for messages.
func FamilyName(family int) string {
	switch family {
	case FamilyV4:
		return "IPv4"
	case FamilyV6:
		return "IPv6"
	}
	return fmt.Sprintf("family %d", family)
}

// SameFamily reports whether a and b are valid addresses of one family.
func SameFamily(a, b net.IP) bool {
	fa := Family(a)
	return fa != 0 && fa == Family(b)
}

// Normalize returns ip in its canonical length: 4 bytes for IPv4 (also when
// given IPv4-mapped), 16 for IPv6. It returns nil for an invalid address.
func Normalize(ip net.IP) net.IP {
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	if len(ip) == net.IPv6len {
		return ip
	}
	return nil
}

// HostPrefix returns the single-address prefix of ip: /32 or /128.
func HostPrefix(ip net.IP) *net.IPNet {
	n := Normalize(ip)
	if n == nil {
		return nil
	}
	bits := 8 * len(n)
	return &net.IPNet{IP: n, Mask: net.CIDRMask(bits, bits)}
}

// Canonical returns n with its host bits cleared and its address and mask in
// the canonical length of its family, so that 192.0.2.7/24 and 192.0.2.0/24
// compare equal. The mask decides the family: an IPv4 address given in 16
// bytes with a 32-bit mask (what net.ParseCIDR's address and mask make) is
// IPv4. It returns nil for a nil or malformed prefix, and for an IPv4-mapped
// IPv6 prefix (see IsMappedPrefix): read as IPv4 it would become another
// prefix of the other family (::ffff:0:0/96 would be 0.0.0.0/0).
func Canonical(n *net.IPNet) *net.IPNet {
	if n == nil || IsMappedPrefix(n) {
		return nil
	}
	addr := Normalize(n.IP)
	if addr == nil {
		return nil
	}
	ones, bits := n.Mask.Size()
	if bits == 0 || bits != 8*len(addr) {
		return nil
	}
	mask := net.CIDRMask(ones, bits)
	return &net.IPNet{IP: addr.Mask(mask), Mask: mask}
}

// IsMappedPrefix reports whether n is an IPv4-mapped IPv6 prefix, such as
// ::ffff:0:0/96 or ::ffff:192.0.2.0/120: an address in ::ffff:0:0/96 with a
// 128-bit mask. Such a prefix is neither a usable IPv6 destination nor, for
// this package, an IPv4 one.
func IsMappedPrefix(n *net.IPNet) bool {
	if n == nil || len(n.IP) != net.IPv6len || n.IP.To4() == nil {
		return false
	}
	_, bits := n.Mask.Size()
	return bits == 8*net.IPv6len
}

// Contains reports whether n contains ip, treating IPv4-mapped addresses as
// IPv4.
func Contains(n *net.IPNet, ip net.IP) bool {
	c := Canonical(n)
	a := Normalize(ip)
	return c != nil && a != nil && len(c.IP) == len(a) && c.Contains(a)
}

// PrefixFamily returns the family of a prefix, or 0 when it is malformed.
func PrefixFamily(n *net.IPNet) int {
	c := Canonical(n)
	if c == nil {
		return 0
	}
	return Family(c.IP)
}

// IsDefault reports whether n is 0.0.0.0/0 or ::/0.
func IsDefault(n *net.IPNet) bool {
	c := Canonical(n)
	if c == nil {
		return false
	}
	ones, _ := c.Mask.Size()
	return ones == 0
}

// FillMask writes a mask of ones leading one bits into mask (the rest
// zero), as net.CIDRMask does, but into memory the caller provides.
func FillMask(mask []byte, ones int) {
	for i := range mask {
		switch {
		case ones >= 8:
			mask[i] = 0xff
			ones -= 8
		case ones > 0:
			mask[i] = ^byte(0xff >> ones)
			ones = 0
		default:
			mask[i] = 0
		}
	}
}
