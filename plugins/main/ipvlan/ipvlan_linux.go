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

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/ns"
)

// createIPVlan creates the ipvlan link ifName on the configured master
// inside netns and returns it as a result interface. It is
// `ip link add link MASTER name IFNAME netns NS type ipvlan mode MODE`.
func createIPVlan(conf *NetConf, netns ns.NetNS, ifName string) (*current.Interface, error) {
	master, err := link.MasterIn(conf.Master, conf.LinkInContainer, netns)
	if err != nil {
		return nil, err
	}
	mtu, err := link.ResolveMTU(conf.MTU, master.Attrs().Name, master.Attrs().MTU)
	if err != nil {
		return nil, err
	}
	iv := &netlink.IPVlan{
		LinkAttrs: netlink.LinkAttrs{
			MTU:         mtu,
			ParentIndex: master.Attrs().Index,
		},
		Mode: conf.mode,
	}
	l, err := link.CreateIn(iv, netns, ifName, conf.LinkInContainer)
	if err != nil {
		return nil, fmt.Errorf("add ipvlan on %s: %w", master.Attrs().Name, err)
	}
	return &current.Interface{
		Name:    ifName,
		Mac:     l.Attrs().HardwareAddr.String(),
		Sandbox: netns.Path(),
	}, nil
}

// checkIPVlan verifies, inside the container namespace, that ifName is an
// ipvlan in mode with the MAC address (its master's) the ADD reported.
func checkIPVlan(ifName string, mode netlink.IPVlanMode, mac string) error {
	l, err := link.Get(ifName, "ipvlan")
	if err != nil {
		return err
	}
	iv, ok := l.(*netlink.IPVlan)
	if !ok {
		return fmt.Errorf("check link %s: not an ipvlan", ifName)
	}
	if iv.Mode != mode {
		return fmt.Errorf("check link %s: mode is %s, want %s", ifName, modeName(iv.Mode), modeName(mode))
	}
	return link.CheckMAC(ifName, l.Attrs().HardwareAddr, mac)
}

// modeName spells a mode as the config does.
func modeName(m netlink.IPVlanMode) string {
	for name, mode := range modes {
		if mode == m && name != "" {
			return name
		}
	}
	return fmt.Sprintf("mode %d", m)
}
