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

// Command bridge is a CNI plugin that connects the container to a Linux
// bridge on the host through a veth pair, configured by the IPAM plugin's
// result; the bridge can be the containers' gateway, with masquerading.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/ipmasq"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("bridge"))
}

// cmdAdd creates the bridge when missing, a veth pair between it and the
// container, configures the container end from the IPAM result (the
// routes through pkg/ipam: one multipath route per destination with
// several gateways) and, as configured, the bridge's gateway addresses,
// masquerading and the MAC spoof check. A failure undoes all of it.
func cmdAdd(args *skel.CmdArgs) (err error) {
	conf, common, err := parseConf(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return fmt.Errorf("open netlink: %w", err)
	}
	defer h.Close()

	a := &attachment{conf: conf, common: common, args: args, netns: netns, h: h}
	defer func() {
		if err != nil {
			a.rollback()
		}
	}()
	res, err := a.add()
	if err != nil {
		return err
	}
	// Printing converts to the config's version, which can fail (a 0.2.0
	// result needs an address): only a printed result is a success.
	return netconf.PrintResult(res, common.CNIVersion)
}

// attachment is one ADD in progress: what it made, for rollback.
type attachment struct {
	conf   *NetConf
	common *netconf.Common
	args   *skel.CmdArgs
	netns  ns.NetNS
	h      *netlinksafe.Handle // host namespace

	bridgeCreated bool
	addrsAdded    []*net.IPNet
	vethMade      bool
	ipamCalled    bool
	masqDone      bool
	spoofDone     bool
}

func (a *attachment) add() (*current.Result, error) {
	conf, args := a.conf, a.args
	br, created, err := ensureBridge(a.h, conf)
	a.bridgeCreated = created
	if err != nil {
		return nil, err
	}
	var hostVeth, contVeth net.Interface
	if err := a.netns.Do(func(hostNS ns.NetNS) error {
		var err error
		hostVeth, contVeth, err = ip.SetupVeth(args.IfName, conf.MTU, macString(conf.mac), hostNS)
		return err
	}); err != nil {
		return nil, err
	}
	a.vethMade = true
	if err := attachPort(a.h, br, hostVeth.Name, conf); err != nil {
		return nil, err
	}

	res := &current.Result{CNIVersion: current.ImplementedSpecVersion}
	if a.common.IPAM.Type != "" {
		a.ipamCalled = true
		if res, err = ipamAdd(a.common.IPAM.Type, args.StdinData); err != nil {
			return nil, err
		}
	}
	if conf.IsGW {
		gws, err := gatewayNets(res)
		if err != nil {
			return nil, err
		}
		a.addrsAdded, err = ensureBridgeAddrs(a.h, br, gws, bool(conf.ForceAddress))
		if err != nil {
			return nil, err
		}
		if err := ip.EnableForward(res.IPs); err != nil {
			return nil, err
		}
	}
	if conf.IsDefaultGW {
		defaultRoutes(res)
	}
	res.Interfaces = []*current.Interface{
		{Name: conf.BrName},
		{Name: hostVeth.Name, Mac: hostVeth.HardwareAddr.String()},
		{Name: args.IfName, Mac: contVeth.HardwareAddr.String(), Sandbox: a.netns.Path()},
	}
	for _, ipc := range res.IPs {
		if ipc != nil {
			ipc.Interface = current.Int(2)
		}
	}
	if err := a.netns.Do(func(ns.NetNS) error { return configureContainer(conf, args.IfName, res) }); err != nil {
		return nil, err
	}
	if conf.IPMasq && len(res.IPs) > 0 {
		a.masqDone = true
		if err := ipmasq.Setup(conf.IPMasqBackend, ipNets(res), a.common.Name, args.IfName, args.ContainerID); err != nil {
			return nil, err
		}
	}
	if conf.MacSpoofChk {
		a.spoofDone = true
		if err := setupSpoofCheck(args.ContainerID, args.IfName, hostVeth.Name, contVeth.HardwareAddr); err != nil {
			return nil, err
		}
	}
	// The bridge takes the lowest MAC of its ports unless one was set:
	// read it now that the port is attached.
	brNow, err := bridgeByName(a.h, conf.BrName)
	if err != nil {
		return nil, err
	}
	res.Interfaces[0].Mac = brNow.Attrs().HardwareAddr.String()
	if len(a.common.DNS.Nameservers) > 0 || len(a.common.DNS.Search) > 0 ||
		len(a.common.DNS.Options) > 0 || a.common.DNS.Domain != "" {
		res.DNS = a.common.DNS
	}
	return res, nil
}

// rollback undoes a failed ADD; its own errors go to stderr, the ADD
// reports the error that made it fail.
func (a *attachment) rollback() {
	args := a.args
	var errs []error
	if a.spoofDone {
		errs = append(errs, teardownSpoofCheck(args.ContainerID, args.IfName))
	}
	if a.masqDone {
		errs = append(errs, ipmasq.Teardown(nil, a.common.Name, args.IfName, args.ContainerID))
	}
	if a.ipamCalled {
		errs = append(errs, ipam.ExecDel(a.common.IPAM.Type, args.StdinData))
	}
	if a.vethMade {
		errs = append(errs, link.DeleteIn(args.Netns, args.IfName))
	}
	errs = append(errs, undoBridge(a.h, a.conf.BrName, a.bridgeCreated, a.addrsAdded))
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(os.Stderr, "bridge: undo failed add: %v\n", err)
	}
}

func macString(mac net.HardwareAddr) string {
	if mac == nil {
		return ""
	}
	return mac.String()
}

// ipamAdd runs the IPAM plugin's ADD and converts its result; a
// *types.Error of the IPAM plugin passes through unchanged.
func ipamAdd(plugin string, stdin []byte) (*current.Result, error) {
	r, err := ipam.ExecAdd(plugin, stdin)
	if err != nil {
		return nil, err
	}
	res, err := current.NewResultFromResult(r)
	if err != nil {
		return nil, fmt.Errorf("convert result of ipam plugin %s: %w", plugin, err)
	}
	return res, nil
}

// ipNets returns the addresses of res as masquerading takes them.
func ipNets(res *current.Result) []*net.IPNet {
	var out []*net.IPNet
	for _, ipc := range res.IPs {
		if ipc != nil {
			a := ipc.Address
			out = append(out, &a)
		}
	}
	return out
}

// configureContainer, run in the container namespace, gives ifName the
// addresses and routes of res through ipam.ConfigureIface (DAD off unless
// enabledad, as upstream) and announces the addresses; or, with
// disableContainerInterface, sets it down.
func configureContainer(conf *NetConf, ifName string, res *current.Result) error {
	if conf.DisableContainerInterface {
		return setLinkDown(ifName)
	}
	if len(res.IPs) == 0 {
		return nil
	}
	if !conf.EnableDad {
		if err := disableDAD(ifName); err != nil {
			return err
		}
	}
	ips := make([]net.IP, 0, len(res.IPs))
	for _, ipc := range res.IPs {
		if ipc != nil {
			ips = append(ips, ipc.Address.IP)
		}
	}
	// arp_notify as upstream's container interfaces have it (1 with an
	// address), and ndisc_notify left at 0 as upstream's bridge leaves it
	// (its macvlan sets it; ip.AnnounceOnUp does both). The kernel's own
	// gratuitous ARP on link up would be lost here: the veth has been up
	// (and its peer a forwarding bridge port) since it was made, and
	// taking it down and up again leaves the port disabled until the
	// kernel's link watch notices the carrier, after the ARP has gone. So
	// every address is announced explicitly once the routes are in.
	if len(ips) > 0 {
		_ = sysctl.Set("net/ipv4/conf/"+ifName+"/arp_notify", "1")
	}
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return fmt.Errorf("configure %s: %w", ifName, err)
	}
	defer h.Close()
	if err := ipam.ConfigureIfaceWith(h, ifName, res); err != nil {
		return err
	}
	ip.Announce(h, ifName, ips)
	return nil
}

// cmdCheck verifies what ADD made: the IPAM plugin's CHECK, the bridge,
// the container interface (MAC, peer attached to the bridge), its
// addresses and routes, masquerading and the MAC spoof check.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := parseConf(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	prev := common.PrevResult
	if prev == nil {
		return netconf.Invalid("required prevResult missing")
	}
	if common.IPAM.Type != "" {
		if err := ipam.ExecCheck(common.IPAM.Type, args.StdinData); err != nil {
			return err
		}
	}
	idx, intf, err := link.FindInterface(prev, args.IfName, args.Netns)
	if err != nil {
		return err
	}
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return fmt.Errorf("open netlink: %w", err)
	}
	defer h.Close()
	br, err := bridgeByName(h, conf.BrName)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	var peerIndex int
	var mac net.HardwareAddr
	if err := ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		var err error
		peerIndex, mac, err = checkContainer(args.IfName, intf.Mac, prev, idx, bool(conf.DisableContainerInterface))
		return err
	}); err != nil {
		return err
	}
	if err := checkPort(h, br, peerIndex); err != nil {
		return err
	}
	if conf.IPMasq {
		if ipns := ifaceIPNets(prev, idx); len(ipns) > 0 {
			if err := ipmasq.Check(conf.IPMasqBackend, ipns, common.Name, args.IfName, args.ContainerID); err != nil {
				return err
			}
		}
	}
	if conf.MacSpoofChk {
		return checkSpoofCheck(args.ContainerID, args.IfName, mac)
	}
	return nil
}

// ifaceIPNets returns the addresses of res on interface index idx.
func ifaceIPNets(res *current.Result, idx int) []*net.IPNet {
	var out []*net.IPNet
	for _, ipc := range res.IPs {
		if ipc != nil && ipc.Interface != nil && *ipc.Interface == idx {
			a := ipc.Address
			out = append(out, &a)
		}
	}
	return out
}

// cmdDel releases the IPAM allocation, deletes the container interface
// (its peer goes with it) and removes masquerading and the MAC spoof
// check. It reads only what teardown needs and tolerates what is already
// gone, so it can be repeated (a second DEL without CNI_NETNS) and
// succeeds on configs ADD refuses. The bridge and its addresses stay: other
// attachments may use them.
func cmdDel(args *skel.CmdArgs) error {
	dc, common, err := parseDelConf(args.StdinData)
	if err != nil {
		return err
	}
	var ipamErr error
	if common.IPAM.Type != "" {
		ipamErr = ipam.ExecDel(common.IPAM.Type, args.StdinData)
	}
	var errs []error
	if err := link.DeleteIn(args.Netns, args.IfName); err != nil {
		errs = append(errs, err)
	}
	if dc.IPMasq {
		var ipns []*net.IPNet
		if common.PrevResult != nil {
			ipns = ipNets(common.PrevResult)
		}
		errs = append(errs, ipmasq.Teardown(ipns, common.Name, args.IfName, args.ContainerID))
	}
	if dc.MacSpoofChk {
		errs = append(errs, teardownSpoofCheck(args.ContainerID, args.IfName))
	}
	if err := errors.Join(errs...); err != nil {
		return errors.Join(ipamErr, err)
	}
	// Returned as is, so the IPAM plugin's CNI error code survives.
	return ipamErr
}

// cmdGC runs the IPAM plugin's GC and removes the masquerading rules of
// the network's attachments that are not among cni.dev/valid-attachments,
// whichever backend made them (also when ipMasq was turned off since).
func cmdGC(args *skel.CmdArgs) error {
	_, common, err := parseDelConf(args.StdinData)
	if err != nil {
		return err
	}
	var gc gcConf
	if err := json.Unmarshal(args.StdinData, &gc); err != nil {
		return netconf.Undecodable("decode cni.dev/valid-attachments: %v", err)
	}
	var ipamErr error
	if common.IPAM.Type != "" {
		ipamErr = ipam.ExecGC(common.IPAM.Type, args.StdinData)
	}
	if gc.ValidAttachments == nil {
		// Without the list (which the spec requires) no rule is known
		// to be stale.
		return ipamErr
	}
	if err := ipmasq.GC(common.Name, *gc.ValidAttachments); err != nil {
		return errors.Join(ipamErr, err)
	}
	return ipamErr
}

// cmdStatus reports the IPAM plugin's STATUS; the bridge itself needs
// nothing but the kernel, which every ADD checks anyway.
func cmdStatus(args *skel.CmdArgs) error {
	common, err := netconf.Load(args.StdinData, nil)
	if err != nil {
		return err
	}
	if common.IPAM.Type == "" {
		return nil
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}
