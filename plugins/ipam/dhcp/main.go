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

//go:build linux

// Command dhcp is the dhcp IPAM plugin and, run as `dhcp daemon`, the
// daemon that holds the DHCP leases. A lease must be renewed for as long as
// the container lives, which a plugin process cannot do, so the plugin asks
// the daemon over a unix socket (Go net/rpc over HTTP, the protocol
// upstream's plugin and daemon speak) to acquire and release leases.
package main

import (
	"errors"
	"fmt"
	"net/rpc"
	"os"
	"path/filepath"
	"syscall"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/pkg/utils/buildversion"
)

// defaultSocketPath is where the daemon listens unless told otherwise.
const defaultSocketPath = "/run/cni/dhcp.sock"

// The RPC methods the daemon serves.
const (
	methodAllocate = "DHCP.Allocate"
	methodRelease  = "DHCP.Release"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "daemon" {
		if err := runDaemon(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "dhcp daemon: %v\n", err)
			os.Exit(1)
		}
		return
	}
	skel.PluginMainFuncs(skel.CNIFuncs{
		Add:    cmdAdd,
		Check:  cmdCheck,
		Del:    cmdDel,
		GC:     cmdGC,
		Status: cmdStatus,
	}, version.All, buildversion.BuildString("dhcp"))
}

// loadConf reads the network config and the daemon socket it names.
func loadConf(stdin []byte) (*netconf.Common, *NetConf, error) {
	conf := &NetConf{}
	c, err := netconf.Load(stdin, conf)
	if err != nil {
		return nil, nil, err
	}
	if conf.IPAM == nil {
		conf.IPAM = &IPAMConfig{}
	}
	return c, conf, nil
}

// socketPath is ipam.daemonSocketPath or the default.
func socketPath(conf *NetConf) string {
	if conf.IPAM != nil && conf.IPAM.DaemonSocketPath != "" {
		return conf.IPAM.DaemonSocketPath
	}
	return defaultSocketPath
}

// cmdAdd asks the daemon for a lease on the container's interface and
// prints it as the result.
func cmdAdd(args *skel.CmdArgs) error {
	c, conf, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	if _, err := parseOptions(conf.IPAM, args.Args); err != nil {
		return err
	}
	res := &current.Result{}
	if err := rpcCall(socketPath(conf), methodAllocate, args, res); err != nil {
		return err
	}
	return netconf.PrintResult(res, c.CNIVersion)
}

// cmdDel asks the daemon to release the lease. It is lenient: a config ADD
// would refuse still releases, and a daemon that is not running holds no
// lease, so there is nothing to release.
func cmdDel(args *skel.CmdArgs) error {
	conf := &NetConf{}
	if _, err := netconf.Load(args.StdinData, conf); err != nil {
		conf = &NetConf{}
	}
	err := rpcCall(socketPath(conf), methodRelease, args, &struct{}{})
	var te *types.Error
	if errors.As(err, &te) && te.Code == types.ErrPluginNotAvailable {
		fmt.Fprintf(os.Stderr, "dhcp: del %s/%s: %v; nothing to release\n", args.ContainerID, args.IfName, err)
		return nil
	}
	return err
}

// cmdCheck checks that the daemon is running: the lease it holds is kept
// current by the daemon itself, and the addresses in the container are the
// link plugin's to check.
func cmdCheck(args *skel.CmdArgs) error {
	_, conf, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	return daemonReachable(socketPath(conf))
}

// cmdGC has nothing to do: leases belong to the daemon, which drops a
// lease when its renewal fails for good (the attachment is gone).
func cmdGC(args *skel.CmdArgs) error {
	_, _, err := loadConf(args.StdinData)
	return err
}

// cmdStatus reports whether the daemon answers: without it no ADD works.
func cmdStatus(args *skel.CmdArgs) error {
	_, conf, err := loadConf(args.StdinData)
	if err != nil {
		return err
	}
	return daemonReachable(socketPath(conf))
}

// errNoDaemon is the cause named when nothing listens on the daemon socket.
var errNoDaemon = errors.New("dhcp daemon not running")

func daemonReachable(path string) error {
	cl, err := dial(path)
	if err != nil {
		return err
	}
	return cl.Close()
}

func dial(path string) (*rpc.Client, error) {
	cl, err := rpc.DialHTTP("unix", path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, types.NewError(types.ErrPluginNotAvailable, fmt.Sprintf("dial %s: %v", path, errNoDaemon), "start it with `dhcp daemon` or its systemd socket")
		}
		return nil, types.NewError(types.ErrTryAgainLater, fmt.Sprintf("dial dhcp daemon at %s: %v", filepath.Clean(path), err), "")
	}
	return cl, nil
}

// rpcCall calls method on the daemon. Errors the daemon returns come back
// as text (net/rpc's ServerError); they are lease failures, code 11 (try
// again later) as the spec names transient failures.
func rpcCall(path, method string, args *skel.CmdArgs, reply any) error {
	cl, err := dial(path)
	if err != nil {
		return err
	}
	defer func() { _ = cl.Close() }()
	if err := cl.Call(method, args, reply); err != nil {
		return types.NewError(types.ErrTryAgainLater, fmt.Sprintf("%s %s/%s: %v", method, args.ContainerID, args.IfName, err), "")
	}
	return nil
}
