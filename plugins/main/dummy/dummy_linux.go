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
	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// createDummy is `ip link add IFNAME type dummy` in the namespace of the
// netlink socket h; it returns the link as a result interface.
func createDummy(h *netlinksafe.Handle, ifName string) (*current.Interface, error) {
	if err := h.LinkAdd(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: ifName}}); err != nil {
		return nil, fmt.Errorf("add dummy link %s: %w", ifName, err)
	}
	l, err := h.LinkByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("find link %s: %w", ifName, err)
	}
	return &current.Interface{Name: ifName, Mac: l.Attrs().HardwareAddr.String()}, nil
}

// checkDummy verifies that ifName is a dummy link with the MAC address mac
// (not checked when empty).
func checkDummy(ifName, mac string) error {
	l, err := link.Get(ifName, "dummy")
	if err != nil {
		return err
	}
	return link.CheckMAC(ifName, l.Attrs().HardwareAddr, mac)
}
