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
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// createIPVlan creates the ipvlan link ifName on the configured master
// inside netns and returns it as a result interface. It is
// `ip link add link MASTER name IFNAME netns NS type ipvlan mode MODE`.
func createIPVlan(conf *NetConf, netns ns.NetNS, cont *netlinksafe.Handle, ifName string) (*current.Interface, error) {
	return link.CreateOn(&netlink.IPVlan{Mode: conf.mode}, netns, cont, ifName, conf.Master, conf.MTU, conf.LinkInContainer)
}

// setARPNotify is `sysctl net.ipv4.conf.IFNAME.arp_notify=1` in the calling
// thread's namespace. The key is written as a path: interface names may
// contain dots.
func setARPNotify(ifName string) error {
	if err := sysctl.Set("net/ipv4/conf/"+ifName+"/arp_notify", "1"); err != nil {
		return fmt.Errorf("set arp_notify of %s: %w", ifName, err)
	}
	return nil
}
