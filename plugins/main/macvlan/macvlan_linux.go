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

// createMacvlan creates the macvlan link ifName on the configured master
// inside netns and returns it as a result interface. It is
// `ip link add link MASTER name IFNAME netns NS type macvlan mode MODE ...`.
func createMacvlan(conf *NetConf, netns ns.NetNS, ifName string) (*current.Interface, error) {
	master, err := link.MasterIn(conf.Master, conf.LinkInContainer, netns)
	if err != nil {
		return nil, err
	}
	mtu, err := link.ResolveMTU(conf.MTU, master.Attrs().Name, master.Attrs().MTU)
	if err != nil {
		return nil, err
	}
	mv := &netlink.Macvlan{
		LinkAttrs: netlink.LinkAttrs{
			MTU:          mtu,
			ParentIndex:  master.Attrs().Index,
			HardwareAddr: conf.mac,
		},
		Mode:       conf.mode,
		BCQueueLen: conf.BCQueueLen,
	}
	l, err := link.CreateIn(mv, netns, ifName, conf.LinkInContainer)
	if err != nil {
		return nil, fmt.Errorf("add macvlan on %s: %w", master.Attrs().Name, err)
	}
	return &current.Interface{
		Name:    ifName,
		Mac:     l.Attrs().HardwareAddr.String(),
		Sandbox: netns.Path(),
	}, nil
}

// checkMacvlan verifies, inside the container namespace, that ifName is a
// macvlan in mode with the MAC address the ADD reported.
func checkMacvlan(ifName string, mode netlink.MacvlanMode, mac string) error {
	l, err := link.Get(ifName, "macvlan")
	if err != nil {
		return err
	}
	mv, ok := l.(*netlink.Macvlan)
	if !ok {
		return fmt.Errorf("check link %s: not a macvlan", ifName)
	}
	if mv.Mode != mode {
		return fmt.Errorf("check link %s: mode is %s, want %s", ifName, modeName(mv.Mode), modeName(mode))
	}
	return link.CheckMAC(ifName, l.Attrs().HardwareAddr, mac)
}

// modeName spells a mode as the config does.
func modeName(m netlink.MacvlanMode) string {
	for name, mode := range modes {
		if mode == m && name != "" {
			return name
		}
	}
	return fmt.Sprintf("mode %d", m)
}
