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
	"math/rand/v2"
	"net"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// choices is where a generated result takes its decisions from: a seeded
// random source for the randomized specs, the fuzzer's bytes for the fuzz
// tests.
type choices interface {
	// intn returns a number in [0, n).
	intn(n int) int
}

type randChoices struct{ r *rand.Rand }

func (c randChoices) intn(n int) int { return c.r.IntN(n) }

// byteChoices takes decisions from data, one byte each, then zeros.
type byteChoices struct{ data []byte }

func (c *byteChoices) intn(n int) int {
	if len(c.data) == 0 {
		return 0
	}
	b := int(c.data[0])
	c.data = c.data[1:]
	return b % n
}

// gen generates results. plain restricts it to what plugins print:
// strings without characters that JSON escapes,
// integers of at most 15 digits, well-formed addresses.
type gen struct {
	c     choices
	plain bool
}

// oddRunes are the characters the library escapes or replaces, and some
// that it must leave alone.
var oddRunes = []string{"\"", "\\", "\n", "\t", "\r", "\b", "\f", "\x00", "\x01", "\x1f", "\x7f",
	"<", ">", "&", "\u2028", "\u2029", "\xff", "\xc3", "\xed\xa0\x80", "é", "😀", "/", " "}

var plainRunes = []string{"a", "z", "0", "9", "-", "_", ".", ":", "/", " ", "é", "😀", "~"}

func (g gen) str() string {
	if g.c.intn(4) == 0 {
		return ""
	}
	var b strings.Builder
	for range g.c.intn(12) {
		if !g.plain && g.c.intn(3) == 0 {
			b.WriteString(oddRunes[g.c.intn(len(oddRunes))])
		} else {
			b.WriteString(plainRunes[g.c.intn(len(plainRunes))])
		}
	}
	return b.String()
}

func (g gen) strs() []string {
	switch g.c.intn(3) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	out := make([]string, 1+g.c.intn(3))
	for i := range out {
		out[i] = g.str()
	}
	return out
}

func (g gen) int() int {
	limit := 1 << 53
	if g.plain {
		limit = 999_999_999_999_999
	}
	switch g.c.intn(7) {
	case 0:
		return 0
	case 1:
		return 1500
	case 2:
		return -1
	case 3:
		return limit
	case 4:
		return -limit
	case 5:
		return 1<<31 - 1
	}
	return g.c.intn(1<<20) - 1<<19
}

func (g gen) intPtr() *int {
	if g.c.intn(2) == 0 {
		return nil
	}
	return current.Int(g.int())
}

func (g gen) ip() net.IP {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.c.intn(256))
	}
	switch g.c.intn(4) {
	case 0:
		return net.IP(b[:4])
	case 1:
		return net.IPv4(b[0], b[1], b[2], b[3]) // 16 bytes, IPv4-mapped
	case 2:
		b[0], b[1] = 0x20, 0x01
		return net.IP(b)
	}
	return net.IP(b)
}

// gateway is nil, empty, or an address; not plain, also a malformed one.
func (g gen) gateway() net.IP {
	switch g.c.intn(5) {
	case 0:
		return nil
	case 1:
		return net.IP{}
	case 2:
		if !g.plain {
			return net.IP{192, 0, 2, 1, 9}
		}
	}
	return g.ip()
}

func (g gen) ipNet() net.IPNet {
	ip := g.ip()
	bits := 8 * len(ip)
	if ipaddr.Is4(ip) && g.c.intn(2) == 0 {
		bits = 32
	}
	n := net.IPNet{IP: ip, Mask: net.CIDRMask(g.c.intn(bits+1), bits)}
	if g.plain {
		return n
	}
	switch g.c.intn(8) {
	case 0:
		n.Mask = net.IPMask{0xff, 0x00, 0xff, 0x00} // not a prefix
	case 1:
		n.Mask = nil
	case 2:
		n.IP = nil
	case 3:
		n.Mask = net.CIDRMask(64, 128) // 16-byte mask, maybe on IPv4
	case 4:
		n.IP = net.IP{1, 2, 3}
	}
	return n
}

func (g gen) result() *current.Result {
	r := &current.Result{CNIVersion: []string{"1.0.0", "1.1.0"}[g.c.intn(2)]}
	for range g.c.intn(3) {
		if !g.plain && g.c.intn(6) == 0 {
			r.Interfaces = append(r.Interfaces, nil)
			continue
		}
		intf := &current.Interface{Name: g.str(), Mac: g.str(), Sandbox: g.str(), SocketPath: g.str(), PciID: g.str()}
		if g.c.intn(2) == 0 {
			intf.Mtu = g.int()
		}
		r.Interfaces = append(r.Interfaces, intf)
	}
	for range g.c.intn(4) {
		if !g.plain && g.c.intn(6) == 0 {
			r.IPs = append(r.IPs, nil)
			continue
		}
		r.IPs = append(r.IPs, &current.IPConfig{Interface: g.intPtr(), Address: g.ipNet(), Gateway: g.gateway()})
	}
	for range g.c.intn(6) {
		if !g.plain && g.c.intn(6) == 0 {
			r.Routes = append(r.Routes, nil)
			continue
		}
		rt := &types.Route{Dst: g.ipNet(), GW: g.gateway(), Table: g.intPtr(), Scope: g.intPtr()}
		if g.c.intn(2) == 0 {
			rt.MTU, rt.AdvMSS, rt.Priority = g.int(), g.int(), g.int()
		}
		r.Routes = append(r.Routes, rt)
	}
	if g.c.intn(2) == 0 {
		r.DNS = types.DNS{Nameservers: g.strs(), Domain: g.str(), Search: g.strs(), Options: g.strs()}
	}
	return r
}

// libraryBytes returns what the cni library prints for r (PrintTo), and
// that compacted.
func libraryBytes(r *current.Result) (printed, compact []byte, err error) {
	var buf bytes.Buffer
	if err := r.PrintTo(&buf); err != nil {
		return nil, nil, err
	}
	var c bytes.Buffer
	if err := json.Compact(&c, buf.Bytes()); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), c.Bytes(), nil
}
