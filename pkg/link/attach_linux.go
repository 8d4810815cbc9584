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
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
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
	// Remove, when set, undoes Create in Rollback's stead of deleting the
	// link (for example a link that was moved in and goes back); it runs
	// after the IPAM DEL, and its error goes to stderr. Unset, the link
	// args.IfName is deleted in the container.
	Remove func() error
}

// Add is the ADD of a link plugin whose config common describes: it
// creates the link, gets its addresses from the IPAM plugin, configures
// the link inside the container and prints the result with the config's
// DNS, in the config's version. When a step fails after the link exists,
// Rollback undoes the ADD. A CNI_NETNS that is the plugin's own namespace
// is refused before anything is done (ns.RefuseOwn).
//
// The IPAM plugin's ADD runs while the link is created: neither needs the
// other, and the IPAM plugin's process start is most of what delegating
// costs. If the link cannot be created, what the IPAM plugin allocated is
// released again.
func Add(common *netconf.Common, args *skel.CmdArgs, a Adder) error {
	if err := ns.RefuseOwn(args.Netns, args.NetnsOverride); err != nil {
		return err
	}
	if err := CheckIfName(args.IfName); err != nil {
		return err
	}
	netns, err := ns.GetNS(args.Netns)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer netns.Close()

	var allocation chan ipamAdd
	if common.IPAM.Type != "" {
		allocation = make(chan ipamAdd, 1)
		go func() {
			r, err := ipam.ExecAdd(common.IPAM.Type, args.StdinData)
			allocation <- ipamAdd{r, err}
		}()
	}
	// release undoes the IPAM ADD when the link could not be created.
	release := func() {
		if allocation == nil {
			return
		}
		if got := <-allocation; got.err == nil {
			if err := ipam.ExecDel(common.IPAM.Type, args.StdinData); err != nil {
				fmt.Fprintf(os.Stderr, "%s: release ipam allocation after failed add: %v\n", a.Plugin, err)
			}
		}
	}
	// One netlink socket in the container serves every step there.
	cont, err := OpenIn(netns)
	if err != nil {
		release()
		return fmt.Errorf("open netns %q: %w", args.Netns, err)
	}
	defer cont.Close()
	intf, err := a.Create(netns, cont)
	if err != nil {
		release()
		return err
	}
	// From here on the link exists: any failure removes it and releases
	// what IPAM allocated, whichever step failed.
	success := false
	defer func() {
		if !success {
			rollback(a.Plugin, common.IPAM.Type, args, a.Remove)
		}
	}()

	var res *current.Result
	switch {
	case allocation != nil:
		if res, err = allocated(common.IPAM.Type, <-allocation, intf); err != nil {
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
	if err := netns.Do(func(ns.NetNS) error { return a.Configure(cont, args.IfName, res) }); err != nil {
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

// ipamAdd is what the IPAM plugin's ADD returned.
type ipamAdd struct {
	res types.Result
	err error
}

// allocated makes what the IPAM plugin's ADD returned the result of the
// link intf (FromIPAM). A *types.Error from the IPAM plugin passes through
// unchanged.
func allocated(ipamType string, got ipamAdd, intf *current.Interface) (*current.Result, error) {
	if got.err != nil {
		return nil, got.err
	}
	return FromIPAM(ipamType, got.res, intf)
}

// Rollback undoes a failed ADD of a link plugin once its link exists: the
// IPAM DEL (when ipamType is set; DEL is idempotent, so it is safe also when
// the IPAM ADD itself failed halfway), then the deletion of args.IfName in
// the container. Its own errors go to stderr, prefixed with plugin: the
// caller returns the error that made the ADD fail.
func Rollback(plugin, ipamType string, args *skel.CmdArgs) {
	rollback(plugin, ipamType, args, nil)
}

// rollback is Rollback with remove, when not nil, in the stead of the
// link's deletion (Adder.Remove).
func rollback(plugin, ipamType string, args *skel.CmdArgs, remove func() error) {
	if ipamType != "" {
		if err := ipam.ExecDel(ipamType, args.StdinData); err != nil {
			fmt.Fprintf(os.Stderr, "%s: release ipam allocation after failed add: %v\n", plugin, err)
		}
	}
	if remove != nil {
		if err := remove(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: undo %s after failed add: %v\n", plugin, args.IfName, err)
		}
		return
	}
	if err := DeleteIn(args.Netns, args.IfName); err != nil {
		fmt.Fprintf(os.Stderr, "%s: delete %s after failed add: %v\n", plugin, args.IfName, err)
	}
}
