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

// Command bandwidth is a chained CNI plugin that limits the rate of a
// container's veth: a tbf qdisc on the host end shapes traffic toward the
// container (ingress), and an ifb device, fed by a redirect from the host
// end's ingress qdisc, shapes traffic from it (egress).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
)

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, supportedVersions, buildversion.BuildString("bandwidth"))
}

// supportedVersions are upstream's: results list interfaces from 0.3.0 on,
// and the host end of the veth is found among them.
var supportedVersions = version.PluginSupports("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")

// load decodes the config and resolves the rates; a chained plugin needs
// the prevResult.
func load(args *skel.CmdArgs) (*netconf.Common, shaping, error) {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return nil, shaping{}, err
	}
	if common.PrevResult == nil {
		return nil, shaping{}, netconf.Invalid("required prevResult missing: bandwidth is chained after an interface plugin")
	}
	s, err := conf.resolve()
	if err != nil {
		return nil, shaping{}, err
	}
	return common, s, nil
}

// cmdAdd installs the shaping and prints the prevResult with the ifb
// device added when egress is shaped. A failed ADD removes what it made.
func cmdAdd(args *skel.CmdArgs) (err error) {
	common, s, err := load(args)
	if err != nil {
		return err
	}
	res := common.PrevResult
	if !s.ingress.set() && !s.egress.set() {
		return netconf.PrintResult(res, common.CNIVersion)
	}
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	host, err := hostInterface(h, res, args.Netns, args.IfName)
	if err != nil {
		return err
	}
	var undo []func() error
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				if uerr := undo[i](); uerr != nil {
					logf("roll back: %v", uerr)
				}
			}
		}
	}()
	if s.ingress.set() {
		if err := addTBF(h, host, s.ingress); err != nil {
			return err
		}
		undo = append(undo, func() error { return delRootQdisc(h, host) })
	}
	if s.egress.set() {
		name := ifbName(common.Name, args.ContainerID)
		ifb, err := addIFB(h, name, host.Attrs().MTU)
		if err != nil {
			return err
		}
		undo = append(undo, func() error { return delIFB(h, name) })
		if err := addTBF(h, ifb, s.egress); err != nil {
			return err
		}
		if err := redirectToIFB(h, host, ifb); err != nil {
			return err
		}
		undo = append(undo, func() error { return delIngressQdisc(h, host) })
		res.Interfaces = append(res.Interfaces, &current.Interface{Name: name, Mac: ifb.Attrs().HardwareAddr.String()})
	}
	return netconf.PrintResult(res, common.CNIVersion)
}

// cmdCheck verifies the qdiscs, the ifb device and the redirect.
func cmdCheck(args *skel.CmdArgs) error {
	common, s, err := load(args)
	if err != nil {
		return err
	}
	if !s.ingress.set() && !s.egress.set() {
		return nil
	}
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	host, err := hostInterface(h, common.PrevResult, args.Netns, args.IfName)
	if err != nil {
		return err
	}
	if s.ingress.set() {
		if err := checkTBF(h, host, s.ingress); err != nil {
			return err
		}
	}
	if s.egress.set() {
		name := ifbName(common.Name, args.ContainerID)
		ifb, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("find ifb %s: %w", name, err)
		}
		if err := checkTBF(h, ifb, s.egress); err != nil {
			return err
		}
		if err := checkRedirect(h, host, ifb); err != nil {
			return err
		}
	}
	return nil
}

// cmdDel removes the attachment's ifb device, named from the network name
// and the container ID alone, so it needs neither the namespace nor the
// prevResult nor valid rates, and a second DEL finds nothing to do. The
// qdiscs on the host end go with the veth, as upstream leaves them.
func cmdDel(args *skel.CmdArgs) error {
	var conf struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(args.StdinData, &conf)
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	err = delIFB(h, ifbName(conf.Name, args.ContainerID))
	if errors.Is(err, errNotIFB) {
		// Not ours: a runtime would retry a failing DEL forever.
		logf("%v", err)
		return nil
	}
	return err
}

// cmdGC has nothing to collect: an ifb's name is a hash of its network's
// name and container ID, so the ifb devices of attachments GC does not
// list cannot be told from other networks' ones.
func cmdGC(*skel.CmdArgs) error { return nil }

// cmdStatus reports ready: the plugin needs nothing beyond its config.
func cmdStatus(*skel.CmdArgs) error { return nil }

// logf writes a diagnostic to stderr; stdout carries only the result.
func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bandwidth: "+format+"\n", a...)
}
