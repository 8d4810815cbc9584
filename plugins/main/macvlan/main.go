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
	// MAC requested for the link, lowest precedence (see validate).
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
	if err := conf.validate(string(env.MAC)); err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// kind is the macvlan link: its config's mode names mapped to the kernel's.
var kind = link.Kind[*netlink.Macvlan, netlink.MacvlanMode]{
	Type: "macvlan",
	Noun: "a macvlan",
	Modes: map[string]netlink.MacvlanMode{
		"":         netlink.MACVLAN_MODE_BRIDGE,
		"bridge":   netlink.MACVLAN_MODE_BRIDGE,
		"private":  netlink.MACVLAN_MODE_PRIVATE,
		"vepa":     netlink.MACVLAN_MODE_VEPA,
		"passthru": netlink.MACVLAN_MODE_PASSTHRU,
	},
	Mode: func(l *netlink.Macvlan) netlink.MacvlanMode { return l.Mode },
}

// validate checks the fields and resolves mode and MAC. The MAC comes from,
// highest precedence first: runtimeConfig.mac, CNI_ARGS MAC, the config's
// mac. Only the source that wins is parsed, as upstream does: an invalid
// config mac that the runtime overrides does not fail the ADD. Like
// upstream's, the plugin ignores args.cni.mac.
func (c *NetConf) validate(envMAC string) error {
	mode, ok := kind.Modes[c.Mode]
	if !ok {
		return netconf.Invalid("invalid mode %q: want bridge, private, vepa or passthru", c.Mode)
	}
	c.mode = mode
	if c.MTU < 0 {
		return netconf.Invalid("invalid mtu %d: must not be negative", c.MTU)
	}
	for _, src := range []struct{ mac, from string }{
		{c.RuntimeConfig.Mac, "runtimeConfig mac"},
		{envMAC, "CNI_ARGS MAC"},
		{c.MAC, "config mac"},
	} {
		if src.mac == "" {
			continue
		}
		mac, err := link.ParseMAC(src.mac, src.from)
		if err != nil {
			return err
		}
		c.mac = mac
		break
	}
	return nil
}

// cmdAdd creates the macvlan, configures it and prints the result.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	return link.Add(common, args, link.Adder{
		Plugin: "macvlan",
		Create: func(netns ns.NetNS, cont *netlinksafe.Handle) (*current.Interface, error) {
			return createMacvlan(conf, netns, cont, args.IfName)
		},
		Configure: configure,
	})
}

// configure, run inside the container namespace, gives ifName the
// addresses and routes of res and brings it up, and announces the
// addresses (gratuitous ARP, unsolicited neighbor advertisement) so that
// neighbors drop what they cached for them before: the MAC is new. The
// kernel sends the ARPs itself when the link comes up where it can be asked
// to (ip.AnnounceOnUp); the rest is sent once the routes are in.
// Announcing is best effort and never fails the ADD.
func configure(cont *netlinksafe.Handle, ifName string, res *current.Result) error {
	ips := make([]net.IP, 0, len(res.IPs))
	for _, ipc := range res.IPs {
		if ipc != nil {
			ips = append(ips, ipc.Address.IP)
		}
	}
	later := ip.AnnounceOnUp(ifName, ips)
	if err := ipam.ConfigureIfaceWith(cont, ifName, res); err != nil {
		return err
	}
	ip.Announce(cont, ifName, later)
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
