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

package compat_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// versions are the spec versions every case family runs at: the ones
// runtimes send today (containerd's loopback 0.3.1, podman 4.x up to
// 1.0.0, the newest 1.1.0).
var versions = []string{"0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// allCases is the table: each file adds its plugin's cases. A new plugin
// (bridge, ptp, tuning, ...) adds a function here and its binaries to
// upstreamPlugins.
func allCases() []Case {
	var all []Case
	for _, f := range []func() []Case{
		loopbackCases,
		staticCases,
		hostLocalCases,
		macvlanCases,
		crossStoreCases,
		hostileCases,
		ipvlanCases,
		ptpCases,
		tuningCases,
		bridgeCases,
		tapCases,
		hostDeviceCases,
		sbrCases,
		bandwidthCases,
	} {
		all = append(all, f()...)
	}
	return all
}

// perVersion makes one case per spec version from a template; name gets
// "/<version>" appended.
func perVersion(c Case, vs ...string) []Case {
	if len(vs) == 0 {
		vs = versions
	}
	out := make([]Case, 0, len(vs))
	for _, v := range vs {
		cc := c
		cc.Name = c.Name + "/" + v
		cc.Version = v
		out = append(out, cc)
	}
	return out
}

// one makes a single case at version v.
func one(c Case, v string) Case {
	c.Name += "/" + v
	c.Version = v
	return c
}

// macvlanWith returns a macvlan plugin object on eth1 with the given ipam
// object (JSON) and extra top-level fields (JSON members, may be empty).
func macvlanWith(ipam, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return fmt.Sprintf(`{"type":"macvlan","master":"eth1"%s,"ipam":%s}`, extra, ipam)
}

// ipamAlone runs an IPAM plugin directly, as its interface plugin would.
func ipamAlone(ipam, extra string) string {
	var typ string
	switch {
	case strings.Contains(ipam, `"host-local"`):
		typ = "host-local"
	default:
		typ = "static"
	}
	if extra != "" {
		extra = ", " + extra
	}
	return fmt.Sprintf(`{"type":%q%s,"ipam":%s}`, typ, extra, ipam)
}

// writeFile is a Setup hook writing name (in the side's scratch dir).
func writeFile(name, content string) func(*Side) error {
	return func(s *Side) error {
		return os.WriteFile(filepath.Join(s.Dir, name), []byte(content), 0o644)
	}
}

func strp(s string) *string { return &s }
