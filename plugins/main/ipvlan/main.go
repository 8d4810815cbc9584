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

// modes maps the config's mode names to the kernel's.
var modes = map[string]netlink.IPVlanMode{
	"":    netlink.IPVLAN_MODE_L2,
	"l2":  netlink.IPVLAN_MODE_L2,
	"l3":  netlink.IPVLAN_MODE_L3,
	"l3s": netlink.IPVLAN_MODE_L3S,
}

// validate checks the fields and resolves the mode.
func (c *NetConf) validate() error {
	mode, ok := modes[c.Mode]
	if !ok {
		return netconf.Invalid("invalid mode %q: want l2, l3 or l3s", c.Mode)
	}
	c.mode = mode
	if c.MTU < 0 {
		return netconf.Invalid("invalid mtu %d: must not be negative", c.MTU)
	}
	return nil
}

func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()

	intf, err := createIPVlan(conf, netns, args.IfName)
	if err != nil {
		return err
	}
	// From here on the link exists: any failure removes it and releases
	// what IPAM allocated, whichever step failed.
	success := false
	defer func() {
		if !success {
			link.Rollback("ipvlan", common.IPAM.Type, args)
		}
	}()

	res, err := addresses(common, args.StdinData)
	if err != nil {
		return err
	}
	res.Interfaces = []*current.Interface{intf}
	for _, ipc := range res.IPs {
		ipc.Interface = current.Int(0)
	}
	if err := netns.Do(func(ns.NetNS) error { return ipam.ConfigureIface(args.IfName, res) }); err != nil {
		return err
	}
	if len(common.DNS.Nameservers) > 0 || len(common.DNS.Search) > 0 {
		res.DNS = common.DNS
	}
	// Printing converts to the config's version, which can fail (a 0.2.0
	// result needs an address): only a printed result is a success.
	if err := netconf.PrintResult(res, common.CNIVersion); err != nil {
		return err
	}
	success = true
	return nil
}

// addresses returns what the link is configured with. Chained after another
// plugin and without IPAM of its own, the ipvlan takes over the addresses,
// routes and DNS of the previous result, as upstream's ipvlan does (the
// previous plugin's interfaces are replaced by the ipvlan). Otherwise the
// IPAM plugin allocates; without either the link has no addresses.
func addresses(common *netconf.Common, stdin []byte) (*current.Result, error) {
	if common.IPAM.Type == "" && common.PrevResult != nil && len(common.PrevResult.IPs) > 0 {
		return common.PrevResult, nil
	}
	return link.Allocate(common.IPAM.Type, stdin)
}

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
		if err := checkIPVlan(args.IfName, conf.mode, intf.Mac); err != nil {
			return err
		}
		return ipam.CheckIface(args.IfName, common.PrevResult)
	})
}

func cmdDel(args *skel.CmdArgs) error {
	_, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.IPAM.Type != "" {
		if err := ipam.ExecDel(common.IPAM.Type, args.StdinData); err != nil {
			return err
		}
	}
	return link.DeleteIn(args.Netns, args.IfName)
}

func cmdGC(args *skel.CmdArgs) error {
	_, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.IPAM.Type == "" {
		// Without IPAM the plugin keeps no state outside the container
		// namespace, whose removal takes the link with it.
		return nil
	}
	return ipam.ExecGC(common.IPAM.Type, args.StdinData)
}

func cmdStatus(args *skel.CmdArgs) error {
	_, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.IPAM.Type == "" {
		// Without IPAM nothing but the kernel is needed to add a link.
		return nil
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}
