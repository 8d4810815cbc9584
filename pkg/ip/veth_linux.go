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

package ip

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// vethNameAttempts bounds the random host names tried when one is taken.
// Eight random hex characters make a collision rare; several in a row mean
// something else is wrong.
const vethNameAttempts = 10

// randomVethName is RandomVethName; tests replace it to force collisions.
var randomVethName = RandomVethName

// SetupVeth is SetupVethWithName with a random host-side name (RandomVethName),
// tried again when the name is already taken in hostNS.
func SetupVeth(contVethName string, mtu int, contVethMac string, hostNS ns.NetNS) (hostVeth, contVeth net.Interface, err error) {
	return SetupVethWithName(contVethName, "", mtu, contVethMac, hostNS)
}

// SetupVethWithName is `ip link add CONT [mtu MTU] [address MAC] type veth
// peer name HOST netns HOSTNS` followed by `ip link set CONT up` and
// `ip -n HOSTNS link set HOST up`. It must run inside the container namespace
// (on a locked thread, as ns.NetNS.Do arranges): the container end is made
// there and the host end is created directly in hostNS, so it never appears in
// the container. An empty hostVethName picks a random one. mtu 0 keeps the
// kernel default; an empty contVethMac keeps a random MAC. On failure nothing
// it made is left behind.
func SetupVethWithName(contVethName, hostVethName string, mtu int, contVethMac string, hostNS ns.NetNS) (hostVeth, contVeth net.Interface, err error) {
	if err := checkIfName(contVethName); err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth: %w", err)
	}
	if hostVethName != "" {
		if err := checkIfName(hostVethName); err != nil {
			return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: %w", contVethName, err)
		}
	}
	if mtu < 0 {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: invalid MTU %d", contVethName, mtu)
	}
	var mac net.HardwareAddr
	if contVethMac != "" {
		if mac, err = net.ParseMAC(contVethMac); err != nil {
			return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: %w", contVethName, err)
		}
	}

	h, err := netlinksafe.NewHandle()
	if err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: %w", contVethName, err)
	}
	defer h.Close()
	// The namespace handle borrows hostNS's descriptor: the netlink handle
	// does not close it, and neither may we.
	hostH, err := netlinksafe.NewHandleAt(netns.NsHandle(hostNS.Fd()))
	if err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: %w", contVethName, err)
	}
	defer hostH.Close()

	hostName, err := addVeth(h, contVethName, hostVethName, mtu, mac, hostNS)
	if err != nil {
		return net.Interface{}, net.Interface{}, err
	}
	// Deleting the container end deletes its peer in hostNS as well.
	defer func() {
		if err != nil {
			if derr := DelLinkByName(h, contVethName); derr != nil && !errors.Is(derr, ErrLinkNotFound) {
				err = errors.Join(err, derr)
			}
		}
	}()

	if err = setLinkUp(h, contVethName); err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: %w", contVethName, err)
	}
	if err = setLinkUp(hostH, hostName); err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: host end: %w", contVethName, err)
	}
	// Read both ends once both are up, so that the flags show the carrier.
	contLink, err := linkByName(h, contVethName)
	if err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: read %s: %w", contVethName, contVethName, err)
	}
	hostLink, err := linkByName(hostH, hostName)
	if err != nil {
		return net.Interface{}, net.Interface{}, fmt.Errorf("set up veth %s: read host end %s: %w", contVethName, hostName, err)
	}
	return toInterface(hostLink), toInterface(contLink), nil
}

// addVeth creates the pair and returns the host end's name, drawing random
// names until one is free when hostName is empty.
func addVeth(h *netlinksafe.Handle, contName, hostName string, mtu int, mac net.HardwareAddr, hostNS ns.NetNS) (string, error) {
	random := hostName == ""
	for attempt := 1; ; attempt++ {
		name := hostName
		if random {
			var err error
			if name, err = randomVethName(); err != nil {
				return "", fmt.Errorf("add veth %s: %w", contName, err)
			}
		}
		attrs := netlink.NewLinkAttrs()
		attrs.Name = contName
		attrs.MTU = mtu
		attrs.HardwareAddr = mac
		veth := netlink.NewVeth(attrs)
		veth.PeerName = name
		veth.PeerNamespace = netlink.NsFd(hostNS.Fd())
		err := h.LinkAdd(veth)
		if err == nil {
			return name, nil
		}
		what := fmt.Sprintf("add veth %s peer %s in %s", contName, name, hostNS.Path())
		if !errors.Is(err, unix.EEXIST) {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		// EEXIST names neither end: when the container end exists, no
		// other host name helps.
		if _, lerr := h.LinkByName(contName); lerr == nil {
			return "", fmt.Errorf("%s: container interface %s already exists: %w", what, contName, os.ErrExist)
		}
		if !random || attempt == vethNameAttempts {
			return "", fmt.Errorf("%s: host interface %s already exists: %w", what, name, os.ErrExist)
		}
	}
}

// setLinkUp is `ip link set NAME up`.
func setLinkUp(h *netlinksafe.Handle, name string) error {
	l, err := linkByName(h, name)
	if err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	if err := h.LinkSetUp(l); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	return nil
}

// checkIfName rejects names the kernel would refuse (dev_valid_name).
func checkIfName(name string) error {
	switch {
	case name == "":
		return errors.New("interface name is empty")
	case len(name) > maxIfNameLen:
		return fmt.Errorf("interface name %q is longer than %d bytes", name, maxIfNameLen)
	case name == "." || name == "..":
		return fmt.Errorf("invalid interface name %q", name)
	}
	for _, c := range name {
		if c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' {
			return fmt.Errorf("invalid interface name %q", name)
		}
	}
	return nil
}

// toInterface converts netlink's view of a link to the net package's.
func toInterface(l netlink.Link) net.Interface {
	a := l.Attrs()
	return net.Interface{
		Index:        a.Index,
		MTU:          a.MTU,
		Name:         a.Name,
		HardwareAddr: a.HardwareAddr,
		Flags:        a.Flags,
	}
}
