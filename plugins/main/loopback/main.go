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

// Command loopback is a CNI plugin that brings the loopback interface of
// the container namespace up on ADD and down on DEL.
package main

import (
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	types020 "github.com/containernetworking/cni/pkg/types/020"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
)

// loName is the only interface this plugin touches, whatever CNI_IFNAME says.
const loName = "lo"

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("loopback"))
}

func cmdAdd(args *skel.CmdArgs) error {
	if err := ns.RefuseOwn(args.Netns, args.NetnsOverride); err != nil {
		return err
	}
	conf, err := netconf.Load(args.StdinData, nil)
	if err != nil {
		return err
	}
	var addrs loAddrs
	if err := ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		var err error
		addrs, err = setUp()
		return err
	}); err != nil {
		return err
	}
	// Chained after another plugin, pass its result through unchanged.
	if conf.PrevResult != nil {
		if err := netconf.NullElement(conf.PrevResult, "prevResult"); err != nil {
			return netconf.Invalid("%v", err)
		}
		return netconf.PrintResult(conf.PrevResult, conf.CNIVersion)
	}
	return netconf.PrintResult(result(conf.CNIVersion, args.Netns, addrs), conf.CNIVersion)
}

// result reports lo and its addresses. Before 0.3.0 a result could not name
// an interface, and a 0.2.0 "ip4" entry would read as the container's
// address, so those versions get an empty result, as upstream gives.
func result(cniVersion, netnsPath string, addrs loAddrs) types.Result {
	if gt, err := version.GreaterThanOrEqualTo(cniVersion, "0.3.0"); err != nil || !gt {
		// An empty 0.x result cannot be converted from the current type,
		// which insists on an address for "ip4".
		return &types020.Result{CNIVersion: cniVersion}
	}
	res := &current.Result{CNIVersion: current.ImplementedSpecVersion}
	res.Interfaces = []*current.Interface{{Name: loName, Mac: "00:00:00:00:00:00", Sandbox: netnsPath}}
	for _, a := range addrs.list() {
		res.IPs = append(res.IPs, &current.IPConfig{Interface: current.Int(0), Address: *a})
	}
	return res
}

func cmdCheck(args *skel.CmdArgs) error {
	if _, err := netconf.Load(args.StdinData, nil); err != nil {
		return err
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return checkUp()
	})
}

// cmdDel sets lo down. It reads nothing of the config: DEL needs nothing
// of it, and a config ADD would refuse (a prevResult that does not decode,
// say) must still delete, or the runtime retries forever.
func cmdDel(args *skel.CmdArgs) error {
	if err := ns.RefuseOwn(args.Netns, args.NetnsOverride); err != nil {
		return err
	}
	if args.Netns == "" {
		return nil
	}
	err := ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return setDown()
	})
	if gone(err) {
		// The runtime removed the namespace already; lo went with it.
		return nil
	}
	return err
}

// cmdGC has nothing to do: the plugin keeps no state outside the namespace,
// and the namespace is the runtime's to remove.
func cmdGC(args *skel.CmdArgs) error {
	_, err := netconf.Load(args.StdinData, nil)
	return err
}

// cmdStatus has nothing to report: the plugin depends on nothing but the
// kernel, so it can always add attachments.
func cmdStatus(args *skel.CmdArgs) error {
	_, err := netconf.Load(args.StdinData, nil)
	return err
}
