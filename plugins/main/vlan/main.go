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
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
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
// the IPAM plugin, configures it and prints the result (link.Add). A
// failure after the link exists releases the allocation and deletes the
// link.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	return link.Add(common, args, link.Adder{
		Plugin: "vlan",
		Create: func(netns ns.NetNS, cont *netlinksafe.Handle) (*current.Interface, error) {
			vlan := &netlink.Vlan{VlanId: conf.VLANID}
			return link.CreateOn(vlan, netns, cont, args.IfName, conf.Master, conf.MTU, conf.LinkInContainer)
		},
		Configure: ipam.ConfigureIfaceWith,
	})
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the link's kind, tag
// and MAC and what IPAM configured on it (link.Check).
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	return link.Check(common, args, func(mac string) error {
		l, err := link.Get(args.IfName, "vlan")
		if err != nil {
			return err
		}
		if id := l.(*netlink.Vlan).VlanId; id != conf.VLANID {
			return fmt.Errorf("check link %s: vlan id %d, want %d", args.IfName, id, conf.VLANID)
		}
		return link.CheckMAC(args.IfName, l.Attrs().HardwareAddr, mac)
	})
}

// cmdDel releases the IPAM allocation and deletes the link; a namespace or
// link already gone is not an error. It reads only the IPAM type of the
// config (link.WithIPAMType): a config that ADD refuses still deletes.
func cmdDel(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Del) }

// cmdGC runs the IPAM plugin's GC: the link goes with its namespace.
func cmdGC(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.GC) }

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Status) }
