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

package link

import (
	"errors"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/ns"
)

// The verbs below are those of a link plugin (macvlan, ipvlan) whose
// config common describes: the link of args.IfName in the container at
// args.Netns, with addresses from the IPAM plugin of ipam.type when it is
// set. Each plugin keeps the parts that depend on its kind of link.

// WithIPAMType runs verb (Del, GC, Status) on the config's IPAM type
// alone (LoadTeardown): those verbs need nothing else of it, and a config
// ADD would refuse — edited since the ADD, say — must still delete and be
// collected, as upstream's plugins do. GC and STATUS run the IPAM plugin,
// which reads its own section of the config as it sees fit.
func WithIPAMType(args *skel.CmdArgs, verb func(*netconf.Common, *skel.CmdArgs) error) error {
	common, err := LoadTeardown(args.StdinData)
	if err != nil {
		return err
	}
	return verb(common, args)
}

// Check is CHECK: it requires prevResult, runs the IPAM plugin's CHECK,
// finds the interface the ADD reported, then, inside the container,
// runs checkLink with the MAC address reported for it and checks the
// addresses and routes of prevResult on the link.
func Check(common *netconf.Common, args *skel.CmdArgs, checkLink func(mac string) error) error {
	if common.PrevResult == nil {
		return netconf.Invalid("required prevResult missing")
	}
	if err := netconf.NullElement(common.PrevResult, "prevResult"); err != nil {
		return netconf.Invalid("%v", err)
	}
	if common.IPAM.Type != "" {
		if err := ipam.ExecCheck(common.IPAM.Type, args.StdinData); err != nil {
			return err
		}
	}
	_, intf, err := FindInterface(common.PrevResult, args.IfName, args.Netns)
	if err != nil {
		return err
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		if err := checkLink(intf.Mac); err != nil {
			return err
		}
		return ipam.CheckIface(args.IfName, common.PrevResult)
	})
}

// Del is DEL: the IPAM plugin's DEL and, at the same time, the deletion of
// the link. A link or namespace that is already gone is not an error; a
// CNI_NETNS that is the plugin's own namespace is refused before anything
// is done (ns.RefuseOwn).
func Del(common *netconf.Common, args *skel.CmdArgs) error {
	if err := ns.RefuseOwn(args.Netns, args.NetnsOverride); err != nil {
		return err
	}
	if common.IPAM.Type == "" {
		return DeleteIn(args.Netns, args.IfName)
	}
	// The IPAM DEL runs first, while the link still exists, as upstream
	// orders it: an IPAM plugin may need the interface to release what it
	// holds (the dhcp daemon sends its DHCPRELEASE from it). Both steps are
	// idempotent, so a DEL the runtime retries after either failed
	// finishes the job.
	ipamErr := ipam.ExecDel(common.IPAM.Type, args.StdinData)
	linkErr := DeleteIn(args.Netns, args.IfName)
	if linkErr == nil {
		// Returned as is, so the IPAM plugin's CNI error code survives.
		return ipamErr
	}
	return errors.Join(ipamErr, linkErr)
}

// GC is GC: the IPAM plugin's GC.
func GC(common *netconf.Common, args *skel.CmdArgs) error {
	if common.IPAM.Type == "" {
		// Without IPAM the plugin keeps no state outside the container
		// namespace, whose removal takes the link with it.
		return nil
	}
	return ipam.ExecGC(common.IPAM.Type, args.StdinData)
}

// Status is STATUS: the IPAM plugin's STATUS.
func Status(common *netconf.Common, args *skel.CmdArgs) error {
	if common.IPAM.Type == "" {
		// Without IPAM nothing but the kernel is needed to add a link.
		return nil
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}
