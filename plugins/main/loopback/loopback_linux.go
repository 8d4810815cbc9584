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

	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// loAddrs are the first address of each family on lo, nil when absent (an
// IPv6-less kernel or namespace has no ::1).
type loAddrs struct {
	v4, v6 *net.IPNet
}

// list returns the addresses that are present, IPv4 first.
func (a loAddrs) list() []*net.IPNet {
	var out []*net.IPNet
	for _, n := range []*net.IPNet{a.v4, a.v6} {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

// setUp is `ip link set lo up`; it returns lo's addresses after checking
// that they are loopback addresses.
func setUp() (loAddrs, error) {
	var addrs loAddrs
	l, err := netlinksafe.LinkByName(loName)
	if err != nil {
		return addrs, fmt.Errorf("find %s: %w", loName, err)
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return addrs, fmt.Errorf("set %s up: %w", loName, err)
	}
	list, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return addrs, fmt.Errorf("list addresses of %s: %w", loName, err)
	}
	for _, a := range list {
		if !a.IP.IsLoopback() {
			return addrs, fmt.Errorf("check %s: non-loopback address %s", loName, a.IPNet)
		}
		switch {
		case ipaddr.Is4(a.IP) && addrs.v4 == nil:
			addrs.v4 = a.IPNet
		case ipaddr.Is6(a.IP) && addrs.v6 == nil:
			addrs.v6 = a.IPNet
		}
	}
	return addrs, nil
}

// setDown is `ip link set lo down`.
func setDown() error {
	l, err := netlinksafe.LinkByName(loName)
	if err != nil {
		return fmt.Errorf("find %s: %w", loName, err)
	}
	if err := netlink.LinkSetDown(l); err != nil {
		return fmt.Errorf("set %s down: %w", loName, err)
	}
	return nil
}

// checkUp fails unless lo is administratively up.
func checkUp() error {
	l, err := netlinksafe.LinkByName(loName)
	if err != nil {
		return fmt.Errorf("find %s: %w", loName, err)
	}
	if l.Attrs().Flags&net.FlagUp == 0 {
		return fmt.Errorf("check %s: link is down", loName)
	}
	return nil
}

// gone reports whether err says the namespace no longer exists.
func gone(err error) bool {
	var notExist *ns.PathNotExistError
	var notNS *ns.NotNetNSError
	return errors.As(err, &notExist) || errors.As(err, &notNS)
}
