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
	"net"
	"os"

	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// enableLocalnet sets route_localnet on the host interface that routes to
// the container address ip, so that a connection to 127.0.0.1:hostPort,
// DNATed to the container, may leave through it: the kernel drops packets
// with a 127/8 source on the way out unless route_localnet is set
// (ip_route_output's martian check). The masquerade rule then gives them
// the interface's source. It is best effort, as in upstream's plugin:
// without a route (a container not reachable from this namespace) there
// is no interface to set it on, and mapped ports still work from outside.
func enableLocalnet(ip net.IP) {
	routes, err := netlink.RouteGet(ip)
	if err != nil || len(routes) == 0 {
		return
	}
	l, err := netlink.LinkByIndex(routes[0].LinkIndex)
	if err != nil {
		return
	}
	key := fmt.Sprintf("net/ipv4/conf/%s/route_localnet", l.Attrs().Name)
	if _, err := sysctl.Ensure(key, "1"); err != nil {
		fmt.Fprintf(os.Stderr, "portmap: set %s: %v\n", key, err)
	}
}
