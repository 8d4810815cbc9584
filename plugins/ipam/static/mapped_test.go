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

package main

import (
	"errors"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
)

// An IPv4-mapped IPv6 route destination never changes family: it is
// refused (code 7), while an IPv4-mapped address stays IPv4 as before.
func TestMappedDestination(t *testing.T) {
	for _, dst := range []string{"::ffff:0:0/96", "::ffff:192.0.2.0/120", "::ffff:c000:200/120"} {
		_, err := parseRoute(0, RouteConf{Dst: dst, GW: "2001:db8::1"})
		var terr *types.Error
		if !errors.As(err, &terr) || terr.Code != types.ErrInvalidNetworkConfig {
			t.Errorf("parseRoute(dst %q) error = %v, want code 7", dst, err)
		}
	}
	if _, err := parseRoute(0, RouteConf{Dst: "::/0", GW: "2001:db8::1"}); err != nil {
		t.Errorf("parseRoute(dst ::/0) error = %v", err)
	}
	if n, ok := parseCIDR("::ffff:192.0.2.10/120"); !ok || n.String() != "192.0.2.10/24" {
		t.Errorf("parseCIDR(::ffff:192.0.2.10/120) = %v, %v, want 192.0.2.10/24", n, ok)
	}
}
