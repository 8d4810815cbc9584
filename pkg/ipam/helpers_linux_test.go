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

package ipam_test

import (
	"encoding/json"
	"fmt"
	"net"
	"time"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The container end of the test veth, and its peer holding the gateways.
const (
	contIf = "eth0"
	peerIf = "peer0"
)

// pair is a container namespace whose eth0 is a veth to a peer namespace
// that holds the gateway addresses, so that their neighbours resolve.
type pair struct {
	cont, peer ns.NetNS
}

// newPair creates the two namespaces for the running spec and gives the peer
// end the first n4 gateways 198.51.100.1… and n6 gateways 2001:db8:1::1….
func newPair(n4, n6 int) pair {
	p := pair{cont: testutils.NewNSForSpec(), peer: testutils.NewNSForSpec()}
	Expect(p.cont.Do(func(ns.NetNS) error {
		_, _, err := ip.SetupVethWithName(contIf, peerIf, 0, "", p.peer)
		return err
	})).To(Succeed())
	Expect(p.peer.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(peerIf)
		if err != nil {
			return err
		}
		var addrs []*netlink.Addr
		for i := range n4 {
			addrs = append(addrs, &netlink.Addr{IPNet: mustCIDR(v4gw(i) + "/24")})
		}
		for i := range n6 {
			// No DAD on the peer: its addresses are usable at once.
			addrs = append(addrs, &netlink.Addr{IPNet: mustCIDR(v6gw(i) + "/64"), Flags: unix.IFA_F_NODAD})
		}
		for _, a := range addrs {
			if err := netlink.AddrAdd(l, a); err != nil {
				return fmt.Errorf("add %s: %w", a.IPNet, err)
			}
		}
		return nil
	})).To(Succeed())
	return p
}

// in runs f in the container namespace and returns its error.
func (p pair) in(f func() error) error {
	return p.cont.Do(func(ns.NetNS) error { return f() })
}

// configure runs ConfigureIface on eth0 in the container.
func (p pair) configure(res *current.Result) error {
	return p.in(func() error { return ipam.ConfigureIface(contIf, res) })
}

// check runs CheckIface on eth0 in the container.
func (p pair) check(res *current.Result) error {
	return p.in(func() error { return ipam.CheckIface(contIf, res) })
}

// routes renders the routes of eth0 in family and table as text.
func (p pair) routes(family, table int) string {
	var text string
	Expect(p.in(func() error {
		var err error
		text, err = testutils.RouteText(contIf, family, table)
		return err
	})).To(Succeed())
	return text
}

// ifaceResult decodes a result whose ips name eth0 (interface 0).
func ifaceResult(ips, routes string) *current.Result {
	res := &current.Result{}
	js := fmt.Sprintf(`{"interfaces":[{"name":%q}],"ips":[%s],"routes":[%s]}`, contIf, ips, routes)
	Expect(json.Unmarshal([]byte(js), res)).To(Succeed(), js)
	for _, ipc := range res.IPs {
		ipc.Interface = current.Int(0)
	}
	return res
}

func mustCIDR(s string) *net.IPNet {
	a, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = a
	return n
}

// routeGetGateways resolves count destinations built by dst(i) with `ip
// route get` and counts the gateway each went to.
func routeGetGateways(count int, dst func(i int) net.IP) (map[string]int, error) {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	seen := map[string]int{}
	for i := range count {
		routes, err := h.RouteGet(dst(i))
		if err != nil {
			return nil, fmt.Errorf("route get %s: %w", dst(i), err)
		}
		if len(routes) != 1 || routes[0].Gw == nil {
			return nil, fmt.Errorf("route get %s: got %+v, want one route via a gateway", dst(i), routes)
		}
		seen[routes[0].Gw.String()]++
	}
	return seen, nil
}

// routeMarker is a route added after the operation whose route
// notifications are counted: its own notification arriving means that
// every earlier one has been read.
var routeMarker = mustCIDR("203.0.113.255/32")

// countNewRoutes runs f in the container and counts the routes the kernel
// announced (RTM_NEWROUTE notifications, one per accepted request) that are
// not its own connected or local routes: how many route requests f sent.
func (p pair) countNewRoutes(f func() error) (int, error) {
	h, err := netns.GetFromPath(p.cont.Path())
	if err != nil {
		return 0, err
	}
	defer h.Close()
	ch := make(chan netlink.RouteUpdate, 256)
	done := make(chan struct{})
	defer close(done)
	if err := netlink.RouteSubscribeWithOptions(ch, done, netlink.RouteSubscribeOptions{
		Namespace: &h, ReceiveBufferSize: 8 << 20, ReceiveBufferForceSize: true,
	}); err != nil {
		return 0, fmt.Errorf("subscribe to routes: %w", err)
	}
	if err := p.in(f); err != nil {
		return 0, err
	}
	if err := p.in(func() error {
		return netlink.RouteAdd(&netlink.Route{Dst: routeMarker, Type: unix.RTN_BLACKHOLE})
	}); err != nil {
		return 0, fmt.Errorf("add marker route: %w", err)
	}
	n := 0
	timeout := time.After(30 * time.Second)
	for {
		select {
		case u, ok := <-ch:
			if !ok {
				return 0, fmt.Errorf("route subscription closed after %d routes", n)
			}
			if u.Type != unix.RTM_NEWROUTE || u.Protocol == unix.RTPROT_KERNEL || u.Table == unix.RT_TABLE_LOCAL {
				continue
			}
			if u.Dst != nil && u.Dst.String() == routeMarker.String() {
				return n, nil
			}
			n++
		case <-timeout:
			return 0, fmt.Errorf("no marker route notification within 30s (counted %d)", n)
		}
	}
}

// configureCounting is configure, also returning the number of route
// requests it sent.
func (p pair) configureCounting(res *current.Result) (int, error) {
	return p.countNewRoutes(func() error { return ipam.ConfigureIface(contIf, res) })
}
