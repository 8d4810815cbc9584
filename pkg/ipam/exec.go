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

// Package ipam runs IPAM plugins and applies their results to the
// container's interface. It holds the project's one route path: PlanRoutes
// turns a result's routes into route groups (several gateways to one
// destination become one multipath route), InstallRoutes sends one netlink
// request per group, and CheckIface compares the kernel's routes against the
// plan for CHECK. See Documentation/ecmp.md.
package ipam

import (
	"context"
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// The verbs below delegate to the IPAM plugin named plugin, found in
// CNI_PATH, through the cni library's invoke package: netconf on its stdin,
// this process's environment with CNI_COMMAND set to the verb. An error the
// plugin prints (a *types.Error) is returned unchanged, so that its code
// reaches the runtime.

// ExecAdd runs ADD of the IPAM plugin and returns its result, in the
// version the plugin printed, or the config's when it printed none
// (results before 0.3.0 carry no version).
//
// The plugin runs as invoke.DelegateAdd runs it. A result of the current
// type as plugins print it is decoded in one pass by netconf.DecodeResult;
// anything else is decoded by the library, as invoke.DelegateAdd does.
func ExecAdd(plugin string, conf []byte) (types.Result, error) {
	ctx := context.Background()
	path, err := invoke.FindInPath(plugin, filepath.SplitList(os.Getenv("CNI_PATH")))
	if err != nil {
		return nil, err
	}
	args := &invoke.DelegateArgs{Command: "ADD"}
	out, err := (&invoke.RawExec{Stderr: os.Stderr}).ExecPlugin(ctx, path, conf, args.AsEnv())
	if err != nil {
		return nil, err
	}
	if res, ok := netconf.DecodeResult(out); ok {
		return res, nil
	}
	return invoke.ExecPluginWithResult(ctx, path, conf, args, printed(out))
}

// printed is an invoke.Exec for a plugin that has already run and printed
// itself: it hands the library the output to decode.
type printed []byte

func (p printed) ExecPlugin(context.Context, string, []byte, []string) ([]byte, error) { return p, nil }

func (p printed) FindInPath(plugin string, paths []string) (string, error) {
	return invoke.FindInPath(plugin, paths)
}

func (p printed) Decode(jsonBytes []byte) (version.PluginInfo, error) {
	return (&version.PluginDecoder{}).Decode(jsonBytes)
}

// ExecCheck runs CHECK of the IPAM plugin.
func ExecCheck(plugin string, netconf []byte) error {
	return invoke.DelegateCheck(context.Background(), plugin, netconf, nil)
}

// ExecDel runs DEL of the IPAM plugin.
func ExecDel(plugin string, netconf []byte) error {
	return invoke.DelegateDel(context.Background(), plugin, netconf, nil)
}

// ExecGC runs GC of the IPAM plugin.
func ExecGC(plugin string, netconf []byte) error {
	return invoke.DelegateGC(context.Background(), plugin, netconf, nil)
}

// ExecStatus runs STATUS of the IPAM plugin.
func ExecStatus(plugin string, netconf []byte) error {
	return invoke.DelegateStatus(context.Background(), plugin, netconf, nil)
}
