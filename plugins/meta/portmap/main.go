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

// Command portmap is a chained CNI plugin that forwards ports of the host to
// the container: the runtime's portMappings capability (hostPort,
// containerPort, protocol, hostIP) becomes DNAT rules in the host namespace,
// with iptables (the default) or nftables, and masquerading for hairpin and
// localhost traffic. The rules, chains and comments are the ones upstream's
// plugin of the same name writes, so that either can remove the other's.
package main

import (
	"errors"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
)

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("portmap"))
}

// cmdAdd installs the rules of the runtime's port mappings for the
// container addresses of prevResult and passes prevResult through. A
// failed ADD removes whatever it installed.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	if common.PrevResult == nil {
		return netconf.Invalid("missing prevResult: portmap must be called as a chained plugin")
	}
	if len(conf.mappings) > 0 {
		p := newPlan(conf, common, args.ContainerID)
		b, err := conf.backend()
		if err != nil {
			return err
		}
		if err := b.add(p); err != nil {
			// Nothing of a failed ADD stays behind.
			return errors.Join(err, b.del(p.name, p.containerID))
		}
		if p.snat() && p.v4 != nil {
			enableLocalnet(p.v4.ip)
		}
	}
	return netconf.PrintResult(common.PrevResult, common.CNIVersion)
}

// cmdCheck verifies that the rules of the port mappings are in place.
func cmdCheck(args *skel.CmdArgs) error {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	if common.PrevResult == nil {
		return netconf.Invalid("missing prevResult: portmap must be called as a chained plugin")
	}
	if len(conf.mappings) == 0 {
		return nil
	}
	b, err := conf.backend()
	if err != nil {
		return err
	}
	return b.check(newPlan(conf, common, args.ContainerID))
}

// cmdDel removes the container's rules. It reads only the network name,
// the backend and the container ID: prevResult and the mappings may be
// missing (containerd's second DEL) or invalid, and a second DEL finds
// nothing and succeeds.
func cmdDel(args *skel.CmdArgs) error {
	name, backend := loadDelConf(args.StdinData)
	b, err := backendNamed(backend)
	if err != nil {
		// An unknown backend installed nothing.
		return nil
	}
	return b.del(name, args.ContainerID)
}

// cmdGC removes the rules of the network's containers that are not among
// its valid attachments.
func cmdGC(args *skel.CmdArgs) error {
	gc, err := loadGCConf(args.StdinData)
	if err != nil {
		return err
	}
	b, err := backendNamed(gc.backend)
	if err != nil {
		return err
	}
	return b.gc(gc.name, gc.valid)
}

// cmdStatus reports whether the configured backend can be used: code 50
// (plugin not available) when it cannot.
func cmdStatus(args *skel.CmdArgs) error {
	conf, _, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	b, err := conf.backend()
	if err != nil {
		return err
	}
	if err := b.status(); err != nil {
		return types.NewError(types.ErrPluginNotAvailable, err.Error(), "")
	}
	return nil
}
