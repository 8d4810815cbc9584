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
	"bytes"
	"fmt"
	"os"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/skel"
)

// Adder is what the ADD of a link plugin does its own way; Add does the
// rest.
type Adder struct {
	// Plugin names the plugin in diagnostics.
	Plugin string
	// Create creates the link args.IfName inside netns, whose netlink
	// socket is cont, and returns it as a result interface.
	Create func(netns ns.NetNS, cont *netlinksafe.Handle) (*current.Interface, error)
	// WithoutIPAM, when set, returns the result the link is configured
	// with when the config names no IPAM plugin (for example the previous
	// plugin's addresses). Unset, such a link comes up without addresses.
	WithoutIPAM func() *current.Result
	// Configure, run inside the container namespace with cont its netlink
	// socket there, gives the link ifName the addresses and routes of res
	// and brings it up (for example ipam.ConfigureIfaceWith).
	Configure func(cont *netlinksafe.Handle, ifName string, res *current.Result) error
}

// Add is the ADD of a link plugin whose config common describes: it
// creates the link, gets its addresses from the IPAM plugin, configures
// the link inside the container and prints the result with the config's
// DNS, in the config's version. When a step fails after the link exists,
// Rollback undoes the ADD.
//
// The IPAM plugin's process is started before the link is created — by
// StartIPAM as soon as the config was read, when the plugin's dispatcher
// has that hook — and given its config once the link exists
// (ipam.PendingAdd says why), so the two overlap; if the link cannot be
// created, the IPAM plugin is cancelled before it has seen its config.
func Add(common *netconf.Common, args *skel.CmdArgs, a Adder) error {
	if err := CheckIfName(args.IfName); err != nil {
		return err
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()

	pending := takeIPAM(common.IPAM.Type, args.StdinData)
	if pending == nil && common.IPAM.Type != "" {
		if pending, err = ipam.StartAdd(common.IPAM.Type, args.StdinData); err != nil {
			return err
		}
	}
	// One netlink socket in the container serves every step there.
	cont, err := OpenIn(netns)
	if err != nil {
		if pending != nil {
			pending.Cancel()
		}
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer cont.Close()
	intf, err := a.Create(netns, cont)
	if err != nil {
		if pending != nil {
			pending.Cancel()
		}
		return err
	}
	// From here on the link exists: any failure removes it and releases
	// what IPAM allocated, whichever step failed.
	success := false
	defer func() {
		if !success {
			Rollback(a.Plugin, common.IPAM.Type, args)
		}
	}()

	var res *current.Result
	switch {
	case pending != nil:
		if res, err = allocated(common.IPAM.Type, pending, intf); err != nil {
			return err
		}
	case a.WithoutIPAM != nil:
		res = a.WithoutIPAM()
		if err := netconf.NullElement(res, "prevResult"); err != nil {
			return netconf.Invalid("%v", err)
		}
	}
	if res == nil {
		res = &current.Result{CNIVersion: current.ImplementedSpecVersion}
	}
	res = withInterface(res, intf)
	err = netns.Do(func(ns.NetNS) error { return a.Configure(cont, args.IfName, res) })
	if pending != nil {
		// The IPAM plugin's result stands only once it has exited
		// successfully (ipam.PendingAdd); if it failed, that is the error
		// to report, whatever configuring made of its output.
		if xerr := pending.Exited(); xerr != nil {
			return xerr
		}
	}
	if err != nil {
		return err
	}
	// The config's dns is the result's, as upstream has it; the IPAM
	// plugin's stays only when the config has none at all.
	if !common.DNS.IsEmpty() {
		res.DNS = common.DNS
	}
	// Printing converts to the config's version, which can fail (a 0.2.0
	// result needs an address): only a printed result is a success.
	if err := netconf.PrintResult(res, common.CNIVersion); err != nil {
		return err
	}
	success = true
	return nil
}

// early is the IPAM plugin StartIPAM started for this process's ADD, until
// Add takes it over.
var early *earlyIPAM

type earlyIPAM struct {
	typ     string
	stdin   []byte
	pending *ipam.PendingAdd
}

// StartIPAM, a skel.Dispatcher EarlyAdd hook, starts the ADD of the IPAM
// plugin the config names as soon as the config is read, for Add to take
// over: the process start then overlaps the decoding and checking of the
// config as well as the creation of the link. It starts nothing when the
// type cannot be read without decoding the config (netconf.IPAMType) or
// the plugin cannot be started; Add then starts it and reports why not.
// The function it returns cancels the plugin if Add did not take it over —
// because the config or CNI_NETNS was refused, or Add named another IPAM
// type — before the plugin has seen its config (ipam.PendingAdd).
func StartIPAM(stdin []byte) (done func()) {
	typ, ok := netconf.IPAMType(stdin)
	if !ok || typ == "" {
		return nil
	}
	pending, err := ipam.StartAdd(typ, stdin)
	if err != nil {
		return nil
	}
	early = &earlyIPAM{typ: typ, stdin: stdin, pending: pending}
	return func() {
		if e := early; e != nil {
			early = nil
			e.pending.Cancel()
		}
	}
}

// takeIPAM returns the IPAM plugin StartIPAM started, if it is the ADD of
// typ with stdin as its config; one that is not is cancelled.
func takeIPAM(typ string, stdin []byte) *ipam.PendingAdd {
	e := early
	if e == nil {
		return nil
	}
	early = nil
	if e.typ != typ || !bytes.Equal(e.stdin, stdin) {
		e.pending.Cancel()
		return nil
	}
	return e.pending
}

// allocated hands the IPAM plugin ipamType its config, waits for its
// result and makes it the result of the link intf (FromIPAM). A
// *types.Error from the IPAM plugin passes through unchanged; so does the
// failure of an IPAM plugin that printed something else than a result
// before it failed, which says more than what it printed.
func allocated(ipamType string, pending *ipam.PendingAdd, intf *current.Interface) (*current.Result, error) {
	r, err := pending.Result()
	if err != nil {
		return nil, err
	}
	res, err := FromIPAM(ipamType, r, intf)
	if err != nil {
		if xerr := pending.Exited(); xerr != nil {
			return nil, xerr
		}
		return nil, err
	}
	return res, nil
}

// Rollback undoes a failed ADD of a link plugin once its link exists: the
// IPAM DEL (when ipamType is set; DEL is idempotent, so it is safe also when
// the IPAM ADD itself failed halfway), then the deletion of args.IfName in
// the container. Its own errors go to stderr, prefixed with plugin: the
// caller returns the error that made the ADD fail.
func Rollback(plugin, ipamType string, args *skel.CmdArgs) {
	if ipamType != "" {
		if err := ipam.ExecDel(ipamType, args.StdinData); err != nil {
			fmt.Fprintf(os.Stderr, "%s: release ipam allocation after failed add: %v\n", plugin, err)
		}
	}
	if err := DeleteIn(args.Netns, args.IfName); err != nil {
		fmt.Fprintf(os.Stderr, "%s: delete %s after failed add: %v\n", plugin, args.IfName, err)
	}
}
