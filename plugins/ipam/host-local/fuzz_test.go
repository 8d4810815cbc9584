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

// FuzzLoadConfig checks that no input crashes the config loader and that
// every rejection is a CNI error object with a code.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(`{"cniVersion":"1.1.0","name":"n","ipam":{"type":"host-local","subnet":"192.0.2.0/24"}}`), "IP=192.0.2.5")
	f.Add([]byte(`{"cniVersion":"0.2.0","name":"n","ipam":{"ranges":[[{"subnet":"2001:db8::/64","rangeStart":"2001:db8::9"}]]}}`), "")
	f.Add([]byte(`{"cniVersion":"1.0.0","name":"n","runtimeConfig":{"ipRanges":[[{"subnet":"198.51.100.0/30"}]],"ips":["198.51.100.2/30"]},"ipam":{}}`), "")
	f.Add([]byte(`{"name":"../x","ipam":{"subnet":"192.0.2.0/24","routes":[{"dst":"0.0.0.0/0","gw":"::1"}]}}`), "IgnoreUnknown=1;A=b")
	f.Fuzz(func(t *testing.T, stdin []byte, cniArgs string) {
		for _, withRanges := range []bool{true, false} {
			c, err := loadConfig(stdin, cniArgs, withRanges)
			if err == nil {
				if c == nil || c.IPAM == nil {
					t.Fatalf("loadConfig(%q) = nil config without error", stdin)
				}
				continue
			}
			var e *types.Error
			if !errors.As(err, &e) || e.Code == 0 {
				t.Fatalf("loadConfig(%q) error %v is not a CNI error with a code", stdin, err)
			}
		}
	})
}
