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

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
)

// ExecAdd runs ADD of the IPAM plugin named plugin, found in CNI_PATH, with
// netconf on its stdin and the CNI_* environment of this process. An error
// the plugin reports (a *types.Error) is returned unchanged, so its code
// reaches the runtime.
func ExecAdd(plugin string, netconf []byte) (types.Result, error) {
	return invoke.DelegateAdd(context.TODO(), plugin, netconf, nil)
}

// ExecCheck runs CHECK of the IPAM plugin, as ExecAdd does ADD.
func ExecCheck(plugin string, netconf []byte) error {
	return invoke.DelegateCheck(context.TODO(), plugin, netconf, nil)
}

// ExecDel runs DEL of the IPAM plugin, as ExecAdd does ADD.
func ExecDel(plugin string, netconf []byte) error {
	return invoke.DelegateDel(context.TODO(), plugin, netconf, nil)
}

// ExecGC runs GC of the IPAM plugin, as ExecAdd does ADD.
func ExecGC(plugin string, netconf []byte) error {
	return invoke.DelegateGC(context.TODO(), plugin, netconf, nil)
}

// ExecStatus runs STATUS of the IPAM plugin, as ExecAdd does ADD.
func ExecStatus(plugin string, netconf []byte) error {
	return invoke.DelegateStatus(context.TODO(), plugin, netconf, nil)
}
