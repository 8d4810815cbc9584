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
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

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
	}, version.All, buildversion.BuildString("dummy"))
}

// loadConf decodes the config; the plugin has no fields of its own.
func loadConf(args *skel.CmdArgs) (*netconf.Common, error) {
	return netconf.Load(args.StdinData, nil)
}

// cmdAdd creates the dummy link, gets its addresses from the IPAM plugin,
// configures it and prints the result. A failure after the link exists
// releases the allocation and deletes the link.
func cmdAdd(args *skel.CmdArgs) (err error) {
	common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.IPAM.Type == "" {
		return netconf.Invalid("dummy interface requires an IPAM configuration: set ipam.type")
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()

	var intf *current.Interface
	if err := netns.Do(func(ns.NetNS) (err error) {
		intf, err = createDummy(args.IfName)
		return err
	}); err != nil {
		return err
	}
	intf.Sandbox = netns.Path()
	defer func() {
		if err != nil {
			rollback(common.IPAM.Type, args)
		}
	}()

	r, err := ipam.ExecAdd(common.IPAM.Type, args.StdinData)
	if err != nil {
		return err
	}
	res, err := current.NewResultFromResult(r)
	if err != nil {
		return fmt.Errorf("convert result of ipam plugin %s: %w", common.IPAM.Type, err)
	}
	if len(res.IPs) == 0 {
		return errors.New("ipam plugin " + common.IPAM.Type + " returned no address")
	}
	res.Interfaces = []*current.Interface{intf}
	for _, ipc := range res.IPs {
		if ipc != nil {
			ipc.Interface = current.Int(0)
		}
	}
	if err := netns.Do(func(ns.NetNS) error { return ipam.ConfigureIface(args.IfName, res) }); err != nil {
		return err
	}
	if len(common.DNS.Nameservers) > 0 || len(common.DNS.Search) > 0 {
		res.DNS = common.DNS
	}
	return netconf.PrintResult(res, common.CNIVersion)
}

// rollback undoes a failed ADD once the link exists: the IPAM DEL (safe
// also when the IPAM ADD failed) and the link's deletion. Its own errors go
// to stderr: the caller returns the error that made ADD fail.
func rollback(ipamType string, args *skel.CmdArgs) {
	if err := ipam.ExecDel(ipamType, args.StdinData); err != nil {
		fmt.Fprintf(os.Stderr, "dummy: release ipam allocation after failed add: %v\n", err)
	}
	if err := link.DeleteIn(args.Netns, args.IfName); err != nil {
		fmt.Fprintf(os.Stderr, "dummy: delete %s after failed add: %v\n", args.IfName, err)
	}
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the link's kind and MAC
// and what IPAM configured on it.
func cmdCheck(args *skel.CmdArgs) error {
	common, err := loadConf(args)
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
		if err := checkDummy(args.IfName, intf.Mac); err != nil {
			return err
		}
		return ipam.CheckIface(args.IfName, common.PrevResult)
	})
}

// cmdDel releases the IPAM allocation and deletes the link; a namespace or
// link already gone is not an error.
func cmdDel(args *skel.CmdArgs) error {
	common, err := loadConf(args)
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
	// Returned as is, so that the IPAM plugin's CNI error code survives.
	return ipamErr
}

// cmdGC runs the IPAM plugin's GC: the link goes with its namespace.
func cmdGC(args *skel.CmdArgs) error {
	common, err := loadConf(args)
	if err != nil || common.IPAM.Type == "" {
		return err
	}
	return ipam.ExecGC(common.IPAM.Type, args.StdinData)
}

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error {
	common, err := loadConf(args)
	if err != nil || common.IPAM.Type == "" {
		return err
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}
