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

// Command vlan is a CNI plugin that gives the container an 802.1Q vlan link
// on a host interface (the master), configured by the IPAM plugin's result,
// multipath routes included.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
)

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("vlan"))
}

// maxVLANID is the largest 802.1Q VLAN identifier (12 bits).
const maxVLANID = 4095

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load.
type NetConf struct {
	// Master is the host interface the vlan link sits on.
	Master string `json:"master"`
	// VLANID is the 802.1Q tag, 0 to 4095.
	VLANID int `json:"vlanId"`
	// MTU of the link: 0 means the master's, larger than the master's is
	// an error.
	MTU int `json:"mtu,omitempty"`
	// LinkInContainer says the master is in the container namespace.
	LinkInContainer bool `json:"linkInContainer,omitempty"`
}

// loadConf decodes and validates the config.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	if conf.Master == "" {
		return nil, nil, netconf.Invalid(`missing master: the host interface to create the vlan link on`)
	}
	if conf.VLANID < 0 || conf.VLANID > maxVLANID {
		return nil, nil, netconf.Invalid("invalid vlanId %d: must be between 0 and %d", conf.VLANID, maxVLANID)
	}
	if conf.MTU < 0 {
		return nil, nil, netconf.Invalid("invalid mtu %d: must not be negative", conf.MTU)
	}
	return conf, common, nil
}

// cmdAdd creates the vlan link in the container, gets its addresses from
// the IPAM plugin, configures it and prints the result. A failure after
// the link exists releases the allocation and deletes the link.
func cmdAdd(args *skel.CmdArgs) (err error) {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()
	cont, err := link.OpenIn(netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer cont.Close()

	vlan := &netlink.Vlan{VlanId: conf.VLANID}
	intf, err := link.CreateOn(vlan, netns, cont, args.IfName, conf.Master, conf.MTU, conf.LinkInContainer)
	if err != nil {
		return err
	}
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
	if err := netns.Do(func(ns.NetNS) error { return ipam.ConfigureIfaceWith(cont, args.IfName, res) }); err != nil {
		return err
	}
	if len(common.DNS.Nameservers) > 0 || len(common.DNS.Search) > 0 {
		res.DNS = common.DNS
	}
	return netconf.PrintResult(res, common.CNIVersion)
}

// rollback undoes a failed ADD once the link exists. Its own errors go to
// stderr: the caller returns the error that made ADD fail.
func rollback(ipamType string, args *skel.CmdArgs) {
	if ipamType != "" {
		if err := ipam.ExecDel(ipamType, args.StdinData); err != nil {
			fmt.Fprintf(os.Stderr, "vlan: release ipam allocation after failed add: %v\n", err)
		}
	}
	if err := link.DeleteIn(args.Netns, args.IfName); err != nil {
		fmt.Fprintf(os.Stderr, "vlan: delete %s after failed add: %v\n", args.IfName, err)
	}
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the link's kind, tag
// and MAC and what IPAM configured on it.
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
		l, err := link.Get(args.IfName, "vlan")
		if err != nil {
			return err
		}
		if id := l.(*netlink.Vlan).VlanId; id != conf.VLANID {
			return fmt.Errorf("check link %s: vlan id %d, want %d", args.IfName, id, conf.VLANID)
		}
		if err := link.CheckMAC(args.IfName, l.Attrs().HardwareAddr, intf.Mac); err != nil {
			return err
		}
		return ipam.CheckIface(args.IfName, common.PrevResult)
	})
}

// cmdDel releases the IPAM allocation and deletes the link; a namespace or
// link already gone is not an error. Only the ipam section is needed.
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

// cmdGC runs the IPAM plugin's GC: the link goes with its namespace.
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
