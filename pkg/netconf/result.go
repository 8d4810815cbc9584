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

package netconf

import (
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// PrintResult prints res on stdout converted to cniVersion.
func PrintResult(res types.Result, cniVersion string) error {
	return WriteResult(os.Stdout, res, cniVersion)
}

// WriteResult writes res to w converted to cniVersion.
//
// A result of the current type (spec 1.0.0 and 1.1.0) is encoded as
// AppendResult does, and written in chunks of about 16 KB through one
// buffer, so that a large result does not touch fresh memory for all of
// its bytes (a result with 1,000 routes is about 45 KB). The result is
// checked before the first write, so an error leaves w untouched. Older
// versions are printed by the cni library.
func WriteResult(w io.Writer, res types.Result, cniVersion string) error {
	conv, err := res.GetAsVersion(cniVersion)
	if err != nil {
		return err
	}
	cur, ok := conv.(*current.Result)
	if !ok {
		return conv.PrintTo(w)
	}
	if err := checkResult(cur); err != nil {
		return err
	}
	e := encoder{b: make([]byte, 0, min(sizeHint(cur), writeChunk+1024)), w: w}
	e.result(cur)
	e.flush()
	return e.err
}

// writeChunk is the size at which WriteResult writes what it has encoded.
const writeChunk = 16 << 10

// AppendResult appends r encoded as JSON to b.
//
// The output is what the cni library prints for r (its Result.PrintTo)
// without the indentation: the same members, the same omissions (an empty
// dns, zero optional numbers, absent gateways), keys in sorted order, the
// same escapes — byte for byte what json.Compact makes of the library's
// output, with one exception: integers beyond ±2^53, which the library
// rounds through float64, are printed exactly. Runtimes parse the result;
// compact output is less to write, to copy through the pipe and to parse,
// about 45 rather than 100 bytes a route.
//
// The library gets there slowly: Result.MarshalJSON marshals the result,
// decodes that into a map to drop an empty dns, and marshals the map again,
// and each route and address goes through its own MarshalJSON whose output
// encoding/json then validates and copies; this appends each value once.
// It is kept for what that costs an ADD with many routes, measured in
// Documentation/performance.md.
func AppendResult(b []byte, r *current.Result) ([]byte, error) {
	if err := checkResult(r); err != nil {
		return b, err
	}
	e := encoder{b: slices.Grow(b, sizeHint(r))}
	e.result(r)
	return e.b, nil
}

// sizeHint is about the size of r encoded: a route takes 25 to 140 bytes.
func sizeHint(r *current.Result) int {
	return 256 + 128*len(r.Interfaces) + 96*len(r.IPs) + 64*len(r.Routes)
}

// checkResult returns the error encoding r would meet: only an address of
// another length than 4 or 16 bytes (net.IP's MarshalText refuses it)
// cannot be encoded.
func checkResult(r *current.Result) error {
	for i, ipc := range r.IPs {
		if ipc != nil {
			if _, err := ipc.Gateway.MarshalText(); err != nil {
				return fmt.Errorf("encode result: ips[%d]: gateway: %w", i, err)
			}
		}
	}
	for i, rt := range r.Routes {
		if rt != nil {
			if _, err := rt.GW.MarshalText(); err != nil {
				return fmt.Errorf("encode result: routes[%d]: gw: %w", i, err)
			}
		}
	}
	return nil
}

// result appends r, which checkResult accepted.
func (e *encoder) result(r *current.Result) {
	o := e.object()
	if r.CNIVersion != "" {
		o.key("cniVersion")
		e.string(r.CNIVersion)
	}
	if !r.DNS.IsEmpty() {
		o.key("dns")
		e.dns(&r.DNS)
	}
	if len(r.Interfaces) > 0 {
		o.key("interfaces")
		a := e.array()
		for _, intf := range r.Interfaces {
			a.next()
			e.iface(intf)
			e.maybeFlush()
		}
		a.end()
	}
	if len(r.IPs) > 0 {
		o.key("ips")
		a := e.array()
		for _, ipc := range r.IPs {
			a.next()
			e.ipConfig(ipc)
			e.maybeFlush()
		}
		a.end()
	}
	if len(r.Routes) > 0 {
		o.key("routes")
		a := e.array()
		for _, rt := range r.Routes {
			a.next()
			e.route(rt)
			e.maybeFlush()
		}
		a.end()
	}
	o.end()
}

// encoder appends compact JSON to b and, when w is set, writes b to w in
// chunks; err is the first write error.
type encoder struct {
	b   []byte
	w   io.Writer
	err error
}

// maybeFlush writes what is encoded once it is a chunk.
func (e *encoder) maybeFlush() {
	if e.w != nil && len(e.b) >= writeChunk {
		e.flush()
	}
}

// flush writes what is encoded, unless a write failed before.
func (e *encoder) flush() {
	if e.err == nil && len(e.b) > 0 {
		_, e.err = e.w.Write(e.b)
	}
	e.b = e.b[:0]
}

// container is an object or array being appended.
type container struct {
	e     *encoder
	n     int
	close byte
}

func (e *encoder) object() container {
	e.b = append(e.b, '{')
	return container{e: e, close: '}'}
}

func (e *encoder) array() container {
	e.b = append(e.b, '[')
	return container{e: e, close: ']'}
}

// next starts the next element of an array or member of an object.
func (c *container) next() {
	if c.n > 0 {
		c.e.b = append(c.e.b, ',')
	}
	c.n++
}

// key starts the member named k, which must need no escaping.
func (c *container) key(k string) {
	c.next()
	c.e.b = append(c.e.b, '"')
	c.e.b = append(c.e.b, k...)
	c.e.b = append(c.e.b, '"', ':')
}

func (c *container) end() {
	c.e.b = append(c.e.b, c.close)
}

func (e *encoder) int(v int) {
	e.b = strconv.AppendInt(e.b, int64(v), 10)
}

func (e *encoder) null() {
	e.b = append(e.b, "null"...)
}

func (e *encoder) strings(list []string) {
	a := e.array()
	for _, s := range list {
		a.next()
		e.string(s)
	}
	a.end()
}

// dns appends d with its members in sorted order.
func (e *encoder) dns(d *types.DNS) {
	o := e.object()
	if d.Domain != "" {
		o.key("domain")
		e.string(d.Domain)
	}
	if len(d.Nameservers) > 0 {
		o.key("nameservers")
		e.strings(d.Nameservers)
	}
	if len(d.Options) > 0 {
		o.key("options")
		e.strings(d.Options)
	}
	if len(d.Search) > 0 {
		o.key("search")
		e.strings(d.Search)
	}
	o.end()
}

// iface appends one interface with its members in sorted order.
func (e *encoder) iface(intf *current.Interface) {
	if intf == nil {
		e.null()
		return
	}
	o := e.object()
	if intf.Mac != "" {
		o.key("mac")
		e.string(intf.Mac)
	}
	if intf.Mtu != 0 {
		o.key("mtu")
		e.int(intf.Mtu)
	}
	o.key("name")
	e.string(intf.Name)
	if intf.PciID != "" {
		o.key("pciID")
		e.string(intf.PciID)
	}
	if intf.Sandbox != "" {
		o.key("sandbox")
		e.string(intf.Sandbox)
	}
	if intf.SocketPath != "" {
		o.key("socketPath")
		e.string(intf.SocketPath)
	}
	o.end()
}

// ipConfig appends one address with its members in sorted order.
func (e *encoder) ipConfig(ipc *current.IPConfig) {
	if ipc == nil {
		e.null()
		return
	}
	o := e.object()
	o.key("address")
	e.ipNet(ipc.Address)
	if len(ipc.Gateway) > 0 {
		o.key("gateway")
		e.ip(ipc.Gateway)
	}
	if ipc.Interface != nil {
		o.key("interface")
		e.int(*ipc.Interface)
	}
	o.end()
}

// route appends one route with its members in sorted order.
func (e *encoder) route(r *types.Route) {
	if r == nil {
		e.null()
		return
	}
	o := e.object()
	if r.AdvMSS != 0 {
		o.key("advmss")
		e.int(r.AdvMSS)
	}
	o.key("dst")
	e.ipNet(r.Dst)
	if len(r.GW) > 0 {
		o.key("gw")
		e.ip(r.GW)
	}
	if r.MTU != 0 {
		o.key("mtu")
		e.int(r.MTU)
	}
	if r.Priority != 0 {
		o.key("priority")
		e.int(r.Priority)
	}
	if r.Scope != nil {
		o.key("scope")
		e.int(*r.Scope)
	}
	if r.Table != nil {
		o.key("table")
		e.int(*r.Table)
	}
	o.end()
}

// ip appends an address of 4 or 16 bytes (checkResult made sure) as a
// JSON string, as net.IP's MarshalText does.
func (e *encoder) ip(ip net.IP) {
	e.b = append(e.b, '"')
	e.b, _ = ip.AppendText(e.b)
	e.b = append(e.b, '"')
}

// ipNet appends n as a JSON string, as (*net.IPNet).String formats it:
// the address with its host part (not masked) and the prefix length, the
// mask in hex when it is not a prefix, "<nil>" for a malformed value.
func (e *encoder) ipNet(n net.IPNet) {
	addr, mask := addrAndMask(n)
	if addr == nil {
		e.string("<nil>")
		return
	}
	e.b = append(e.b, '"')
	e.b, _ = addr.AppendText(e.b) // addr has 4 or 16 bytes: no error
	e.b = append(e.b, '/')
	if ones, bits := mask.Size(); bits != 0 {
		e.b = strconv.AppendInt(e.b, int64(ones), 10)
	} else {
		e.b = append(e.b, mask.String()...)
	}
	e.b = append(e.b, '"')
}

// addrAndMask returns the address of n in the length of its mask and the
// mask, or nils when the two do not fit together, following the rules
// (*net.IPNet).String applies: a 4-byte mask needs an IPv4 address, a
// 16-byte mask on an IPv4 address contributes its last 4 bytes.
func addrAndMask(n net.IPNet) (net.IP, net.IPMask) {
	addr := n.IP.To4()
	if addr == nil {
		addr = n.IP
		if len(addr) != net.IPv6len {
			return nil, nil
		}
	}
	mask := n.Mask
	switch len(mask) {
	case net.IPv4len:
		if len(addr) != net.IPv4len {
			return nil, nil
		}
	case net.IPv6len:
		if len(addr) == net.IPv4len {
			mask = mask[12:]
		}
	default:
		return nil, nil
	}
	return addr, mask
}

// string appends s as a JSON string, escaped as the library's output has
// it: encoding/json escapes '"', '\\' and control characters (\b, \f, \n,
// \r, \t by name, others as \u00XX), '<', '>', '&', U+2028 and U+2029 as
// \uXXXX, and turns each byte of invalid UTF-8 into U+FFFD. (The library
// marshals twice; the second pass prints that U+FFFD as the character, not
// as an escape, so this does too.)
func (e *encoder) string(s string) {
	const hex = "0123456789abcdef"
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = utf8.AppendRune(b, utf8.RuneError)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}
