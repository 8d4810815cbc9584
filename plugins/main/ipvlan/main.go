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

// Command ipvlan is a CNI plugin that gives the container an ipvlan link on
// a host interface (the master), configured by the IPAM plugin's result or,
// chained without IPAM, by the addresses of the previous result.
package main

import (
	"fmt"
	"os"

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
	}, version.All, buildversion.BuildString("ipvlan"))
}

// NetConf holds the plugin's own config fields; the common ones (cniVersion,
// name, type, ipam, dns, prevResult) come from netconf.Load.
type NetConf struct {
	// Master is the host interface the ipvlan sits on; empty means the
	// interface of the default route.
	Master string `json:"master,omitempty"`
	// Mode is l2 (default), l3 or l3s.
	Mode string `json:"mode,omitempty"`
	// MTU of the link: 0 means the master's, larger than the master's is
	// an error.
	MTU int `json:"mtu,omitempty"`
	// LinkInContainer says the master is in the container namespace.
	LinkInContainer bool `json:"linkInContainer,omitempty"`

	mode netlink.IPVlanMode
}

// loadConf decodes and validates the config.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	if err := conf.validate(); err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// kind is the ipvlan link: its config's mode names mapped to the kernel's.
var kind = link.Kind[*netlink.IPVlan, netlink.IPVlanMode]{
	Type: "ipvlan",
	Noun: "an ipvlan",
	Modes: map[string]netlink.IPVlanMode{
		"":    netlink.IPVLAN_MODE_L2,
		"l2":  netlink.IPVLAN_MODE_L2,
		"l3":  netlink.IPVLAN_MODE_L3,
		"l3s": netlink.IPVLAN_MODE_L3S,
	},
	Mode: func(l *netlink.IPVlan) netlink.IPVlanMode { return l.Mode },
}

// validate checks the fields and resolves the mode.
func (c *NetConf) validate() error {
	mode, ok := kind.Modes[c.Mode]
	if !ok {
		return netconf.Invalid("invalid mode %q: want l2, l3 or l3s", c.Mode)
	}
	c.mode = mode
	if c.MTU < 0 {
		return netconf.Invalid("invalid mtu %d: must not be negative", c.MTU)
	}
	return nil
}

// cmdAdd creates the ipvlan, configures it and prints the result.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if conf.Master == "" && common.PrevResult != nil {
		// Chained after another plugin, the ipvlan sits on the interface
		// that plugin reported, as upstream's does; with linkInContainer
		// that interface is looked up in the container.
		if conf.Master, err = link.InterfaceFromPrev(common.PrevResult); err != nil {
			return err
		}
	}
	return link.Add(common, args, link.Adder{
		Plugin: "ipvlan",
		Create: func(netns ns.NetNS, cont *netlinksafe.Handle) (*current.Interface, error) {
			return createIPVlan(conf, netns, cont, args.IfName)
		},
		WithoutIPAM: func() *current.Result { return chained(common) },
		Configure:   configure,
	})
}

// configure, run inside the container namespace, sets the link's
// arp_notify, as upstream's ipvlan does, so that the kernel sends a
// gratuitous ARP for each IPv4 address when the link comes up (and when
// it comes up again), then gives it the addresses and routes of res and
// brings it up. Announcing is best effort, as macvlan's: a namespace whose
// sysctls cannot be written still gets its link.
func configure(cont *netlinksafe.Handle, ifName string, res *current.Result) error {
	if err := setARPNotify(ifName); err != nil {
		fmt.Fprintf(os.Stderr, "ipvlan: %v\n", err)
	}
	return ipam.ConfigureIfaceWith(cont, ifName, res)
}

// chained returns what a link without IPAM of its own is configured with.
// Chained after another plugin, the ipvlan takes over the addresses, routes
// and DNS of the previous result, as upstream's ipvlan does (the previous
// plugin's interfaces are replaced by the ipvlan); otherwise (nil) the link
// has no addresses.
func chained(common *netconf.Common) *current.Result {
	if common.PrevResult != nil && len(common.PrevResult.IPs) > 0 {
		return common.PrevResult
	}
	return nil
}

// cmdCheck verifies the link's kind, mode and MAC and what IPAM configured on it.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	return link.Check(common, args, func(mac string) error {
		return kind.Check(args.IfName, conf.mode, mac)
	})
}

// cmdDel releases the IPAM allocation and deletes the link. It reads only
// the IPAM type of the config (link.WithIPAMType): a config that ADD
// refuses still deletes.
func cmdDel(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Del) }

// cmdGC runs the IPAM plugin's GC; the plugin itself keeps no state. Like
// DEL, it reads only the IPAM type of the config.
func cmdGC(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.GC) }

// cmdStatus reports the IPAM plugin's STATUS; the plugin itself needs
// nothing. It reads only the IPAM type of the config, as upstream's
// STATUS does not validate the plugin's own fields.
func cmdStatus(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Status) }
