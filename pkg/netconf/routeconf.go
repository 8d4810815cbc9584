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
	"bytes"
	"encoding/json"
	"strings"
)

// RouteConf is one route of a config's route list (such as ipam.routes)
// as written, with every member of the spec's route object. Addresses are
// kept as text so that a plugin's validation can name the offending value.
type RouteConf struct {
	Dst      string `json:"dst"`
	GW       string `json:"gw,omitempty"`
	MTU      int    `json:"mtu,omitempty"`
	AdvMSS   int    `json:"advmss,omitempty"`
	Priority int    `json:"priority,omitempty"`
	Table    *int   `json:"table,omitempty"`
	Scope    *int   `json:"scope,omitempty"`
}

// RouteConfs is a route list in a config. It decodes exactly as
// []RouteConf does with encoding/json, but a list written plainly (the
// member names in their case, each once, no null, no string escapes,
// integers of at most 15 digits) is read in one pass, and its texts share
// one buffer, a gateway repeated from the route before shared too: a
// config with 1,000 routes decodes with a few allocations rather than a
// reflective decode and two strings per route.
type RouteConfs []RouteConf

// UnmarshalJSON decodes a JSON array of route objects.
func (l *RouteConfs) UnmarshalJSON(data []byte) error {
	// Only a list decoded for the first time is read here: a second
	// "routes" member decodes into the first one's elements, which
	// encoding/json does its own way.
	if cap(*l) == 0 {
		if list, ok := decodeRouteConfs(data); ok {
			*l = list
			return nil
		}
	}
	return json.Unmarshal(data, (*[]RouteConf)(l))
}

// routeConfNames are the member names of RouteConf, in the order
// decodeRouteConfs switches on.
var routeConfNames = []string{"dst", "gw", "mtu", "advmss", "priority", "table", "scope"}

// decodeRouteConfs reads a plain route list, or reports false.
func decodeRouteConfs(data []byte) (RouteConfs, bool) {
	r := reader{data: data}
	if r.peek() != '[' {
		return nil, false
	}
	// Every element is an object: the count of '{' bounds the length.
	list := make(RouteConfs, 0, bytes.Count(data, []byte{'{'}))
	// The texts are appended to one buffer that never grows (they are
	// shorter than data), so each string taken from it stays valid; the
	// pages of the buffer that stay unused are never touched.
	var texts strings.Builder
	texts.Grow(len(data))
	text := func(start, end int) string {
		from := texts.Len()
		texts.Write(data[start:end])
		return texts.String()[from:]
	}
	var lastGW string
	var ints []int
	newInt := func(v int) *int {
		if len(ints) == cap(ints) {
			ints = make([]int, 0, min(max(2*cap(ints), 8), 256))
		}
		ints = append(ints, v)
		return &ints[len(ints)-1]
	}
	ok := r.array(func() bool {
		list = append(list, RouteConf{})
		rc := &list[len(list)-1]
		m := members{names: routeConfNames}
		return r.object(func(name []byte) bool {
			i, ok := m.index(name)
			if !ok {
				return false
			}
			var n int
			switch i {
			case 0, 1:
				start, end, ok := r.span()
				if !ok {
					return false
				}
				switch {
				case i == 0:
					rc.Dst = text(start, end)
				case string(data[start:end]) == lastGW:
					rc.GW = lastGW
				default:
					rc.GW = text(start, end)
					lastGW = rc.GW
				}
				return true
			case -1:
				return r.skip(0)
			}
			if n, ok = r.int(); !ok {
				return false
			}
			switch i {
			case 2:
				rc.MTU = n
			case 3:
				rc.AdvMSS = n
			case 4:
				rc.Priority = n
			case 5:
				rc.Table = newInt(n)
			case 6:
				rc.Scope = newInt(n)
			}
			return true
		})
	})
	if !ok || !r.end() {
		return nil, false
	}
	return list, true
}
