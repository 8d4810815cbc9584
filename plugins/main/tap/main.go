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
	"errors"
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
// plugin's result when ipam is set, and prints the result. A failure after
// the tap exists releases the allocation and deletes the tap.
func cmdAdd(args *skel.CmdArgs) (err error) {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if conf.SELinuxContext != "" && !selinuxEnabled() {
		fmt.Fprintf(os.Stderr, "tap: selinuxcontext %q ignored: SELinux is not enabled on this host\n", conf.SELinuxContext)
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()

	var intf *current.Interface
	err = netns.Do(func(ns.NetNS) (err error) {
		intf, err = createTap(conf, args.IfName)
		return err
	})
	if err != nil {
		return err
	}
	intf.Sandbox = netns.Path()
	defer func() {
		if err != nil {
			rollback(common.IPAM.Type, args)
		}
	}()

	res := &current.Result{CNIVersion: current.ImplementedSpecVersion}
	if common.IPAM.Type != "" {
		r, err := ipam.ExecAdd(common.IPAM.Type, args.StdinData)
		if err != nil {
			return err
		}
		if res, err = current.NewResultFromResult(r); err != nil {
			return fmt.Errorf("convert result of ipam plugin %s: %w", common.IPAM.Type, err)
		}
	}
	res.Interfaces = []*current.Interface{intf}
	for _, ipc := range res.IPs {
		if ipc != nil {
			ipc.Interface = current.Int(0)
		}
	}
	if common.IPAM.Type != "" {
		if err := netns.Do(func(ns.NetNS) error { return configure(args.IfName, res) }); err != nil {
			return err
		}
	}
	if len(common.DNS.Nameservers) > 0 || len(common.DNS.Search) > 0 {
		res.DNS = common.DNS
	}
	return netconf.PrintResult(res, common.CNIVersion)
}

// configure sets the tap's addresses and routes. With an IPv4 address it
// sets arp_notify to 1 first, as upstream v1.10.0's tap leaves it, so that
// the kernel announces the addresses when the link's MAC or state changes.
func configure(ifName string, res *current.Result) error {
	for _, ipc := range res.IPs {
		if ipc != nil && ipaddr.Is4(ipc.Address.IP) {
			if err := sysctl.Set("net/ipv4/conf/"+ifName+"/arp_notify", "1"); err != nil {
				return fmt.Errorf("set arp_notify of %s: %w", ifName, err)
			}
			break
		}
	}
	return ipam.ConfigureIface(ifName, res)
}

// rollback undoes a failed ADD once the tap exists. Its own errors go to
// stderr: the caller returns the error that made ADD fail.
func rollback(ipamType string, args *skel.CmdArgs) {
	if ipamType != "" {
		if err := ipam.ExecDel(ipamType, args.StdinData); err != nil {
			fmt.Fprintf(os.Stderr, "tap: release ipam allocation after failed add: %v\n", err)
		}
	}
	if err := link.DeleteIn(args.Netns, args.IfName); err != nil {
		fmt.Fprintf(os.Stderr, "tap: delete %s after failed add: %v\n", args.IfName, err)
	}
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the tap's mode, queue
// mode, owner, group and MAC and what IPAM configured on it.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.PrevResult == nil {
		return netconf.Invalid("required prevResult missing")
	}
	if common.IPAM.Type != "" {
		if err := ipam.ExecCheck(common.IPAM.Type, args.StdinData); err != nil {
			return err
		}
	}
	_, intf, err := link.FindInterface(common.PrevResult, args.IfName, args.Netns)
	if err != nil {
		return err
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		if err := checkTap(conf, args.IfName, intf.Mac); err != nil {
			return err
		}
		return ipam.CheckIface(args.IfName, common.PrevResult)
	})
}

// cmdDel releases the IPAM allocation and deletes the tap; a namespace or
// tap already gone is not an error. Only the ipam section is needed.
func cmdDel(args *skel.CmdArgs) error {
	common, err := netconf.Load(args.StdinData, nil)
	if err != nil {
		return err
	}
	var ipamErr error
	if common.IPAM.Type != "" {
		ipamErr = ipam.ExecDel(common.IPAM.Type, args.StdinData)
	}
	if err := link.DeleteIn(args.Netns, args.IfName); err != nil {
		return errors.Join(ipamErr, err)
	}
	return ipamErr
}

// cmdGC runs the IPAM plugin's GC: the tap goes with its namespace.
func cmdGC(args *skel.CmdArgs) error {
	common, err := netconf.Load(args.StdinData, nil)
	if err != nil || common.IPAM.Type == "" {
		return err
	}
	return ipam.ExecGC(common.IPAM.Type, args.StdinData)
}

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error {
	common, err := netconf.Load(args.StdinData, nil)
	if err != nil || common.IPAM.Type == "" {
		return err
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}
