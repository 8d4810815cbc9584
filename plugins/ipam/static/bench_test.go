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

// staticBenchConfig returns a dual-stack static config with n routes to
// distinct destinations in the benchmarking range 198.18.0.0/15.
func staticBenchConfig(b *testing.B, n int) []byte {
	routes := make([]map[string]any, n)
	for i := range routes {
		routes[i] = map[string]any{"dst": fmt.Sprintf("198.18.%d.%d/32", i/256, i%256), "gw": "192.0.2.1"}
	}
	conf, err := json.Marshal(map[string]any{
		"cniVersion": "1.1.0",
		"name":       "bench",
		"type":       "macvlan",
		"ipam": map[string]any{
			"type": "static",
			"addresses": []map[string]string{
				{"address": "192.0.2.10/24", "gateway": "192.0.2.1"},
				{"address": "2001:db8::10/64", "gateway": "2001:db8::1"},
			},
			"routes": routes,
			"dns":    map[string]any{"nameservers": []string{"192.0.2.53"}},
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
		conf := staticBenchConfig(b, n)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := loadConfig(conf, "IgnoreUnknown=1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
