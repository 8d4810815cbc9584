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

// Command vrf is a chained CNI plugin that puts the interface the previous
// plugin configured into a VRF of the container namespace, creating the
// VRF when it is missing, and moves the interface's routes into the VRF's
// table with their nexthops intact.
package main

import (
	"errors"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/version"

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
	}, version.All, buildversion.BuildString("vrf"))
}

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load.
type NetConf struct {
	// VRFName names the VRF device the interface is enslaved to.
	VRFName string `json:"vrfname"`
	// Table is the VRF's routing table; 0 lets the plugin choose the first
	// table no VRF, rule or route of the namespace uses. An existing VRF
	// must have this table.
	Table uint32 `json:"table,omitempty"`
}

// maxNameLen is the longest interface name the kernel takes (IFNAMSIZ - 1).
const maxNameLen = 15

// loadConf decodes and validates the config of ADD and CHECK, which need
// the previous plugin's result.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	if conf.VRFName == "" {
		return nil, nil, netconf.Invalid("missing vrfname: the name of the VRF to put the interface in")
	}
	if len(conf.VRFName) > maxNameLen {
		return nil, nil, netconf.Invalid("invalid vrfname %q: longer than %d characters", conf.VRFName, maxNameLen)
	}
	if common.PrevResult == nil {
		return nil, nil, netconf.Invalid("required prevResult missing: vrf must follow an interface plugin in a chain")
	}
	return conf, common, nil
}

// cmdAdd enslaves the interface to the VRF and moves its routes into the
// VRF's table; it prints prevResult.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	err = ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return setup(conf, args.IfName)
	})
	if err != nil {
		return err
	}
	return netconf.PrintResult(common.PrevResult, common.CNIVersion)
}

// cmdCheck verifies that the interface is in the VRF and that the VRF's
// table holds the addresses and routes of prevResult.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return check(conf, common.PrevResult, args.IfName)
	})
}

// cmdDel takes the interface out of the VRF and deletes the VRF once no
// interface is left in it. It is lenient: an undecodable config, a missing
// namespace, interface or VRF leave nothing to do.
func cmdDel(args *skel.CmdArgs) error {
	conf := &NetConf{}
	if _, err := netconf.Load(args.StdinData, conf); err != nil || conf.VRFName == "" || args.Netns == "" {
		return nil
	}
	err := ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return teardown(conf.VRFName, args.IfName)
	})
	var missing *ns.PathNotExistError
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// cmdGC has nothing to collect: the VRF lives in the container namespace
// and goes with it.
func cmdGC(_ *skel.CmdArgs) error { return nil }

// cmdStatus has nothing to report: the plugin needs only the kernel.
func cmdStatus(_ *skel.CmdArgs) error { return nil }
