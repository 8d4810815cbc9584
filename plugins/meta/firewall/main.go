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

// Command firewall is a chained CNI plugin that lets the addresses of an
// attachment be forwarded through the host: with iptables, rules in the
// filter table's CNI-FORWARD chain (and the isolation chains of an ingress
// policy); with firewalld, the addresses put into a zone.
package main

import (
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
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
	}, version.All, buildversion.BuildString("firewall"))
}

// load decodes the config and the attachment of its prevResult, which a
// chained plugin needs.
func load(args *skel.CmdArgs) (*NetConf, *netconf.Common, *attachment, error) {
	conf, common, err := loadConf(args.StdinData)
	if err != nil {
		return nil, nil, nil, err
	}
	if common.PrevResult == nil {
		return nil, nil, nil, netconf.Invalid("required prevResult missing: firewall is chained after an interface plugin")
	}
	a, err := conf.attachmentOf(common.PrevResult)
	if err != nil {
		return nil, nil, nil, err
	}
	return conf, common, a, nil
}

// backend resolves an empty backend: firewalld when it runs on the system
// bus, iptables otherwise, as upstream's documentation says.
func backend(name string) string {
	if name != "" {
		return name
	}
	if firewalldRunning() {
		return backendFirewalld
	}
	return backendIPTables
}

// withFirewalld runs f on a connection to a running firewalld.
func withFirewalld(f func(*firewalld) error) error {
	fw, err := connectFirewalld()
	if err != nil {
		return err
	}
	defer fw.Close()
	if !fw.running() {
		return fmt.Errorf("firewalld is not running on the D-Bus system bus")
	}
	return f(fw)
}

// cmdAdd makes the rules of the attachment and prints the prevResult.
func cmdAdd(args *skel.CmdArgs) error {
	conf, common, a, err := load(args)
	if err != nil {
		return err
	}
	if backend(conf.Backend) == backendFirewalld {
		err = withFirewalld(func(fw *firewalld) error { return fw.add(a) })
	} else {
		err = iptablesAdd(a)
	}
	if err != nil {
		return err
	}
	return netconf.PrintResult(common.PrevResult, common.CNIVersion)
}

// cmdCheck verifies the rules of the attachment.
func cmdCheck(args *skel.CmdArgs) error {
	conf, _, a, err := load(args)
	if err != nil {
		return err
	}
	if backend(conf.Backend) == backendFirewalld {
		return withFirewalld(func(fw *firewalld) error { return fw.check(a) })
	}
	return iptablesCheck(a)
}

// cmdDel removes the rules of the attachment's addresses. It reads only
// what teardown needs (backend, firewalldZone and the prevResult's
// addresses) and succeeds on a config ADD would refuse: a runtime retries
// a failing DEL forever. Without a prevResult (a runtime's second DEL)
// there is nothing to remove. The rules carry no container ID, so there
// is nothing else to find them by.
func cmdDel(args *skel.CmdArgs) error {
	conf := &NetConf{}
	common, err := netconf.Load(args.StdinData, conf)
	if err != nil {
		// Undecodable: ADD refused it, so it made nothing.
		logf("DEL: %v", err)
		return nil
	}
	if common.PrevResult == nil {
		return nil
	}
	a := &attachment{ips: resultIPs(common.PrevResult), zone: conf.FirewalldZone}
	if a.zone == "" {
		a.zone = defaultZone
	}
	if len(a.ips) == 0 {
		return nil
	}
	switch backend(conf.Backend) {
	case backendFirewalld:
		fw, err := connectFirewalld()
		if err != nil || !fw.running() {
			// No firewalld, no zone to take the addresses out of.
			if fw != nil {
				fw.Close()
			}
			return nil
		}
		defer fw.Close()
		return fw.del(a)
	default:
		return iptablesDel(a)
	}
}

// cmdGC has nothing to collect: the rules name only addresses, not the
// container they belonged to, so a rule of a gone attachment cannot be
// told from one of a live attachment of another network; upstream's
// plugin collects nothing either.
func cmdGC(*skel.CmdArgs) error { return nil }

// cmdStatus reports ready, as upstream: the plugin needs nothing beyond
// its config and a backend that is looked for when it is used.
func cmdStatus(*skel.CmdArgs) error { return nil }

// logf writes a diagnostic to stderr; stdout carries only the result.
func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "firewall: "+format+"\n", a...)
}
