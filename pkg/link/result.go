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
	"errors"
	"fmt"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// ErrNoIPConfig is the error of an ADD whose IPAM plugin succeeded without
// an IP configuration: an error object, {} or an unversioned 0.1.0 result
// printed with exit status 0 all decode to a result without addresses. The
// message is upstream's, word for word, for those who search logs for it.
var ErrNoIPConfig = errors.New("IPAM plugin returned missing IP config")

// FromIPAM makes the result of a link plugin's ADD from r, the result of
// the IPAM plugin ipamType in the version it printed: it converts r to the
// current version and puts every address on intf, the only interface of
// the result. A result with a null ips or routes element is an error (the
// library's conversion would dereference it), and so is one without any
// address (ErrNoIPConfig), as upstream's plugins refuse it: a link that
// comes up without the addresses the config asked for is not a success.
// The interfaces the IPAM plugin named, if any, are dropped, as upstream
// drops them.
func FromIPAM(ipamType string, r types.Result, intf *current.Interface) (*current.Result, error) {
	if r == nil {
		return nil, ErrNoIPConfig
	}
	if cur, ok := r.(*current.Result); ok && cur != nil {
		// Dropped below anyway, as upstream drops them, null or not. A
		// 0.3.x/0.4.0 result's are still checked: converting it would
		// dereference them.
		cur.Interfaces = nil
	}
	what := "result of ipam plugin " + ipamType
	if err := netconf.NullElement(r, what); err != nil {
		return nil, err
	}
	res, err := current.NewResultFromResult(r)
	if err != nil {
		return nil, fmt.Errorf("convert %s: %w", what, err)
	}
	if len(res.IPs) == 0 {
		return nil, ErrNoIPConfig
	}
	return withInterface(res, intf), nil
}

// withInterface makes intf the only interface of res and puts every
// address of res on it.
func withInterface(res *current.Result, intf *current.Interface) *current.Result {
	res.Interfaces = []*current.Interface{intf}
	for _, ipc := range res.IPs {
		ipc.Interface = current.Int(0)
	}
	return res
}

// InterfaceFromPrev returns the name of the one interface prevResult
// names, which a plugin chained after another without a master of its own
// sits on (upstream's ipvlan does the same). Anything but exactly one
// interface with a name is a configuration error (code 7).
func InterfaceFromPrev(prev *current.Result) (string, error) {
	if prev == nil {
		return "", netconf.Invalid("no prevResult to take the master from")
	}
	if len(prev.Interfaces) != 1 {
		return "", netconf.Invalid("take the master from prevResult: want exactly one interface, prevResult has %d", len(prev.Interfaces))
	}
	if intf := prev.Interfaces[0]; intf == nil || intf.Name == "" {
		return "", netconf.Invalid("take the master from prevResult: its interface has no name")
	}
	return prev.Interfaces[0].Name, nil
}

// CheckIfName refuses, with code 4 (invalid environment variables), a
// CNI_IFNAME the kernel would not create as written: a '%' makes the
// kernel take the name as a template ("eth%d" becomes eth0, eth1, ...;
// dev_alloc_name in net/core/dev.c), so the link would get another name
// than the one the runtime asked for and would be left behind.
func CheckIfName(ifName string) error {
	if strings.ContainsRune(ifName, '%') {
		return types.NewError(types.ErrInvalidEnvironmentVariables,
			fmt.Sprintf("invalid interface name %q: contains %%, which the kernel expands as a template", ifName), "")
	}
	return nil
}
