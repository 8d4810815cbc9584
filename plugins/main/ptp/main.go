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

// Command ptp is a CNI plugin that connects the container to the host with
// a veth pair and routes between them: the host end takes the gateway
// addresses of the IPAM result and routes to the container's addresses,
// and the container reaches everything through those gateways.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/ipmasq"
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
	}, version.All, buildversion.BuildString("ptp"))
}

// NetConf holds the plugin's own config fields; the common ones (cniVersion,
// name, type, ipam, dns, prevResult) come from netconf.Load.
type NetConf struct {
	// IPMasq masquerades traffic from the container's addresses leaving
	// for anything outside their subnets.
	IPMasq bool `json:"ipMasq,omitempty"`
	// IPMasqBackend is "iptables" or "nftables"; empty picks one.
	IPMasqBackend string `json:"ipMasqBackend,omitempty"`
	// MTU of both ends of the veth; 0 keeps the kernel's.
	MTU int `json:"mtu,omitempty"`
}

// loadConf decodes and validates the config.
func loadConf(stdin []byte) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(stdin, conf)
	if err != nil {
		return nil, nil, err
	}
	if conf.MTU < 0 {
		return nil, nil, netconf.Invalid("invalid mtu %d: must not be negative", conf.MTU)
	}
	switch conf.IPMasqBackend {
	case "", "iptables", "nftables":
	default:
		return nil, nil, netconf.Invalid("invalid ipMasqBackend %q: want iptables or nftables", conf.IPMasqBackend)
	}
	if common.IPAM.Type == "" {
		return nil, nil, netconf.Invalid("ipam: type is missing: ptp needs an IPAM plugin for its addresses")
	}
	return conf, common, nil
}

// cmdAdd runs the IPAM plugin, creates and configures the veth pair, and
// prints the result. A failure after the IPAM ADD deletes the pair and
// runs the IPAM DEL: a failed ADD leaves nothing behind.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	r, err := ipam.ExecAdd(common.IPAM.Type, args.StdinData)
	if err != nil {
		return err
	}
	// paired says the veth pair is ours to delete: setupContainer deletes
	// what it made when it fails, and an interface of the same name that
	// was there before is not ours.
	ok, paired := false, false
	defer func() {
		if !ok {
			rollback(conf, common, args, paired)
		}
	}()
	res, err := current.NewResultFromResult(r)
	if err != nil {
		return fmt.Errorf("convert IPAM result: %w", err)
	}
	if err := checkIPs(res); err != nil {
		return err
	}
	hostNS, err := ns.GetCurrentNS()
	if err != nil {
		return fmt.Errorf("open host namespace: %w", err)
	}
	defer hostNS.Close()
	if err := ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return setupContainer(hostNS, args.Netns, args.IfName, conf.MTU, res)
	}); err != nil {
		return err
	}
	paired = true
	if err := setupHost(res.Interfaces[0].Name, res); err != nil {
		return err
	}
	if err := setupMasq(conf, common, args, res); err != nil {
		return err
	}
	if !common.DNS.IsEmpty() {
		res.DNS = common.DNS
	}
	if err := netconf.PrintResult(res, common.CNIVersion); err != nil {
		return err
	}
	ok = true
	return nil
}

// rollback undoes a failed ADD: the masquerade rules, the veth pair when
// paired, and the IPAM allocation. Failures are logged: the ADD's own
// error is what the runtime needs to see.
func rollback(conf *NetConf, common *netconf.Common, args *skel.CmdArgs, paired bool) {
	if conf.IPMasq {
		if err := ipmasq.Teardown(nil, common.Name, args.IfName, args.ContainerID); err != nil {
			logf("roll back ADD: %v", err)
		}
	}
	if paired {
		if err := link.DeleteIn(args.Netns, args.IfName); err != nil {
			logf("roll back ADD: %v", err)
		}
	}
	if err := ipam.ExecDel(common.IPAM.Type, args.StdinData); err != nil {
		logf("roll back ADD: IPAM DEL: %v", err)
	}
}

// cmdCheck runs the IPAM plugin's CHECK and compares the container end
// with the prevResult.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	if common.PrevResult == nil {
		return netconf.Invalid("required prevResult missing")
	}
	if err := ipam.ExecCheck(common.IPAM.Type, args.StdinData); err != nil {
		return err
	}
	res := common.PrevResult
	if _, _, err := link.FindInterface(res, args.IfName, args.Netns); err != nil {
		return err
	}
	if err := ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		return withHandle(func(h *netlinksafe.Handle) error { return checkContainer(h, args.IfName, res) })
	}); err != nil {
		return err
	}
	return checkMasq(conf, common, args, res)
}

// delConf is what DEL reads: teardown needs no more, and a config ADD
// would refuse must still be deleted.
type delConf struct {
	Name   string `json:"name"`
	IPMasq bool   `json:"ipMasq"`
	IPAM   struct {
		Type string `json:"type"`
	} `json:"ipam"`
}

// cmdDel runs the IPAM plugin's DEL and deletes the veth pair (the host
// end and its routes go with the container end). A namespace or link that
// is already gone is not an error, so DEL can be repeated.
func cmdDel(args *skel.CmdArgs) error {
	var conf delConf
	if err := json.Unmarshal(args.StdinData, &conf); err != nil {
		logf("DEL: undecodable config, nothing to tear down: %v", err)
		return nil
	}
	var errs []error
	if conf.IPAM.Type != "" {
		if err := ipam.ExecDel(conf.IPAM.Type, args.StdinData); err != nil {
			var terr *types.Error
			if errors.As(err, &terr) {
				return err // the IPAM plugin's error, code untouched
			}
			errs = append(errs, err)
		}
	}
	// The masquerade rules are in this namespace: they go also when the
	// container's namespace is already gone.
	errs = append(errs, teardownMasq(conf, args))
	if args.Netns != "" {
		errs = append(errs, link.DeleteIn(args.Netns, args.IfName))
	}
	return errors.Join(errs...)
}

// cmdGC runs the IPAM plugin's GC and removes the masquerade rules of
// attachments that are gone.
func cmdGC(args *skel.CmdArgs) error {
	_, common, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	if err := ipam.ExecGC(common.IPAM.Type, args.StdinData); err != nil {
		return err
	}
	return gcMasq(common)
}

// cmdStatus reports the IPAM plugin's STATUS.
func cmdStatus(args *skel.CmdArgs) error {
	_, common, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	return ipam.ExecStatus(common.IPAM.Type, args.StdinData)
}

// logf writes a diagnostic to stderr; stdout carries only the result.
func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "ptp: "+format+"\n", a...)
}
