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

// Command dummy is a CNI plugin that gives the container a dummy link
// configured by the IPAM plugin's result: an interface with addresses and
// routes, multipath ones included, that carries no traffic off the host.
package main

import (
	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

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
	}, version.All, buildversion.BuildString("dummy"))
}

// loadConf decodes the config; the plugin has no fields of its own.
func loadConf(args *skel.CmdArgs) (*netconf.Common, error) {
	return netconf.Load(args.StdinData, nil)
}

// cmdAdd creates the dummy link, gets its addresses from the IPAM plugin,
// configures it and prints the result (link.Add). A failure after the link
// exists releases the allocation and deletes the link.
func cmdAdd(args *skel.CmdArgs) error {
	common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.IPAM.Type == "" {
		return netconf.Invalid("dummy interface requires an IPAM configuration: set ipam.type")
	}
	return link.Add(common, args, link.Adder{
		Plugin: "dummy",
		Create: func(netns ns.NetNS, cont *netlinksafe.Handle) (*current.Interface, error) {
			intf, err := createDummy(cont, args.IfName)
			if err != nil {
				return nil, err
			}
			intf.Sandbox = netns.Path()
			return intf, nil
		},
		Configure: ipam.ConfigureIfaceWith,
	})
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the link's kind and MAC
// and what IPAM configured on it (link.Check).
func cmdCheck(args *skel.CmdArgs) error {
	common, err := loadConf(args)
	if err != nil {
		return err
	}
	return link.Check(common, args, func(mac string) error { return checkDummy(args.IfName, mac) })
}

// cmdDel releases the IPAM allocation and deletes the link; a namespace or
// link already gone is not an error. It reads only the IPAM type of the
// config (link.WithIPAMType): a config that ADD refuses still deletes.
func cmdDel(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Del) }

// cmdGC runs the IPAM plugin's GC: the link goes with its namespace.
func cmdGC(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.GC) }

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Status) }
