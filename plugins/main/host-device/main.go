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
	"encoding/json"
	"errors"
	"fmt"
	"net"

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
// it with the IPAM plugin's result and prints the result (link.Add). A
// failure after the move gives the interface back and releases the
// allocation. A PCI device that has no network interface (bound to a
// user-space driver such as DPDK's) is only reported, with its PCI
// address; ipam is ignored.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args)
	if err != nil {
		return err
	}
	sel, _ := conf.selector()
	if sel.pciID != "" && !pciDeviceExists(sel.pciID) {
		return fmt.Errorf("find %s: no such PCI device", sel)
	}
	if sel.pciID != "" && !hasNetDevice(sel.pciID) {
		res := &current.Result{
			CNIVersion: current.ImplementedSpecVersion,
			Interfaces: []*current.Interface{{Name: args.IfName, PciID: sel.pciID, Sandbox: args.Netns}},
		}
		return netconf.PrintResult(res, common.CNIVersion)
	}
	host, err := ns.GetCurrentNS()
	if err != nil {
		return err
	}
	defer host.Close()
	// back is where a failed ADD gives the interface back to: nil leaves
	// it in the container, where linkInContainer found it.
	back, mtu := host, 0
	if conf.LinkInContainer {
		back = nil
	}
	return link.Add(common, args, link.Adder{
		Plugin: "host-device",
		Create: func(netns ns.NetNS, _ *netlinksafe.Handle) (*current.Interface, error) {
			from := host
			if conf.LinkInContainer {
				from = netns
			}
			intf, err := moveIn(sel, from, netns, args.IfName)
			if err != nil {
				return nil, err
			}
			intf.PciID = sel.pciID
			mtu = intf.Mtu
			return intf, nil
		},
		Configure: ipam.ConfigureIfaceWith,
		Remove:    func() error { return giveBack(args.Netns, args.IfName, back, mtu) },
	})
}

// cmdCheck runs the IPAM plugin's CHECK and verifies the interface's MAC
// and what IPAM configured on it (link.Check). A PCI device reported
// without a network interface has nothing to look at but the IPAM
// plugin's CHECK.
func cmdCheck(args *skel.CmdArgs) error {
	_, common, err := loadConf(args)
	if err != nil {
		return err
	}
	if common.PrevResult != nil && netconf.NullElement(common.PrevResult, "prevResult") == nil {
		if _, intf, err := link.FindInterface(common.PrevResult, args.IfName, args.Netns); err == nil && intf.PciID != "" && intf.Mac == "" {
			if common.IPAM.Type != "" {
				return ipam.ExecCheck(common.IPAM.Type, args.StdinData)
			}
			return nil
		}
	}
	return link.Check(common, args, func(mac string) error { return checkLink(args.IfName, mac) })
}

// cmdDel releases the IPAM allocation and gives the interface back to the
// runtime's namespace (it stays in the container with linkInContainer)
// under its own name, down, with the MTU it had when prevResult reports
// it. A namespace or interface already gone is not an error.
func cmdDel(args *skel.CmdArgs) error {
	if err := ns.RefuseOwn(args.Netns, args.NetnsOverride); err != nil {
		// In the plugin's own namespace the "container's" device is a host
		// interface, which giving back would rename and resize.
		return err
	}
	td := loadTeardown(args)
	var ipamErr error
	if td.ipamType != "" {
		ipamErr = ipam.ExecDel(td.ipamType, args.StdinData)
	}
	to, err := ns.GetCurrentNS()
	if err != nil {
		return errors.Join(ipamErr, err)
	}
	defer to.Close()
	if td.linkInContainer {
		to = nil
	}
	if err := giveBack(args.Netns, args.IfName, to, td.mtu); err != nil {
		return errors.Join(ipamErr, err)
	}
	return ipamErr
}

// teardown is what DEL reads of the config: the IPAM type, whether the
// device stays in the container, and the MTU prevResult reported for
// CNI_IFNAME (0: unknown). Each is read on its own and a field that does
// not decode counts as absent, so a config ADD would refuse, or one whose
// prevResult is malformed, still deletes: a runtime retries a failing DEL
// forever.
type teardown struct {
	ipamType        string
	linkInContainer bool
	mtu             int
}

func loadTeardown(args *skel.CmdArgs) teardown {
	var td teardown
	var fields map[string]json.RawMessage
	if json.Unmarshal(args.StdinData, &fields) != nil {
		return td
	}
	var ipamConf struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(fields["ipam"], &ipamConf) == nil {
		td.ipamType = ipamConf.Type
	}
	_ = json.Unmarshal(fields["linkInContainer"], &td.linkInContainer)
	var prev struct {
		Interfaces []*struct {
			Name    string `json:"name"`
			MTU     int    `json:"mtu"`
			Sandbox string `json:"sandbox"`
		} `json:"interfaces"`
	}
	if json.Unmarshal(fields["prevResult"], &prev) == nil {
		for _, intf := range prev.Interfaces {
			if intf != nil && intf.Name == args.IfName && intf.Sandbox == args.Netns {
				td.mtu = intf.MTU
				break
			}
		}
	}
	return td
}

// cmdGC runs the IPAM plugin's GC. Like DEL, it reads only the IPAM
// type of the config (link.WithIPAMType).
func cmdGC(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.GC) }

// cmdStatus reports the IPAM plugin's STATUS. It reads only the IPAM type
// of the config (link.WithIPAMType).
func cmdStatus(args *skel.CmdArgs) error { return link.WithIPAMType(args, link.Status) }
