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

// Command tap is a CNI plugin that gives the container a persistent tap
// device, for a virtual machine or user-space network stack in it to open,
// optionally attached to a bridge of the container namespace and configured
// by an IPAM plugin's result.
package main

import (
	"fmt"
	"net"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("tap"))
}

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load.
type NetConf struct {
	// MAC requested for the tap; empty lets the kernel choose.
	MAC string `json:"mac,omitempty"`
	// MTU of the tap; 0 keeps the kernel's.
	MTU int `json:"mtu,omitempty"`
	// SELinuxContext labels the tap's socket where SELinux is active; it
	// is accepted and has no effect elsewhere.
	SELinuxContext string `json:"selinuxcontext,omitempty"`
	// MultiQueue creates a multi-queue tap (IFF_MULTI_QUEUE).
	MultiQueue bool `json:"multiQueue,omitempty"`
	// Owner and Group, when set, own the tap; unset, any process with
	// CAP_NET_ADMIN in the namespace may attach to it.
	Owner *uint32 `json:"owner,omitempty"`
	Group *uint32 `json:"group,omitempty"`
	// Bridge names a bridge of the container namespace the tap is
	// attached to.
	Bridge string `json:"bridge,omitempty"`

	mac net.HardwareAddr
}

// loadConf decodes and validates the config.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	if conf.mac, err = link.ParseMAC(conf.MAC, "config mac"); err != nil {
		return nil, nil, err
	}
	if conf.MTU < 0 {
		return nil, nil, netconf.Invalid("invalid mtu %d: must not be negative", conf.MTU)
	}
	return conf, common, nil
}

// cmdAdd creates the tap in the container, configures it with the IPAM
// plugin's result when ipam is set, and prints the result (link.Add). A
// failure after the tap exists releases the allocation and deletes the tap.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if conf.SELinuxContext != "" && !selinuxEnabled() {
		fmt.Fprintf(os.Stderr, "tap: selinuxcontext %q ignored: SELinux is not enabled on this host\n", conf.SELinuxContext)
	}
	return link.Add(common, args, link.Adder{
		Plugin: "tap",
		Create: func(netns ns.NetNS, _ *netlinksafe.Handle) (intf *current.Interface, err error) {
			// The tap is made through /dev/net/tun, whose device lands in
			// the namespace of the calling thread.
			if err := netns.Do(func(ns.NetNS) (err error) {
				intf, err = createTap(conf, args.IfName)
				return err
			}); err != nil {
				return nil, err
			}
			intf.Sandbox = netns.Path()
			return intf, nil
		},
		Configure: func(cont *netlinksafe.Handle, ifName string, res *current.Result) error {
			// Without IPAM the tap stays as createTap left it.
			if common.IPAM.Type == "" {
				return nil
			}
			return configure(cont, ifName, res)
		},
	})
}

// configure sets the tap's addresses and routes. With an IPv4 address it
// sets arp_notify to 1 first, as upstream v1.10.0's tap leaves it, so that
// the kernel announces the addresses when the link's MAC or state changes.
func configure(cont *netlinksafe.Handle, ifName string, res *current.Result) error {
	for _, ipc := range res.IPs {
		if ipc != nil && ipaddr.Is4(ipc.Address.IP) {
			if err := sysctl.Set("net/ipv4/conf/"+ifName+"/arp_notify", "1"); err != nil {
				return fmt.Errorf("set arp_notify of %s: %w", ifName, err)
			}
			break
		}
	}
	return ipam.ConfigureIfaceWith(cont, ifName, res)
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the tap's mode, queue
// mode, owner, group and MAC and what IPAM configured on it (link.Check).
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	return link.Check(common, args, func(mac string) error { return checkTap(conf, args.IfName, mac) })
}

// cmdDel releases the IPAM allocation and deletes the tap; a namespace or
// tap already gone is not an error. It reads only the IPAM type of the
// config (link.WithIPAMType): a config that ADD refuses still deletes.
func cmdDel(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Del) }

// cmdGC runs the IPAM plugin's GC: the tap goes with its namespace.
func cmdGC(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.GC) }

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Status) }
