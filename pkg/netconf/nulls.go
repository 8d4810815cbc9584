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

package netconf

import (
	"fmt"

	"github.com/containernetworking/cni/pkg/types"
	types040 "github.com/containernetworking/cni/pkg/types/040"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// NullElement returns an error naming the first null element of the ips,
// routes or interfaces of r, or nil. JSON lets any list element be null
// and the cni library decodes it as a nil pointer, which its conversions
// between versions, and plugins, would dereference. what names r in the
// message ("prevResult", "result of ipam plugin static"). Results before
// 0.3.0 have no lists of pointers; a nil result, typed or not, has no
// elements.
func NullElement(r types.Result, what string) error {
	var ips, routes, interfaces int
	switch r := r.(type) {
	case *current.Result:
		if r == nil {
			return nil
		}
		ips, routes, interfaces = firstNil(r.IPs), firstNil(r.Routes), firstNil(r.Interfaces)
	case *types040.Result:
		if r == nil {
			return nil
		}
		ips, routes, interfaces = firstNil(r.IPs), firstNil(r.Routes), firstNil(r.Interfaces)
	default:
		return nil
	}
	switch {
	case ips >= 0:
		return fmt.Errorf("%s: ips[%d] is null", what, ips)
	case routes >= 0:
		return fmt.Errorf("%s: routes[%d] is null", what, routes)
	case interfaces >= 0:
		return fmt.Errorf("%s: interfaces[%d] is null", what, interfaces)
	}
	return nil
}

// firstNil returns the index of the first nil element of s, or -1.
func firstNil[T any](s []*T) int {
	for i, e := range s {
		if e == nil {
			return i
		}
	}
	return -1
}
