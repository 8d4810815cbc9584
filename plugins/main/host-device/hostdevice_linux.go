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
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// selector is how the config names the interface: exactly one field set.
type selector struct {
	device     string
	hwaddr     net.HardwareAddr
	kernelPath string
	pciID      string
}

func (s selector) String() string {
	switch {
	case s.device != "":
		return "device " + s.device
	case s.hwaddr != nil:
		return "hwaddr " + s.hwaddr.String()
	case s.kernelPath != "":
		return "kernelpath " + s.kernelPath
	}
	return "pciBusID " + s.pciID
}

// sysPCIDevices holds a directory per PCI device, with a net/ directory
// listing its network interfaces when a kernel driver provides some.
const sysPCIDevices = "/sys/bus/pci/devices"

// pciDeviceExists reports whether the PCI device pciID exists.
func pciDeviceExists(pciID string) bool {
	_, err := os.Stat(filepath.Join(sysPCIDevices, pciID))
	return err == nil
}

// hasNetDevice reports whether the PCI device pciID has a network
// interface.
func hasNetDevice(pciID string) bool {
	entries, err := os.ReadDir(filepath.Join(sysPCIDevices, pciID, "net"))
	return err == nil && len(entries) > 0
}

// find returns the link s names among the links h sees.
func find(h *netlinksafe.Handle, s selector) (netlink.Link, error) {
	if s.device != "" {
		l, err := h.LinkByName(s.device)
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", s, err)
		}
		return l, nil
	}
	if s.pciID != "" {
		entries, err := os.ReadDir(filepath.Join(sysPCIDevices, s.pciID, "net"))
		if err != nil || len(entries) == 0 {
			return nil, fmt.Errorf("find %s: no network interface", s)
		}
		return find(h, selector{device: entries[0].Name()})
	}
	links, err := h.LinkList()
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		switch {
		case s.hwaddr != nil:
			if bytes.Equal(l.Attrs().HardwareAddr, s.hwaddr) {
				return l, nil
			}
		default:
			p, err := filepath.EvalSymlinks(filepath.Join("/sys/class/net", l.Attrs().Name, "device"))
			if err == nil && p == filepath.Clean(s.kernelPath) {
				return l, nil
			}
		}
	}
	return nil, fmt.Errorf("find %s: %w", s, netlink.LinkNotFoundError{})
}

// handleIn opens a netlink socket in n.
func handleIn(n ns.NetNS) (*netlinksafe.Handle, error) {
	return netlinksafe.NewHandleAt(netns.NsHandle(n.Fd()))
}

// moveIn finds the interface s names in from, moves it into the
// container namespace to (unless from is to), and renames it ifName there,
// down, with its own name as its alias (IFLA_IFALIAS, as upstream's
// plugin records it) for DEL. It returns the interface with the MTU it had.
func moveIn(s selector, from, to ns.NetNS, ifName string) (_ *current.Interface, err error) {
	src, err := handleIn(from)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	l, err := find(src, s)
	if err != nil {
		return nil, err
	}
	name, mtu := l.Attrs().Name, l.Attrs().MTU
	cont := src
	if from != to {
		if cont, err = handleIn(to); err != nil {
			return nil, err
		}
		defer cont.Close()
		if err := src.LinkSetDown(l); err != nil {
			return nil, fmt.Errorf("set %s down: %w", name, err)
		}
		if err := src.LinkSetNsFd(l, int(to.Fd())); err != nil {
			return nil, fmt.Errorf("move %s into %s: %w", name, to.Path(), err)
		}
		defer func() {
			if err != nil {
				if back, lerr := cont.LinkByName(name); lerr == nil {
					_ = cont.LinkSetNsFd(back, int(from.Fd()))
				}
			}
		}()
	}
	moved, err := cont.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("find %s in %s: %w", name, to.Path(), err)
	}
	if err := cont.LinkSetDown(moved); err != nil {
		return nil, fmt.Errorf("set %s down: %w", name, err)
	}
	if err := cont.LinkSetAlias(moved, name); err != nil {
		return nil, fmt.Errorf("set alias of %s: %w", name, err)
	}
	if name != ifName {
		if err := cont.LinkSetName(moved, ifName); err != nil {
			_ = cont.LinkSetAlias(moved, "")
			return nil, fmt.Errorf("rename %s to %s: %w", name, ifName, err)
		}
	}
	return &current.Interface{Name: ifName, Mac: moved.Attrs().HardwareAddr.String(), Mtu: mtu, Sandbox: to.Path()}, nil
}

// giveBack takes ifName of the container at netnsPath down, renames it to
// the name its alias records, restores mtu (when not 0) and moves it to
// the namespace to (it stays when to is nil). A namespace or interface
// already gone is not an error.
func giveBack(netnsPath, ifName string, to ns.NetNS, mtu int) error {
	if netnsPath == "" {
		return nil
	}
	cn, err := ns.GetNS(netnsPath)
	if err != nil {
		var gone *ns.PathNotExistError
		var notNS *ns.NotNetNSError
		if errors.As(err, &gone) || errors.As(err, &notNS) {
			return nil
		}
		return fmt.Errorf("open netns %q: %w", netnsPath, err)
	}
	defer cn.Close()
	cont, err := handleIn(cn)
	if err != nil {
		return err
	}
	defer cont.Close()
	l, err := cont.LinkByName(ifName)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find %s: %w", ifName, err)
	}
	if err := cont.LinkSetDown(l); err != nil {
		return fmt.Errorf("set %s down: %w", ifName, err)
	}
	if name := l.Attrs().Alias; name != "" && name != ifName {
		if err := cont.LinkSetName(l, name); err != nil {
			return fmt.Errorf("rename %s to %s: %w", ifName, name, err)
		}
	}
	if err := cont.LinkSetAlias(l, ""); err != nil {
		return fmt.Errorf("clear alias of %s: %w", ifName, err)
	}
	if mtu > 0 && mtu != l.Attrs().MTU {
		if err := cont.LinkSetMTU(l, mtu); err != nil {
			return fmt.Errorf("restore mtu %d of %s: %w", mtu, ifName, err)
		}
	}
	if to != nil {
		if err := cont.LinkSetNsFd(l, int(to.Fd())); err != nil {
			return fmt.Errorf("move %s back to %s: %w", ifName, to.Path(), err)
		}
	}
	return nil
}

// checkLink verifies that ifName exists with the MAC mac (not checked when
// empty).
func checkLink(ifName, mac string) error {
	l, err := netlinksafe.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	return link.CheckMAC(ifName, l.Attrs().HardwareAddr, mac)
}
