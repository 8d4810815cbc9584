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

// DefaultRouteInterface returns the link of the default route in the main
// table of the calling thread's namespace: the IPv4 one when there is one,
// else the IPv6 one. For a multipath default route it is the link of the
// first nexthop. It is `ip route show default` followed by `ip link show`.
func DefaultRouteInterface() (netlink.Link, error) {
	var l netlink.Link
	err := withHandle(func(h *netlinksafe.Handle) error {
		var err error
		l, err = defaultRouteInterface(h)
		return err
	})
	return l, err
}

func defaultRouteInterface(h *netlinksafe.Handle) (netlink.Link, error) {
	for _, family := range []int{ipaddr.FamilyV4, ipaddr.FamilyV6} {
		// Table 0 in a filter means "any table", so name main explicitly.
		routes, err := h.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
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
			l, err := h.LinkByIndex(index)
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
	var l netlink.Link
	err := withHandle(func(h *netlinksafe.Handle) error {
		var err error
		l, err = master(h, name)
		return err
	})
	return l, err
}

// master is Master on the namespace of h.
func master(h *netlinksafe.Handle, name string) (netlink.Link, error) {
	if name == "" {
		return defaultRouteInterface(h)
	}
	l, err := h.LinkByName(name)
	if err != nil {
		var notFound netlink.LinkNotFoundError
		if errors.As(err, &notFound) {
			return nil, netconf.Invalid("master %q not found", name)
		}
		return nil, fmt.Errorf("find master %q: %w", name, err)
	}
	return l, nil
}

// withHandle runs f on a netlink socket of its own in the calling thread's
// namespace.
func withHandle(f func(*netlinksafe.Handle) error) error {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	return f(h)
}

// OpenIn opens a netlink socket inside netns. The socket stays in netns
// whichever thread uses it later, so one handle serves every request of a
// plugin invocation there (creating, configuring and checking the link)
// without switching namespaces for each.
func OpenIn(netns ns.NetNS) (*netlinksafe.Handle, error) {
	var h *netlinksafe.Handle
	err := netns.Do(func(ns.NetNS) error {
		var err error
		h, err = netlinksafe.NewHandle()
		return err
	})
	return h, err
}

// tempPrefix names links between their creation and their rename to the
// interface name the runtime asked for.
const tempPrefix = "cni"

// CreateIn creates l (a macvlan, ipvlan, ... whose attributes, master
// included, the caller has filled in) as ifName inside the namespace of
// cont, and returns the link as the container sees it. With host set, the
// master lives in host's namespace and the link is created from there with
// IFLA_NET_NS_FD, so it never shows up in the host namespace; with host nil
// the master lives in the container namespace already (linkInContainer).
//
// The link is created under a random temporary name and then renamed to
// ifName inside the container: kernels before 6.x (Debian bookworm's 6.1
// among them) look the new link's name up in the namespace the request is
// sent from, so creating "eth0" in a container whose host has an eth0 fails
// with EEXIST there (caught by the VM suite). When the rename fails (the
// name is taken in the container) the link is deleted.
// It is `ip link add TMP netns NS ...; ip -n NS link set TMP name IFNAME`.
func CreateIn(l netlink.Link, netns ns.NetNS, host, cont *netlinksafe.Handle, ifName string) (netlink.Link, error) {
	tmp, err := ip.RandomName(tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("create %s link: %w", l.Type(), err)
	}
	attrs := l.Attrs()
	attrs.Name = tmp
	h := cont
	if host != nil {
		attrs.Namespace = netlink.NsFd(int(netns.Fd()))
		h = host
	}
	if err := h.LinkAdd(l); err != nil {
		return nil, fmt.Errorf("create %s link %s: %w", l.Type(), tmp, err)
	}
	return rename(cont, tmp, ifName)
}

// rename renames the new link tmp to ifName through h, deleting it when
// that fails, and returns the renamed link.
func rename(h *netlinksafe.Handle, tmp, ifName string) (netlink.Link, error) {
	tl, err := h.LinkByName(tmp)
	if err != nil {
		return nil, fmt.Errorf("find new link %s: %w", tmp, err)
	}
	if err := h.LinkSetName(tl, ifName); err != nil {
		rerr := fmt.Errorf("rename %s to %s: %w", tmp, ifName, err)
		if derr := h.LinkDel(tl); derr != nil {
			return nil, errors.Join(rerr, fmt.Errorf("delete %s: %w", tmp, derr))
		}
		return nil, rerr
	}
	l, err := h.LinkByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("find renamed link %s: %w", ifName, err)
	}
	return l, nil
}

// CreateOn creates l (a macvlan, ipvlan, ... with its own fields filled
// in) as ifName inside netns, whose netlink socket is cont (see OpenIn), on
// the master called master (an empty name is the interface of the default
// route; with masterInContainer the master is looked up inside netns), with
// the MTU mtu asks for (see ResolveMTU), and returns it as a result
// interface. It uses one netlink socket in the calling thread's namespace
// and cont.
func CreateOn(l netlink.Link, netns ns.NetNS, cont *netlinksafe.Handle, ifName, masterName string, mtu int, masterInContainer bool) (*current.Interface, error) {
	var host *netlinksafe.Handle
	if !masterInContainer {
		var err error
		if host, err = netlinksafe.NewHandle(); err != nil {
			return nil, err
		}
		defer host.Close()
	}
	lookup := host
	if lookup == nil {
		lookup = cont
	}
	m, err := master(lookup, masterName)
	if err != nil {
		return nil, err
	}
	attrs := l.Attrs()
	if attrs.MTU, err = ResolveMTU(mtu, m.Attrs().Name, m.Attrs().MTU); err != nil {
		return nil, err
	}
	attrs.ParentIndex = m.Attrs().Index
	if attrs.TxQLen == 0 {
		// netlink sends a zero TxQLen as IFLA_TXQLEN 0; -1 sends none,
		// so the link gets the kernel's default queue length (1000, from
		// ether_setup), as upstream's links have.
		attrs.TxQLen = -1
	}
	created, err := CreateIn(l, netns, host, cont, ifName)
	if err != nil {
		return nil, fmt.Errorf("add %s on %s: %w", l.Type(), m.Attrs().Name, err)
	}
	return &current.Interface{
		Name:    ifName,
		Mac:     created.Attrs().HardwareAddr.String(),
		Sandbox: netns.Path(),
	}, nil
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
// its absence. The lookup and the deletion share one netlink socket.
func deleteLink(ifName string) error {
	return withHandle(func(h *netlinksafe.Handle) error {
		if err := ip.DelLinkByName(h, ifName); err != nil && !errors.Is(err, ip.ErrLinkNotFound) {
			return err
		}
		return nil
	})
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
