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

// Command tuning is a chained CNI plugin that changes the sysctls of the
// container's network namespace and the attributes of the interface a
// previous plugin made (MAC, MTU, promiscuous and all-multicast modes,
// transmit queue length), and puts the attributes back on DEL.
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
	}, version.All, buildversion.BuildString("tuning"))
}

// load decodes the config and resolves the settings of one attachment; a
// chained plugin needs the prevResult.
func load(args *skel.CmdArgs) (*NetConf, *netconf.Common, *settings, error) {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return nil, nil, nil, err
	}
	if common.PrevResult == nil {
		return nil, nil, nil, netconf.Invalid("required prevResult missing: tuning is chained after an interface plugin")
	}
	s, err := conf.resolve(args.Args, args.IfName)
	if err != nil {
		return nil, nil, nil, err
	}
	return conf, common, s, nil
}

// inNetNS runs f with a netlink handle in the namespace at path, on a
// thread in that namespace (sysctls are the calling thread's).
func inNetNS(path string, f func(h *netlinksafe.Handle) error) error {
	return ns.WithNetNSPath(path, func(ns.NetNS) error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return fmt.Errorf("open netlink socket: %w", err)
		}
		defer h.Close()
		return f(h)
	})
}

// cmdAdd applies the settings and prints the prevResult with the
// interface's new MAC.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, s, err := load(args)
	if err != nil {
		return err
	}
	if err := checkAllowed(s.sysctls, allowlistPath); err != nil {
		return err
	}
	file := statePath(conf.dataDir(), args.ContainerID, args.IfName)
	if err := inNetNS(args.Netns, func(h *netlinksafe.Handle) error {
		return tune(h, args.IfName, s, file)
	}); err != nil {
		return err
	}
	res := common.PrevResult
	if s.mac != nil {
		setResultMAC(res, args.IfName, s.mac.String())
	}
	return netconf.PrintResult(res, common.CNIVersion)
}

// setResultMAC updates the container interface ifName of res: the
// interfaces with a sandbox are the container's.
func setResultMAC(res *current.Result, ifName, mac string) {
	for _, iface := range res.Interfaces {
		if iface != nil && iface.Name == ifName && iface.Sandbox != "" {
			iface.Mac = mac
		}
	}
}

// cmdCheck verifies the sysctls and the interface's attributes.
func cmdCheck(args *skel.CmdArgs) error {
	_, _, s, err := load(args)
	if err != nil {
		return err
	}
	return inNetNS(args.Netns, func(h *netlinksafe.Handle) error {
		return checkTuned(h, args.IfName, s)
	})
}

// cmdDel puts back the attributes ADD changed, from the state file, and
// removes the file. It reads only dataDir from the config and never fails:
// a runtime retries a failing DEL forever. Without a namespace (a runtime's
// second DEL) the file is kept for a DEL that has one, as upstream does;
// when the namespace is gone there is nothing left to restore.
func cmdDel(args *skel.CmdArgs) error {
	var conf struct {
		DataDir string `json:"dataDir"`
	}
	_ = json.Unmarshal(args.StdinData, &conf)
	dir := conf.DataDir
	if dir == "" {
		dir = defaultDataDir
	}
	file := statePath(dir, args.ContainerID, args.IfName)
	st, err := readState(file)
	if err != nil {
		logf("%v; removing it", err)
		_ = os.Remove(file)
		return nil
	}
	if st == nil || args.Netns == "" {
		return nil
	}
	err = inNetNS(args.Netns, func(h *netlinksafe.Handle) error {
		return restore(h, args.IfName, st)
	})
	var notExist *ns.PathNotExistError
	var notNS *ns.NotNetNSError
	if err != nil && !errors.As(err, &notExist) && !errors.As(err, &notNS) {
		logf("restore %s: %v", args.IfName, err)
	}
	_ = os.Remove(file)
	return nil
}

// cmdGC has nothing to collect: DEL removes an attachment's state file, and
// the data directory may be shared by several networks, so files of
// attachments GC does not list are not this network's to remove.
func cmdGC(*skel.CmdArgs) error { return nil }

// cmdStatus reports ready: the plugin needs nothing beyond its config.
func cmdStatus(*skel.CmdArgs) error { return nil }

// logf writes a diagnostic to stderr; stdout carries only the result.
func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "tuning: "+format+"\n", a...)
}
