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

// Command static is an IPAM plugin that hands out the addresses, routes and
// DNS settings written in its configuration (or passed by the runtime in
// CNI_ARGS, args.cni.ips or runtimeConfig.ips). It allocates nothing, so
// DEL, GC and STATUS have no state to act on.
package main

import (
	"fmt"
	"net"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/skel"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
	// One P for the Go scheduler: see the package.
	_ "github.com/containernetworking/plugins/pkg/utils/gomaxprocs"
)

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("static"))
}

// NetConf holds the keys of the network config that static reads itself;
// the keys every plugin shares come from netconf.Common.
type NetConf struct {
	IPAM          *IPAMConfig    `json:"ipam"`
	RuntimeConfig *RuntimeConfig `json:"runtimeConfig,omitempty"`
}

// IPAMConfig is the "ipam" object, as written by the user. Addresses and
// routes are kept as text so that validate can name the offending value.
type IPAMConfig struct {
	Type      string             `json:"type"`
	Addresses []AddressConf      `json:"addresses,omitempty"`
	Routes    netconf.RouteConfs `json:"routes,omitempty"`
	DNS       types.DNS          `json:"dns"`
}

// AddressConf is one entry of ipam.addresses.
type AddressConf struct {
	Address string `json:"address"`
	Gateway string `json:"gateway,omitempty"`
}

// RouteConf is one entry of ipam.routes, with every field of the spec's
// route object.
type RouteConf = netconf.RouteConf

// RuntimeConfig is the part of "runtimeConfig" static understands: the
// "ips" capability.
type RuntimeConfig struct {
	IPs []string `json:"ips,omitempty"`
}

// EnvArgs are the CNI_ARGS keys static accepts: IP=cidr[,cidr] adds
// addresses and GATEWAY=ip[,ip] sets the gateway of the addresses whose
// subnet contains it.
type EnvArgs struct {
	types.CommonArgs
	IP      types.UnmarshallableString `json:"ip,omitempty"`
	GATEWAY types.UnmarshallableString `json:"gateway,omitempty"`
}

// cmdAdd prints the configured addresses, routes and DNS settings as the
// result, in the config's spec version.
func cmdAdd(args *skel.CmdArgs) error {
	conf, err := loadConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	return netconf.PrintResult(conf.Result(), conf.CNIVersion)
}

// cmdCheck validates the config again and checks the prevResult, which
// CHECK requires (as upstream's static does): it must hold every address
// static hands out, with the configured gateway where one is configured.
// Addresses of the prevResult that static does not hand out (another
// plugin's) are not its business.
func cmdCheck(args *skel.CmdArgs) error {
	conf, err := loadConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	if conf.PrevResult == nil {
		return netconf.Invalid("check: no prevResult; CHECK needs the result of ADD")
	}
	for i, have := range conf.PrevResult.IPs {
		if have == nil {
			return netconf.Invalid("check: invalid prevResult.ips[%d]: null", i)
		}
	}
	for _, a := range conf.Addresses {
		var found *current.IPConfig
		for _, have := range conf.PrevResult.IPs {
			if have.Address.IP.Equal(a.Address.IP) {
				found = have
				break
			}
		}
		if found == nil {
			return fmt.Errorf("check address %s: missing from prevResult", a.Address.String())
		}
		if a.Gateway != nil && !a.Gateway.Equal(found.Gateway) {
			return fmt.Errorf("check address %s: prevResult has gateway %s, the config %s", a.Address.String(), gwText(found.Gateway), a.Gateway)
		}
	}
	return nil
}

// gwText names a gateway for messages, "none" when unset.
func gwText(gw net.IP) string {
	if gw == nil {
		return "none"
	}
	return gw.String()
}

// cmdDel succeeds without looking at the config: static keeps no state, and
// DEL must succeed even for a config that is no longer valid.
func cmdDel(_ *skel.CmdArgs) error {
	return nil
}

// cmdGC succeeds: static allocates nothing, so there is nothing to collect.
func cmdGC(_ *skel.CmdArgs) error {
	return nil
}

// cmdStatus succeeds: static needs no daemon, store or address pool, so it
// is always ready for ADD.
func cmdStatus(_ *skel.CmdArgs) error {
	return nil
}
