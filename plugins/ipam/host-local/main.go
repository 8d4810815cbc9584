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

// Command host-local is an IPAM plugin that allocates addresses from range
// sets and records them on the local disk, one file per address. See
// README.md for the configuration.
package main

import (
	"fmt"
	"net"
	"os"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/skel"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/disk"
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
	}, version.All, buildversion.BuildString("host-local"))
}

// logf writes a diagnostic line to stderr; stdout carries only the result.
func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "host-local: "+format+"\n", a...)
}

// withAllocator loads the config (the range sets only when withRanges, see
// loadConfig) and runs f with it and an allocator over its network's disk
// store, which it closes when f returns.
func withAllocator(args *skel.CmdArgs, withRanges bool, f func(*Config, *allocator.Allocator) error) error {
	c, err := loadConfig(args.StdinData, args.Args, withRanges)
	if err != nil {
		return err
	}
	return c.openAllocator(func(a *allocator.Allocator) error { return f(c, a) })
}

// openAllocator opens the disk store of the config's network and runs f
// with an allocator over it, closing the store when f returns.
func (c *Config) openAllocator(f func(*allocator.Allocator) error) error {
	d, err := disk.New(c.IPAM.DataDir, c.Network)
	if err != nil {
		return err
	}
	// Closed as a backend.Store: releasing the store's lock is best
	// effort once the verb's work is done or has failed.
	var st backend.Store = d
	defer st.Close()
	return f(&allocator.Allocator{Sets: c.Sets, Store: st, Warn: logf})
}

// attachment is the container interface a verb is about.
func attachment(args *skel.CmdArgs) backend.Attachment {
	return backend.Attachment{ContainerID: args.ContainerID, IfName: args.IfName}
}

// cmdAdd allocates an address in every range set. resolvConf is read
// before the store is opened, so that a bad one fails before the network's
// directory is created.
func cmdAdd(args *skel.CmdArgs) error {
	c, err := loadConfig(args.StdinData, args.Args, true)
	if err != nil {
		return err
	}
	res := &current.Result{CNIVersion: current.ImplementedSpecVersion, Routes: c.IPAM.Routes}
	if c.IPAM.ResolvConf != "" {
		dns, err := parseResolvConf(c.IPAM.ResolvConf)
		if err != nil {
			return err
		}
		res.DNS = *dns
	}
	return c.openAllocator(func(a *allocator.Allocator) error {
		var err error
		if res.IPs, err = a.Allocate(attachment(args), c.Requested); err != nil {
			return err
		}
		return netconf.PrintResult(res, c.CNIVersion)
	})
}

// cmdCheck verifies that the attachment still holds an address in every
// range set, and that the prevResult's addresses from these ranges are
// recorded for it.
func cmdCheck(args *skel.CmdArgs) error {
	return withAllocator(args, true, func(c *Config, a *allocator.Allocator) error {
		var expected []net.IP
		if c.PrevResult != nil {
			for i, ipc := range c.PrevResult.IPs {
				if ipc == nil {
					return netconf.Invalid("check: invalid prevResult.ips[%d]: null", i)
				}
				expected = append(expected, ipc.Address.IP)
			}
		}
		return a.Check(attachment(args), expected)
	})
}

// cmdDel releases whatever the attachment holds; holding nothing is
// success, as the spec requires of DEL.
func cmdDel(args *skel.CmdArgs) error {
	return withAllocator(args, false, func(_ *Config, a *allocator.Allocator) error {
		_, err := a.Release(attachment(args))
		return err
	})
}

// cmdGC releases every allocation of an attachment the runtime no longer
// lists in cni.dev/valid-attachments.
func cmdGC(args *skel.CmdArgs) error {
	return withAllocator(args, false, func(c *Config, a *allocator.Allocator) error {
		valid := make([]backend.Attachment, 0, len(c.ValidAttachments))
		for _, v := range c.ValidAttachments {
			valid = append(valid, backend.Attachment{ContainerID: v.ContainerID, IfName: v.IfName})
		}
		released, err := a.GC(valid)
		for _, r := range released {
			logf("gc: released %s", r)
		}
		return err
	})
}

// cmdStatus fails with code 50 when a range set has no free address.
func cmdStatus(args *skel.CmdArgs) error {
	return withAllocator(args, true, func(_ *Config, a *allocator.Allocator) error {
		return a.Status()
	})
}
