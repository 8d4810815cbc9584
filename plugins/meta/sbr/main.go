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

// Command sbr is a chained CNI plugin that sets up source-based routing for
// the interface the previous plugin configured: for each of its addresses a
// routing table holding the interface's routes, and a policy rule that
// sends traffic from the address to it. Multipath routes move as multipath
// routes.
package main

import (
	"errors"
	"net"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipaddr"
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
	}, version.All, buildversion.BuildString("sbr"))
}

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load.
type NetConf struct {
	// Table, when set, is the routing table the rules point to; the routes
	// are then left where they are. Unset, each address gets the first
	// free table from 100 and the interface's routes move there.
	Table *int `json:"table,omitempty"`
	// Gateway, when set, is the gateway of the default route each table of
	// an address of its family gets, in place of the address's gateway
	// and of the default routes moved from the main table.
	Gateway string `json:"gateway,omitempty"`
	// PreserveDefaultRoutes keeps the interface's default routes in the
	// main table as well, for traffic that has no source address yet.
	PreserveDefaultRoutes bool `json:"preserveDefaultRoutes,omitempty"`

	gateway net.IP
}

// validate checks the fields ADD and CHECK use.
func (c *NetConf) validate() error {
	if c.Table != nil && (*c.Table <= 0 || *c.Table > 1<<32-1) {
		return netconf.Invalid("invalid table %d: must be between 1 and 4294967295", *c.Table)
	}
	if c.Gateway != "" {
		c.gateway = ipaddr.Normalize(net.ParseIP(c.Gateway))
		if c.gateway == nil {
			return netconf.Invalid("invalid gateway %q: not an IP address", c.Gateway)
		}
	}
	return nil
}

// loadConf decodes and validates the config of ADD and CHECK, which need
// the previous plugin's result.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	if err := conf.validate(); err != nil {
		return nil, nil, err
	}
	if common.PrevResult == nil {
		return nil, nil, netconf.Invalid("required prevResult missing: sbr must follow an interface plugin in a chain")
	}
	return conf, common, nil
}

// cmdAdd adds a rule per address and, without a configured table, moves the
// interface's routes to the addresses' tables; it prints prevResult.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	addrs, err := interfaceAddrs(common.PrevResult, args.IfName)
	if err != nil {
		return err
	}
	err = ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return setup(conf, args.IfName, addrs)
	})
	if err != nil {
		return err
	}
	return netconf.PrintResult(common.PrevResult, common.CNIVersion)
}

// cmdCheck verifies each address's rule and, without a configured table,
// that the routes of prevResult are in the address's table.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	addrs, err := interfaceAddrs(common.PrevResult, args.IfName)
	if err != nil {
		return err
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return check(conf, common.PrevResult, args.IfName, addrs)
	})
}

// cmdDel removes the rules of the interface's addresses. It is lenient: an
// undecodable plugin config, a missing namespace or interface leave nothing
// to do. The routes go with the interface, which the interface plugin's
// DEL removes.
func cmdDel(args *skel.CmdArgs) error {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		// DEL parses only what teardown needs: the rules can be found
		// from the interface's addresses alone.
		conf, common = &NetConf{}, nil
	}
	if args.Netns == "" {
		return nil
	}
	var extra []net.IP
	if common != nil && common.PrevResult != nil {
		for _, a := range addrsOf(common.PrevResult, args.IfName) {
			extra = append(extra, a.IP)
		}
	}
	err = ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return teardown(conf.Table, args.IfName, extra)
	})
	var missing *ns.PathNotExistError
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// cmdGC has nothing to collect: the rules and tables live in the container
// namespace and go with it.
func cmdGC(_ *skel.CmdArgs) error { return nil }

// cmdStatus has nothing to report: the plugin needs only the kernel.
func cmdStatus(_ *skel.CmdArgs) error { return nil }

// addr is one address of the interface with its gateway from prevResult.
type addr struct {
	IP      net.IP
	Gateway net.IP
}

// interfaceAddrs returns the addresses prevResult gives ifName, in order:
// those whose interface index names ifName, and those with no interface
// index when the result names at most one interface.
func interfaceAddrs(res *current.Result, ifName string) ([]addr, error) {
	out := addrsOf(res, ifName)
	if len(out) == 0 {
		return nil, netconf.Invalid("no address of interface %q in prevResult", ifName)
	}
	return out, nil
}

// addrsOf is interfaceAddrs without the error for none.
func addrsOf(res *current.Result, ifName string) []addr {
	var out []addr
	for _, ipc := range res.IPs {
		if ipc == nil || ipaddr.Family(ipc.Address.IP) == 0 {
			continue
		}
		switch {
		case ipc.Interface == nil:
			if len(res.Interfaces) > 1 {
				continue
			}
		case *ipc.Interface < 0 || *ipc.Interface >= len(res.Interfaces),
			res.Interfaces[*ipc.Interface] == nil,
			res.Interfaces[*ipc.Interface].Name != ifName:
			continue
		}
		out = append(out, addr{IP: ipaddr.Normalize(ipc.Address.IP), Gateway: ipaddr.Normalize(ipc.Gateway)})
	}
	return out
}
