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
	"encoding/json"
	"fmt"
	"testing"
)

// hostLocalBenchConfig returns a dual-stack host-local config with two range
// sets and n routes to distinct destinations in 198.18.0.0/15.
func hostLocalBenchConfig(b *testing.B, n int) []byte {
	routes := make([]map[string]any, n)
	for i := range routes {
		routes[i] = map[string]any{"dst": fmt.Sprintf("198.18.%d.%d/32", i/256, i%256), "gw": "192.0.2.1"}
	}
	conf, err := json.Marshal(map[string]any{
		"cniVersion": "1.1.0",
		"name":       "bench",
		"type":       "macvlan",
		"ipam": map[string]any{
			"type":    "host-local",
			"dataDir": b.TempDir(),
			"ranges": [][]map[string]string{
				{{"subnet": "192.0.2.0/24"}},
				{{"subnet": "2001:db8::/64"}},
			},
			"routes": routes,
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	return conf
}

// BenchmarkLoadConfig measures loading and validating a config, as every
// ADD and CHECK does, against the number of routes.
func BenchmarkLoadConfig(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		conf := hostLocalBenchConfig(b, n)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := loadConfig(conf, "IgnoreUnknown=1", true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
