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
	"errors"
	"fmt"
	"net"
	"os"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// setLinkDown is `ip link set NAME down`.
func setLinkDown(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find %s: %w", name, err)
	}
	if err := netlink.LinkSetDown(l); err != nil {
		return fmt.Errorf("set %s down: %w", name, err)
	}
	return nil
}

// disableDAD is `sysctl -w net.ipv6.conf.NAME.accept_dad=0`: upstream's
// bridge skips duplicate address detection on the container interface
// unless enabledad is set. A host without IPv6 has no such key.
func disableDAD(name string) error {
	err := sysctl.Set("net/ipv6/conf/"+name+"/accept_dad", "0")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("disable DAD on %s: %w", name, err)
	}
	return nil
}

// checkContainer, run in the container namespace, checks that ifName is a
// veth with the MAC the ADD reported, in the state the config asks for,
// with the addresses and routes of prev on it; it returns the index of
// its peer in the host namespace and its MAC.
func checkContainer(ifName, wantMAC string, prev *current.Result, idx int, disabled bool) (int, net.HardwareAddr, error) {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return 0, nil, fmt.Errorf("check %s: %w", ifName, err)
	}
	defer h.Close()
	l, err := h.LinkByName(ifName)
	if err != nil {
		return 0, nil, fmt.Errorf("check %s: %w", ifName, err)
	}
	if _, ok := l.(*netlink.Veth); !ok {
		return 0, nil, fmt.Errorf("check %s: a %s, not a veth", ifName, l.Type())
	}
	if err := link.CheckMAC(ifName, l.Attrs().HardwareAddr, wantMAC); err != nil {
		return 0, nil, err
	}
	up := l.Attrs().Flags&net.FlagUp != 0
	if disabled == up {
		want := "up"
		if disabled {
			want = "down (disableContainerInterface)"
		}
		return 0, nil, fmt.Errorf("check %s: link should be %s", ifName, want)
	}
	if !disabled && len(ifaceIPNets(prev, idx)) > 0 {
		if err := ipam.CheckIfaceWith(h, ifName, prev); err != nil {
			return 0, nil, err
		}
	}
	// A veth's IFLA_LINK is its peer's index in the peer's namespace.
	return l.Attrs().ParentIndex, l.Attrs().HardwareAddr, nil
}

// checkPort checks that the host end of the container's veth, at index
// peerIndex, is a port of br.
func checkPort(h *netlinksafe.Handle, br *netlink.Bridge, peerIndex int) error {
	port, err := h.LinkByIndex(peerIndex)
	if err != nil {
		return fmt.Errorf("check: host end (index %d) of the container's veth: %w", peerIndex, err)
	}
	if port.Attrs().MasterIndex != br.Attrs().Index {
		return fmt.Errorf("check: host veth %s is not a port of bridge %s", port.Attrs().Name, br.Attrs().Name)
	}
	return nil
}
