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
	"bytes"
	"net"
	"net/netip"
	"slices"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// currentVersions are the spec versions whose results have the current
// result type (types/100).
var currentVersions = []string{"1.0.0", current.ImplementedSpecVersion}

// DecodeResult decodes data as a result of the current type (spec 1.0.0 or
// 1.1.0) and reports true, when data is written as plugins print results:
// the member names of the spec in their case, each once, no null, no
// string escapes, integers of at most 15 digits, no other members. The
// result is then the one version.NewResult(version, data) returns, value
// for value.
//
// Otherwise — another version, another form, invalid JSON, an address that
// does not parse — DecodeResult reports false and data must go to
// version.NewResult, which decodes it or says what is wrong with it.
//
// The library decodes every route and address through its own
// UnmarshalJSON, which runs encoding/json again on each route and again on
// each address inside it: for a result with 1,000 routes, several times
// the work of reading the JSON once.
func DecodeResult(data []byte) (*current.Result, bool) {
	d := resultDecoder{r: reader{data: data}}
	res, ok := d.result()
	if !ok || !d.r.end() || !slices.Contains(currentVersions, res.CNIVersion) {
		return nil, false
	}
	return res, true
}

// resultDecoder holds the reader and the memory the decoded addresses are
// carved from: one allocation for many addresses rather than one each.
type resultDecoder struct {
	r     reader
	bytes []byte
	chunk int
}

// take returns n zeroed bytes of the decoder's memory, which it allocates
// in chunks of growing size.
func (d *resultDecoder) take(n int) []byte {
	if len(d.bytes) < n {
		d.chunk = min(max(2*d.chunk, 256), 8192)
		d.bytes = make([]byte, d.chunk)
	}
	b := d.bytes[:n:n]
	d.bytes = d.bytes[n:]
	return b
}

func (d *resultDecoder) result() (*current.Result, bool) {
	res := &current.Result{}
	m := members{names: []string{"cniVersion", "interfaces", "ips", "routes", "dns"}}
	ok := d.r.object(func(name []byte) bool {
		i, ok := m.index(name)
		if !ok {
			return false
		}
		switch i {
		case 0:
			res.CNIVersion, ok = d.r.string()
		case 1:
			res.Interfaces, ok = d.interfaces()
		case 2:
			res.IPs, ok = d.ips()
		case 3:
			res.Routes, ok = d.routes()
		case 4:
			ok = d.dns(&res.DNS)
		default:
			return false
		}
		return ok
	})
	return res, ok
}

func (d *resultDecoder) interfaces() ([]*current.Interface, bool) {
	list := []*current.Interface{}
	ok := d.r.array(func() bool {
		intf := &current.Interface{}
		list = append(list, intf)
		m := members{names: []string{"name", "mac", "mtu", "sandbox", "socketPath", "pciID"}}
		return d.r.object(func(name []byte) bool {
			i, ok := m.index(name)
			if !ok {
				return false
			}
			switch i {
			case 0:
				intf.Name, ok = d.r.string()
			case 1:
				intf.Mac, ok = d.r.string()
			case 2:
				intf.Mtu, ok = d.r.int()
			case 3:
				intf.Sandbox, ok = d.r.string()
			case 4:
				intf.SocketPath, ok = d.r.string()
			case 5:
				intf.PciID, ok = d.r.string()
			default:
				return false
			}
			return ok
		})
	})
	return list, ok
}

func (d *resultDecoder) ips() ([]*current.IPConfig, bool) {
	list := []*current.IPConfig{}
	ok := d.r.array(func() bool {
		ipc := &current.IPConfig{}
		list = append(list, ipc)
		m := members{names: []string{"interface", "address", "gateway"}}
		return d.r.object(func(name []byte) bool {
			i, ok := m.index(name)
			if !ok {
				return false
			}
			switch i {
			case 0:
				var n int
				n, ok = d.r.int()
				ipc.Interface = &n
			case 1:
				ipc.Address, ok = d.cidr()
			case 2:
				ipc.Gateway, ok = d.ip()
			default:
				return false
			}
			return ok
		})
	})
	return list, ok
}

func (d *resultDecoder) routes() ([]*types.Route, bool) {
	// The routes share one array, allocated once: each route is an object,
	// so the count of '{' still to read bounds their number. (The unused
	// part of a large allocation is never touched.)
	n := bytes.Count(d.r.data[d.r.pos:], []byte{'{'})
	list := make([]*types.Route, 0, n)
	slab := make([]types.Route, 0, n)
	ok := d.r.array(func() bool {
		slab = append(slab, types.Route{})
		rt := &slab[len(slab)-1]
		list = append(list, rt)
		m := members{names: []string{"dst", "gw", "mtu", "advmss", "priority", "table", "scope"}}
		return d.r.object(func(name []byte) bool {
			i, ok := m.index(name)
			if !ok {
				return false
			}
			switch i {
			case 0:
				rt.Dst, ok = d.cidr()
			case 1:
				rt.GW, ok = d.ip()
			case 2:
				rt.MTU, ok = d.r.int()
			case 3:
				rt.AdvMSS, ok = d.r.int()
			case 4:
				rt.Priority, ok = d.r.int()
			case 5:
				var n int
				n, ok = d.r.int()
				rt.Table = &n
			case 6:
				var n int
				n, ok = d.r.int()
				rt.Scope = &n
			default:
				return false
			}
			return ok
		})
	})
	return list, ok
}

func (d *resultDecoder) dns(dns *types.DNS) bool {
	m := members{names: []string{"nameservers", "domain", "search", "options"}}
	return d.r.object(func(name []byte) bool {
		i, ok := m.index(name)
		if !ok {
			return false
		}
		switch i {
		case 0:
			dns.Nameservers, ok = d.r.strings()
		case 1:
			dns.Domain, ok = d.r.string()
		case 2:
			dns.Search, ok = d.r.strings()
		case 3:
			dns.Options, ok = d.r.strings()
		default:
			return false
		}
		return ok
	})
}

// cidr reads an address in CIDR form into the value net.ParseCIDR gives
// and the library keeps: the address in 16 bytes with its host part, the
// mask in the length of the family.
func (d *resultDecoder) cidr() (net.IPNet, bool) {
	s, ok := d.r.text()
	if !ok {
		return net.IPNet{}, false
	}
	slash := -1
	for i, c := range s {
		if c == '/' {
			slash = i
			break
		}
	}
	if slash < 0 {
		return net.IPNet{}, false
	}
	addr, ok := parseAddr(s[:slash])
	if !ok {
		return net.IPNet{}, false
	}
	// net.ParseCIDR takes decimal digits, leading zeros included, up to
	// the address's length in bits.
	digits := s[slash+1:]
	if len(digits) == 0 {
		return net.IPNet{}, false
	}
	ones := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return net.IPNet{}, false
		}
		if ones = ones*10 + int(c-'0'); ones > 128 {
			return net.IPNet{}, false
		}
	}
	bits := addr.BitLen()
	if ones > bits {
		return net.IPNet{}, false
	}
	ip := d.take(net.IPv6len)
	a16 := addr.As16()
	copy(ip, a16[:])
	mask := d.take(bits / 8)
	ipaddr.FillMask(mask, ones)
	return net.IPNet{IP: ip, Mask: mask}, true
}

// ip reads an address into the value net.ParseIP gives (16 bytes), or nil
// for an empty string, as net.IP's UnmarshalText does.
func (d *resultDecoder) ip() (net.IP, bool) {
	s, ok := d.r.text()
	if !ok {
		return nil, false
	}
	if len(s) == 0 {
		return nil, true
	}
	addr, ok := parseAddr(s)
	if !ok {
		return nil, false
	}
	ip := d.take(net.IPv6len)
	a16 := addr.As16()
	copy(ip, a16[:])
	return ip, true
}

// parseAddr parses an address as netip.ParseAddr does, refusing a zone
// (as net.ParseIP and net.ParseCIDR do). A dotted quad is parsed here,
// without the copy to a string that netip.ParseAddr needs: four decimal
// fields of at most 255, no leading zeros, exactly what netip accepts.
func parseAddr(s []byte) (netip.Addr, bool) {
	var a4 [4]byte
	field, digits, v := 0, 0, 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && v == 0 {
				return parseAddrSlow(s) // a leading zero
			}
			v = v*10 + int(c-'0')
			digits++
			if v > 255 {
				return parseAddrSlow(s)
			}
		case c == '.' && digits > 0 && field < 3:
			a4[field] = byte(v)
			field++
			digits, v = 0, 0
		default:
			return parseAddrSlow(s)
		}
	}
	if field != 3 || digits == 0 {
		return parseAddrSlow(s)
	}
	a4[3] = byte(v)
	return netip.AddrFrom4(a4), true
}

func parseAddrSlow(s []byte) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(string(s))
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, false
	}
	return addr, true
}
