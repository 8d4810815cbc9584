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

// Package link holds what the link plugins (macvlan, ipvlan) share: finding
// the master interface, the MTU rules, creating a link straight into the
// container namespace under a temporary name, the CHECK-side validation
// of the link against the result of a previous ADD, and the CNI verbs
// themselves (Add, Check, Del, GC, Status), to which each plugin adds only
// what depends on its kind of link.
package link

import (
	"fmt"
	"net"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// ResolveMTU returns the MTU a link on a master whose MTU is masterMTU gets
// when the config asks for requested: 0 means the master's. A child link
// larger than its master is a configuration error (code 7): macvlan and
// ipvlan frames leave through the master, and the kernel refuses it anyway
// with a less helpful ERANGE.
func ResolveMTU(requested int, masterName string, masterMTU int) (int, error) {
	switch {
	case requested < 0:
		return 0, netconf.Invalid("invalid mtu %d: must not be negative", requested)
	case requested == 0:
		return masterMTU, nil
	case requested > masterMTU:
		return 0, netconf.Invalid("invalid mtu %d: larger than the mtu %d of master %q", requested, masterMTU, masterName)
	}
	return requested, nil
}

// ParseMAC parses a MAC address for a link: a unicast Ethernet address of six
// bytes. The empty string gives nil (let the kernel choose). Anything else is
// a configuration error (code 7) naming where the address came from.
func ParseMAC(s, source string) (net.HardwareAddr, error) {
	if s == "" {
		return nil, nil
	}
	mac, err := net.ParseMAC(s)
	if err != nil {
		return nil, netconf.Invalid("invalid mac %q from %s: %v", s, source, err)
	}
	if len(mac) != 6 {
		return nil, netconf.Invalid("invalid mac %q from %s: not a 6-byte Ethernet address", s, source)
	}
	// The low bit of the first octet marks group addresses, which the
	// kernel refuses as a device address (EADDRNOTAVAIL).
	if mac[0]&1 != 0 {
		return nil, netconf.Invalid("invalid mac %q from %s: multicast address", s, source)
	}
	return mac, nil
}

// FindInterface returns the index and entry of the interface called ifName
// in the sandbox netnsPath among res.Interfaces, as CHECK needs to find what
// its ADD reported.
func FindInterface(res *current.Result, ifName, netnsPath string) (int, *current.Interface, error) {
	if res == nil {
		return -1, nil, netconf.Invalid("required prevResult missing")
	}
	for i, intf := range res.Interfaces {
		if intf != nil && intf.Name == ifName && intf.Sandbox == netnsPath {
			return i, intf, nil
		}
	}
	return -1, nil, fmt.Errorf("find interface %s in sandbox %s: not in prevResult", ifName, netnsPath)
}

// CheckMAC compares the MAC address a link has with the one the result of
// its ADD reported. An empty want is not checked.
func CheckMAC(ifName string, have net.HardwareAddr, want string) error {
	if want == "" {
		return nil
	}
	w, err := net.ParseMAC(want)
	if err != nil {
		return fmt.Errorf("check mac of %s: prevResult has invalid mac %q: %w", ifName, want, err)
	}
	if have.String() != w.String() {
		return fmt.Errorf("check mac of %s: have %s, prevResult has %s", ifName, have, w)
	}
	return nil
}
