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

package ip_test

import (
	"net"
	"os"
	"sort"

	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// linkNames lists the links of n, sorted.
func linkNames(n ns.NetNS) []string {
	var names []string
	Expect(n.Do(func(ns.NetNS) error {
		links, err := netlinksafe.LinkList()
		if err != nil {
			return err
		}
		for _, l := range links {
			names = append(names, l.Attrs().Name)
		}
		return nil
	})).To(Succeed())
	sort.Strings(names)
	return names
}

// linkIn returns the link called name in n.
func linkIn(n ns.NetNS, name string) netlink.Link {
	var l netlink.Link
	Expect(n.Do(func(ns.NetNS) error {
		var err error
		l, err = netlinksafe.LinkByName(name)
		return err
	})).To(Succeed())
	return l
}

// addVethPair is `ip link add NAME type veth peer name PEER netns PEERNS`
// run in n; both ends are left down.
func addVethPair(n ns.NetNS, name string, peerNS ns.NetNS, peer string) {
	Expect(n.Do(func(ns.NetNS) error {
		v := netlink.NewVeth(netlink.LinkAttrs{Name: name, TxQLen: -1})
		v.PeerName = peer
		v.PeerNamespace = netlink.NsFd(peerNS.Fd())
		return netlink.LinkAdd(v)
	})).To(Succeed())
}

// setUp is `ip link set NAME up` in n.
func setUp(n ns.NetNS, name string) {
	Expect(n.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(name)
		if err != nil {
			return err
		}
		return netlink.LinkSetUp(l)
	})).To(Succeed())
}

// ipnet parses s as a prefix without masking its host bits, as a CNI result
// carries an interface address ("192.0.2.7/24").
func ipnet(s string) *net.IPNet {
	a, n, err := net.ParseCIDR(s)
	Expect(err).NotTo(HaveOccurred())
	return &net.IPNet{IP: a, Mask: n.Mask}
}

// mustMAC parses a MAC address.
func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	Expect(err).NotTo(HaveOccurred())
	return m
}

// haveIPv6 reports whether the kernel has IPv6 enabled.
func haveIPv6() bool {
	_, err := os.Stat("/proc/sys/net/ipv6")
	return err == nil
}
