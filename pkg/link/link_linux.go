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

package link

import (
	"errors"
	"fmt"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// tempPrefix names links between their creation and their rename to the
// interface name the runtime asked for.
const tempPrefix = "cni"

// DefaultRouteInterface returns the link of the default route in the main
// table of the calling thread's namespace: the IPv4 one when there is one,
// else the IPv6 one. For a multipath default route it is the link of the
// first nexthop. It is `ip route show default` followed by `ip link show`.
func DefaultRouteInterface() (netlink.Link, error) {
	for _, family := range []int{ipaddr.FamilyV4, ipaddr.FamilyV6} {
		// Table 0 in a filter means "any table", so name main explicitly.
		routes, err := netlinksafe.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, fmt.Errorf("find default route: %w", err)
		}
		for _, r := range routes {
			if r.Dst != nil && !ipaddr.IsDefault(r.Dst) {
				continue
			}
			index := r.LinkIndex
			if index == 0 && len(r.MultiPath) > 0 {
				index = r.MultiPath[0].LinkIndex
			}
			if index == 0 {
				continue
			}
			l, err := netlink.LinkByIndex(index)
			if err != nil {
				return nil, fmt.Errorf("find link %d of the default route: %w", index, err)
			}
			return l, nil
		}
	}
	return nil, netconf.Invalid("no master given and no default route to take it from")
}

// Master returns the link called name in the calling thread's namespace,
// or the link of the default route when name is empty. A name that does not
// exist is a configuration error (code 7).
func Master(name string) (netlink.Link, error) {
	if name == "" {
		return DefaultRouteInterface()
	}
	l, err := netlinksafe.LinkByName(name)
	if err != nil {
		var notFound netlink.LinkNotFoundError
		if errors.As(err, &notFound) {
			return nil, netconf.Invalid("master %q not found", name)
		}
		return nil, fmt.Errorf("find master %q: %w", name, err)
	}
	return l, nil
}

// MasterIn looks the master up inside netns when inContainer is set (the
// linkInContainer option: the master was moved into the container earlier),
// else in the calling thread's namespace.
func MasterIn(name string, inContainer bool, netns ns.NetNS) (netlink.Link, error) {
	if !inContainer {
		return Master(name)
	}
	var l netlink.Link
	err := netns.Do(func(ns.NetNS) error {
		var err error
		l, err = Master(name)
		return err
	})
	return l, err
}

// CreateIn creates l (a macvlan, ipvlan, ... whose attributes the caller has
// filled in) directly inside netns under a temporary name, then renames it
// to ifName there, and returns the link as the container sees it. Creating
// it with IFLA_NET_NS_FD set means it never shows up in the host namespace,
// and the temporary name keeps two plugins racing for one ifName from
// colliding during creation. With masterInContainer the master lives in
// netns already, so the link is created from inside it. When the rename
// fails the link is deleted.
// It is `ip link add NAME netns NS ...; ip -n NS link set NAME name IFNAME`.
func CreateIn(l netlink.Link, netns ns.NetNS, ifName string, masterInContainer bool) (netlink.Link, error) {
	tmp, err := ip.RandomName(tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("create %s link: %w", l.Type(), err)
	}
	attrs := l.Attrs()
	attrs.Name = tmp
	if !masterInContainer {
		attrs.Namespace = netlink.NsFd(int(netns.Fd()))
		if err := netlink.LinkAdd(l); err != nil {
			return nil, fmt.Errorf("create %s link %s: %w", l.Type(), tmp, err)
		}
	}
	var created netlink.Link
	err = netns.Do(func(ns.NetNS) error {
		if masterInContainer {
			if err := netlink.LinkAdd(l); err != nil {
				return fmt.Errorf("create %s link %s: %w", l.Type(), tmp, err)
			}
		}
		created, err = rename(tmp, ifName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// CreateOn creates l (a macvlan, ipvlan, ... with its own fields filled
// in) as ifName inside netns on the master called master (see MasterIn; an
// empty name is the interface of the default route), with the MTU mtu asks
// for (see ResolveMTU), and returns it as a result interface.
func CreateOn(l netlink.Link, netns ns.NetNS, ifName, master string, mtu int, masterInContainer bool) (*current.Interface, error) {
	m, err := MasterIn(master, masterInContainer, netns)
	if err != nil {
		return nil, err
	}
	attrs := l.Attrs()
	if attrs.MTU, err = ResolveMTU(mtu, m.Attrs().Name, m.Attrs().MTU); err != nil {
		return nil, err
	}
	attrs.ParentIndex = m.Attrs().Index
	created, err := CreateIn(l, netns, ifName, masterInContainer)
	if err != nil {
		return nil, fmt.Errorf("add %s on %s: %w", l.Type(), m.Attrs().Name, err)
	}
	return &current.Interface{
		Name:    ifName,
		Mac:     created.Attrs().HardwareAddr.String(),
		Sandbox: netns.Path(),
	}, nil
}

// rename renames the new link tmp to ifName in the calling thread's
// namespace, deleting it when that fails.
func rename(tmp, ifName string) (netlink.Link, error) {
	tl, err := netlinksafe.LinkByName(tmp)
	if err != nil {
		return nil, fmt.Errorf("find new link %s: %w", tmp, err)
	}
	if err := netlink.LinkSetName(tl, ifName); err != nil {
		rerr := fmt.Errorf("rename %s to %s: %w", tmp, ifName, err)
		if derr := netlink.LinkDel(tl); derr != nil {
			return nil, errors.Join(rerr, fmt.Errorf("delete %s: %w", tmp, derr))
		}
		return nil, rerr
	}
	l, err := netlinksafe.LinkByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("find renamed link %s: %w", ifName, err)
	}
	return l, nil
}

// DeleteIn deletes the link ifName inside the namespace at netnsPath. A
// namespace or link that is already gone is not an error, so that DEL can
// be repeated and can run after the runtime has torn the namespace down.
func DeleteIn(netnsPath, ifName string) error {
	if netnsPath == "" {
		return nil
	}
	netns, err := ns.GetNS(netnsPath)
	if err != nil {
		var gone *ns.PathNotExistError
		var notNS *ns.NotNetNSError
		if errors.As(err, &gone) || errors.As(err, &notNS) {
			return nil
		}
		return fmt.Errorf("open namespace %s: %w", netnsPath, err)
	}
	defer netns.Close()
	return netns.Do(func(ns.NetNS) error {
		return deleteLink(ifName)
	})
}

// deleteLink deletes ifName in the calling thread's namespace, tolerating
// its absence.
func deleteLink(ifName string) error {
	if err := ip.DelLinkByName(nil, ifName); err != nil && !errors.Is(err, ip.ErrLinkNotFound) {
		return err
	}
	return nil
}

// Get returns the link ifName of the calling thread's namespace after
// checking that its type is wantType ("macvlan", "ipvlan", ...).
func Get(ifName, wantType string) (netlink.Link, error) {
	l, err := netlinksafe.LinkByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("find link %s: %w", ifName, err)
	}
	if l.Type() != wantType {
		return nil, fmt.Errorf("check link %s: type is %s, want %s", ifName, l.Type(), wantType)
	}
	return l, nil
}
