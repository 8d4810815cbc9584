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

package compat_test

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// The cases of the plugins this host can run both sides of: tap,
// host-device and sbr (chained after macvlan). dummy, vlan and vrf need the
// guest; their packages compare with upstream's binaries there.

const (
	v4IPAM   = `{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"198.51.100.0/24","gw":"192.0.2.2"}]}`
	ecmpIPAM = `{"type":"static","addresses":[{"address":"192.0.2.10/24"},{"address":"2001:db8::10/64"}],"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.2"},{"dst":"::/0","gw":"2001:db8::1"},{"dst":"::/0","gw":"2001:db8::2"}]}`
)

func tapCases() []Case {
	var cs []Case
	cs = append(cs, perVersion(Case{Name: "tap/mac-mtu", Plugins: []string{`{"type":"tap","mac":"02:00:00:00:00:30","mtu":1400}`}})...)
	cs = append(cs,
		one(Case{Name: "tap/bare", Plugins: []string{`{"type":"tap"}`}}, "1.0.0"),
		one(Case{Name: "tap/multiqueue-owner-group", Plugins: []string{`{"type":"tap","multiQueue":true,"owner":1000,"group":1001}`}}, "1.0.0"),
		one(Case{Name: "tap/bridge", Plugins: []string{`{"type":"tap","bridge":"br0"}`}, Setup: containerBridge("br0")}, "1.0.0"),
		one(Case{Name: "tap/ipam", Plugins: []string{`{"type":"tap","ipam":` + v4IPAM + `}`}}, "1.1.0"),
		one(Case{Name: "tap/err-mac", Plugins: []string{`{"type":"tap","mac":"zz"}`}}, "1.0.0"),
	)
	return cs
}

func hostDeviceCases() []Case {
	var cs []Case
	cs = append(cs, perVersion(Case{Name: "host-device/device", Plugins: []string{`{"type":"host-device","device":"dev0","ipam":` + v4IPAM + `}`}, Setup: hostDevice("dev0")})...)
	cs = append(cs,
		one(Case{Name: "host-device/hwaddr", Plugins: []string{`{"type":"host-device","hwaddr":"02:00:00:00:00:20"}`}, Setup: hostDevice("dev0")}, "1.0.0"),
		one(Case{Name: "host-device/no-ipam", Plugins: []string{`{"type":"host-device","device":"dev0"}`}, Setup: hostDevice("dev0")}, "1.0.0"),
		one(Case{Name: "host-device/err-no-selector", Plugins: []string{`{"type":"host-device"}`}, Setup: hostDevice("dev0")}, "1.0.0"),
		one(Case{Name: "host-device/err-missing", Plugins: []string{`{"type":"host-device","device":"nosuch0"}`}, Setup: hostDevice("dev0")}, "1.0.0"),
	)
	return cs
}

func sbrCases() []Case {
	var cs []Case
	cs = append(cs, perVersion(Case{Name: "sbr/plain", Plugins: []string{macvlanWith(v4IPAM, ""), `{"type":"sbr"}`}})...)
	cs = append(cs,
		one(Case{Name: "sbr/table", Plugins: []string{macvlanWith(v4IPAM, ""), `{"type":"sbr","table":5001}`}}, "1.0.0"),
		one(Case{Name: "sbr/ecmp", Plugins: []string{macvlanWith(ecmpIPAM, ""), `{"type":"sbr"}`}}, "1.1.0"),
	)
	return cs
}

// containerBridge is a Setup hook: a bridge name in the container
// namespace.
func containerBridge(name string) func(*Side) error {
	return func(s *Side) error {
		return s.ContNS.Do(func(ns.NetNS) error {
			return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}})
		})
	}
}

// hostDevice is a Setup hook: a veth name (MAC 02:00:00:00:00:20, MTU
// 1400) with its peer in the host namespace, both up, for host-device to
// move.
func hostDevice(name string) func(*Side) error {
	return func(s *Side) error {
		return s.HostNS.Do(func(ns.NetNS) error {
			mac, _ := net.ParseMAC("02:00:00:00:00:20")
			v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: 1400, HardwareAddr: mac}, PeerName: name + "p"}
			if err := netlink.LinkAdd(v); err != nil {
				return fmt.Errorf("add veth %s: %w", name, err)
			}
			for _, n := range []string{name, name + "p"} {
				l, err := netlinksafe.LinkByName(n)
				if err != nil {
					return err
				}
				if err := netlink.LinkSetUp(l); err != nil {
					return fmt.Errorf("set %s up: %w", n, err)
				}
			}
			return nil
		})
	}
}
