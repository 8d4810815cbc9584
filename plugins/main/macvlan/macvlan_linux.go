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
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// createMacvlan creates the macvlan link ifName on the configured master
// inside netns and returns it as a result interface. It is
// `ip link add link MASTER name IFNAME netns NS type macvlan mode MODE ...`.
func createMacvlan(conf *NetConf, netns ns.NetNS, cont *netlinksafe.Handle, ifName string) (*current.Interface, error) {
	mv := &netlink.Macvlan{
		LinkAttrs:  netlink.LinkAttrs{HardwareAddr: conf.mac},
		Mode:       conf.mode,
		BCQueueLen: conf.BCQueueLen,
	}
	return link.CreateOn(mv, netns, cont, ifName, conf.Master, conf.MTU, conf.LinkInContainer)
}
