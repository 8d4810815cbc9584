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
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipam"
)

// Allocate runs the ADD of the IPAM plugin ipamType and converts its result
// to the current type. Without IPAM (empty ipamType) the result is empty:
// the link comes up without addresses. A *types.Error from the IPAM plugin
// passes through unchanged.
func Allocate(ipamType string, stdin []byte) (*current.Result, error) {
	if ipamType == "" {
		return &current.Result{CNIVersion: current.ImplementedSpecVersion}, nil
	}
	r, err := ipam.ExecAdd(ipamType, stdin)
	if err != nil {
		return nil, err
	}
	res, err := current.NewResultFromResult(r)
	if err != nil {
		return nil, fmt.Errorf("convert result of ipam plugin %s: %w", ipamType, err)
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
