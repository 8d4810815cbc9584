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

// Command host-device is a CNI plugin that moves an existing interface of
// the runtime's namespace (or of the container's, with linkInContainer) into
// the container as CNI_IFNAME, configures it with the IPAM plugin's result,
// multipath routes included, and gives it back under its own name on DEL.
package main

import (
	"errors"
	"fmt"
	"net"
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
	}, version.All, buildversion.BuildString("host-device"))
}

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load. One of Device, HWAddr, KernelPath, PCIBusID or the runtime's
// deviceID selects the interface, tried in that order.
type NetConf struct {
	Device     string `json:"device,omitempty"`
	HWAddr     string `json:"hwaddr,omitempty"`
	KernelPath string `json:"kernelpath,omitempty"`
	PCIBusID   string `json:"pciBusID,omitempty"`
	// LinkInContainer says the interface is in the container namespace
	// already: it is renamed there, and stays there on DEL.
	LinkInContainer bool `json:"linkInContainer,omitempty"`

	RuntimeConfig struct {
		// DeviceID is the runtime's deviceID capability: a PCI address.
		DeviceID string `json:"deviceID,omitempty"`
	} `json:"runtimeConfig,omitempty"`

	hwaddr net.HardwareAddr
}

// selector returns which interface conf names, or a code 7 error when it
// names none.
func (c *NetConf) selector() (selector, error) {
	switch {
	case c.Device != "":
		return selector{device: c.Device}, nil
	case c.HWAddr != "":
		return selector{hwaddr: c.hwaddr}, nil
	case c.KernelPath != "":
		return selector{kernelPath: c.KernelPath}, nil
	case c.PCIBusID != "":
		return selector{pciID: c.PCIBusID}, nil
	case c.RuntimeConfig.DeviceID != "":
		return selector{pciID: c.RuntimeConfig.DeviceID}, nil
	}
	return selector{}, netconf.Invalid(`specify either "device", "hwaddr", "kernelpath" or "pciBusID"`)
}

// loadConf decodes and validates the config.
func loadConf(args *skel.CmdArgs) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return nil, nil, err
	}
	if conf.HWAddr != "" {
		if conf.hwaddr, err = net.ParseMAC(conf.HWAddr); err != nil {
			return nil, nil, netconf.Invalid("invalid hwaddr %q: %v", conf.HWAddr, err)
		}
	}
	if _, err := conf.selector(); err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// cmdAdd moves the interface into the container as CNI_IFNAME, configures
// it with the IPAM plugin's result and prints the result. A failure after
// the move gives the interface back and releases the allocation. A PCI
// device that has no network interface (bound to a user-space driver such
// as DPDK's) is only reported, with its PCI address; ipam is ignored.
func cmdAdd(args *skel.CmdArgs) (err error) {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	sel, _ := conf.selector()
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()
	host, err := ns.GetCurrentNS()
	if err != nil {
		return err
	}
	defer host.Close()

	var intf *current.Interface
	if sel.pciID != "" && !pciDeviceExists(sel.pciID) {
		return fmt.Errorf("find %s: no such PCI device", sel)
	}
	if sel.pciID != "" && !hasNetDevice(sel.pciID) {
		res := &current.Result{
			CNIVersion: current.ImplementedSpecVersion,
			Interfaces: []*current.Interface{{Name: args.IfName, PciID: sel.pciID, Sandbox: netns.Path()}},
		}
		return netconf.PrintResult(res, common.CNIVersion)
	}
	from := host
	if conf.LinkInContainer {
		from = netns
	}
	if intf, err = moveIn(sel, from, netns, args.IfName); err != nil {
		return err
	}
	intf.PciID = sel.pciID
	back := host
	if conf.LinkInContainer {
		back = nil
	}
	defer func() {
		if err != nil {
			rollback(common.IPAM.Type, args, back, intf.Mtu)
		}
	}()

	res := &current.Result{CNIVersion: current.ImplementedSpecVersion}
	if common.IPAM.Type != "" {
		r, err := ipam.ExecAdd(common.IPAM.Type, args.StdinData)
		if err != nil {
			return err
		}
		if res, err = current.NewResultFromResult(r); err != nil {
			return fmt.Errorf("convert result of ipam plugin %s: %w", common.IPAM.Type, err)
		}
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

// rollback undoes a failed ADD once the interface is in the container.
// Its own errors go to stderr: the caller returns the error that made ADD
// fail.
func rollback(ipamType string, args *skel.CmdArgs, to ns.NetNS, mtu int) {
	if ipamType != "" {
		if err := ipam.ExecDel(ipamType, args.StdinData); err != nil {
			fmt.Fprintf(os.Stderr, "host-device: release ipam allocation after failed add: %v\n", err)
		}
	}
	if err := giveBack(args.Netns, args.IfName, to, mtu); err != nil {
		fmt.Fprintf(os.Stderr, "host-device: give %s back after failed add: %v\n", args.IfName, err)
	}
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the interface's MAC
// and what IPAM configured on it.
func cmdCheck(args *skel.CmdArgs) error {
	_, common, err := loadConf(args)
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
	if intf.PciID != "" && intf.Mac == "" {
		// A device without a network interface: nothing to look at.
		return nil
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		if err := checkLink(args.IfName, intf.Mac); err != nil {
			return err
		}
		return ipam.CheckIface(args.IfName, common.PrevResult)
	})
}

// cmdDel releases the IPAM allocation and gives the interface back to the
// runtime's namespace (it stays in the container with linkInContainer)
// under its own name, down, with the MTU it had when prevResult reports
// it. A namespace or interface already gone is not an error.
func cmdDel(args *skel.CmdArgs) error {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		return err
	}
	var ipamErr error
	if common.IPAM.Type != "" {
		ipamErr = ipam.ExecDel(common.IPAM.Type, args.StdinData)
	}
	mtu := 0
	if common.PrevResult != nil {
		if _, intf, err := link.FindInterface(common.PrevResult, args.IfName, args.Netns); err == nil {
			mtu = intf.Mtu
		}
	}
	to, err := ns.GetCurrentNS()
	if err != nil {
		return errors.Join(ipamErr, err)
	}
	defer to.Close()
	if conf.LinkInContainer {
		to = nil
	}
	if err := giveBack(args.Netns, args.IfName, to, mtu); err != nil {
		return errors.Join(ipamErr, err)
	}
	return ipamErr
}

// cmdGC runs the IPAM plugin's GC.
func cmdGC(args *skel.CmdArgs) error {
	common, err := netconf.Load(args.StdinData, nil)
	if err != nil || common.IPAM.Type == "" {
		return err
	}
	return ipam.ExecGC(common.IPAM.Type, args.StdinData)
}

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error {
	common, err := netconf.Load(args.StdinData, nil)
	if err != nil || common.IPAM.Type == "" {
		return err
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}
