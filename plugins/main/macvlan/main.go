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

// Command macvlan is a CNI plugin that gives the container a macvlan link on
// a host interface (the master), configured by the IPAM plugin's result.
package main

import (
	"fmt"
	"net"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
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
	}, version.All, buildversion.BuildString("macvlan"))
}

// NetConf holds the plugin's own config fields; the common ones (cniVersion,
// name, type, ipam, dns, prevResult, args) come from netconf.Load.
type NetConf struct {
	// Master is the host interface the macvlan sits on; empty means the
	// interface of the default route.
	Master string `json:"master,omitempty"`
	// Mode is bridge (default), private, vepa or passthru.
	Mode string `json:"mode,omitempty"`
	// MTU of the link: 0 means the master's, larger than the master's is
	// an error.
	MTU int `json:"mtu,omitempty"`
	// MAC requested for the link, lowest precedence (see macFrom).
	MAC string `json:"mac,omitempty"`
	// BCQueueLen is the length of the queue of broadcast frames handed to
	// macvlan links (IFLA_MACVLAN_BC_QUEUE_LEN); 0 keeps the kernel's.
	BCQueueLen uint32 `json:"bcqueuelen,omitempty"`
	// LinkInContainer says the master is in the container namespace.
	LinkInContainer bool `json:"linkInContainer,omitempty"`

	RuntimeConfig struct {
		// Mac is the runtime's "mac" capability.
		Mac string `json:"mac,omitempty"`
	} `json:"runtimeConfig,omitempty"`

	mode netlink.MacvlanMode
	mac  net.HardwareAddr
}

// envArgs are the CNI_ARGS keys the plugin reads.
type envArgs struct {
	types.CommonArgs
	MAC types.UnmarshallableString `json:"mac,omitempty"`
}

// loadConf decodes the config, applies CNI_ARGS and validates.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	var env envArgs
	if err := netconf.LoadArgs(args.Args, &env); err != nil {
		return nil, nil, err
	}
	if err := conf.validate(common, string(env.MAC)); err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// modes maps the config's mode names to the kernel's.
var modes = map[string]netlink.MacvlanMode{
	"":         netlink.MACVLAN_MODE_BRIDGE,
	"bridge":   netlink.MACVLAN_MODE_BRIDGE,
	"private":  netlink.MACVLAN_MODE_PRIVATE,
	"vepa":     netlink.MACVLAN_MODE_VEPA,
	"passthru": netlink.MACVLAN_MODE_PASSTHRU,
}

// validate checks the fields and resolves mode and MAC. The MAC comes from,
// highest precedence first: runtimeConfig.mac, args.cni.mac, CNI_ARGS MAC,
// the config's mac.
func (c *NetConf) validate(common *netconf.Common, envMAC string) error {
	mode, ok := modes[c.Mode]
	if !ok {
		return netconf.Invalid("invalid mode %q: want bridge, private, vepa or passthru", c.Mode)
	}
	c.mode = mode
	if c.MTU < 0 {
		return netconf.Invalid("invalid mtu %d: must not be negative", c.MTU)
	}
	for _, src := range []struct{ mac, from string }{
		{c.MAC, "config mac"},
		{envMAC, "CNI_ARGS MAC"},
		{argsMAC(common), "args.cni.mac"},
		{c.RuntimeConfig.Mac, "runtimeConfig mac"},
	} {
		mac, err := link.ParseMAC(src.mac, src.from)
		if err != nil {
			return err
		}
		if mac != nil {
			c.mac = mac
		}
	}
	return nil
}

func argsMAC(common *netconf.Common) string {
	if common.Args == nil || common.Args.CNI == nil {
		return ""
	}
	return common.Args.CNI.MAC
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

	intf, err := createMacvlan(conf, netns, args.IfName)
	if err != nil {
		return err
	}
	// From here on the link exists: any failure removes it and releases
	// what IPAM allocated, whichever step failed.
	success := false
	defer func() {
		if !success {
			link.Rollback("macvlan", common.IPAM.Type, args)
		}
	}()

	res, err := link.Allocate(common.IPAM.Type, args.StdinData)
	if err != nil {
		return err
	}
	res.Interfaces = []*current.Interface{intf}
	for _, ipc := range res.IPs {
		ipc.Interface = current.Int(0)
	}
	if err := netns.Do(func(ns.NetNS) error { return configure(args.IfName, res) }); err != nil {
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

// configure, run inside the container namespace, gives ifName the
// addresses and routes of res and brings it up, then announces the
// addresses (gratuitous ARP, unsolicited neighbour advertisement) so that
// neighbours drop what they cached for them before: the MAC is new.
// Announcing is best effort and never fails the ADD.
func configure(ifName string, res *current.Result) error {
	if err := ipam.ConfigureIface(ifName, res); err != nil {
		return err
	}
	ips := make([]net.IP, 0, len(res.IPs))
	for _, ipc := range res.IPs {
		ips = append(ips, ipc.Address.IP)
	}
	ip.Announce(ifName, ips)
	return nil
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
		if err := checkMacvlan(args.IfName, conf.mode, intf.Mac); err != nil {
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
