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
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// fuzzSeeds are real configs, as users write them, with the CNI_ARGS a
// runtime passes along.
var fuzzSeeds = []struct{ stdin, cniArgs string }{
	{`{"cniVersion": "1.1.0", "name": "net", "type": "ipvlan", "master": "eth1", "ipam": {"type": "static",
		"addresses": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::10/64", "gateway": "2001:db8::1"}],
		"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.2"}, {"dst": "::/0", "gw": "2001:db8::1"}],
		"dns": {"nameservers": ["192.0.2.53"], "domain": "example.com", "search": ["example.com"], "options": ["ndots:2"]}}}`, ""},
	{`{"cniVersion": "0.3.1", "name": "net", "type": "macvlan", "ipam": {"type": "static",
		"routes": [{"dst": "198.51.100.0/24", "gw": "192.0.2.1", "mtu": 1400, "advmss": 1360, "priority": 10, "table": 100, "scope": 0}]}}`,
		"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;IP=192.0.2.10/24;GATEWAY=192.0.2.1"},
	{`{"cniVersion": "0.2.0", "name": "net", "type": "bridge", "ipam": {"type": "static", "addresses": [{"address": "192.0.2.10/24"}]}}`, ""},
	{`{"cniVersion": "0.1.0", "name": "net", "type": "bridge", "ipam": {"type": "static", "addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}]}}`, ""},
	{`{"cniVersion": "1.0.0", "name": "net", "type": "ipvlan", "capabilities": {"ips": true}, "runtimeConfig": {"ips": ["203.0.113.9/24"]},
		"args": {"cni": {"ips": ["198.51.100.9/24"]}}, "ipam": {"type": "static"}}`, "IP=192.0.2.10/24"},
	{`{"cniVersion": "0.4.0", "name": "net", "type": "ipvlan", "ipam": {"type": "static", "addresses": [{"address": "192.0.2.10/24"}]},
		"prevResult": {"cniVersion": "0.4.0", "ips": [{"version": "4", "address": "192.0.2.10/24", "interface": 0}], "interfaces": [{"name": "eth0"}]}}`, ""},
	{`{"cniVersion": "1.1.0", "name": "net", "ipam": {"addresses": [{"address": "::ffff:192.0.2.10/120", "gateway": "::ffff:192.0.2.1"}], "routes": [{"dst": "::ffff:0.0.0.0/96"}]}}`, ""},
	{`{"cniVersion": "1.1.0", "name": "net", "ipam": {"addresses": [{"address": "192.0.2.300/24"}]}}`, ""},
	{`{"cniVersion": "1.1.0", "name": "net", "ipam": {"routes": [{"dst": "0.0.0.0/0", "mtu": -1, "scope": 300}]}}`, "FOO=bar"},
	{`{"cniVersion": "1.1.0", "name": "net"}`, ""},
	{`{`, ""},
}

// FuzzLoadConfig checks that loadConfig never panics and returns either a
// config whose result every spec version can print, or a *types.Error.
func FuzzLoadConfig(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s.stdin), s.cniArgs)
	}
	if blocks, err := readmeConfigs(); err == nil {
		for _, b := range blocks {
			f.Add(b.config, "")
		}
	}
	f.Fuzz(func(t *testing.T, stdin []byte, cniArgs string) {
		conf, err := loadConfig(stdin, cniArgs)
		if err != nil {
			if conf != nil {
				t.Fatalf("loadConfig returned both a config and error %v", err)
			}
			var e *types.Error
			if !errors.As(err, &e) {
				t.Fatalf("loadConfig error %v (%T) is not a *types.Error", err, err)
			}
			if !slices.Contains([]uint{types.ErrIncompatibleCNIVersion, types.ErrDecodingFailure, types.ErrInvalidNetworkConfig}, e.Code) || e.Msg == "" {
				t.Fatalf("loadConfig error has code %d message %q", e.Code, e.Msg)
			}
			return
		}
		if err := checkValid(conf); err != nil {
			t.Fatalf("loadConfig(%q, %q) returned an invalid config: %v", stdin, cniArgs, err)
		}
	})
}

// checkValid checks the invariants of a config loadConfig accepted, and
// that its result converts to the config's version and back.
func checkValid(c *Config) error {
	if !slices.Contains(version.All.SupportedVersions(), c.CNIVersion) {
		return fmt.Errorf("unsupported cniVersion %q", c.CNIVersion)
	}
	perFamily := map[int]int{}
	for i, a := range c.Addresses {
		fam := ipaddr.Family(a.Address.IP)
		ones, bits := a.Address.Mask.Size()
		if fam == 0 || bits != 8*len(a.Address.IP) || ones > bits {
			return fmt.Errorf("address %d %v: malformed", i, a.Address)
		}
		if a.Gateway != nil && !ipaddr.SameFamily(a.Gateway, a.Address.IP) {
			return fmt.Errorf("address %d %v: gateway %v of another family", i, a.Address, a.Gateway)
		}
		perFamily[fam]++
	}
	if old, _ := version.GreaterThanOrEqualTo(c.CNIVersion, "0.3.0"); !old {
		if len(c.Addresses) == 0 || perFamily[ipaddr.FamilyV4] > 1 || perFamily[ipaddr.FamilyV6] > 1 {
			return fmt.Errorf("cniVersion %s with addresses %v", c.CNIVersion, c.Addresses)
		}
	}
	for i, r := range c.Routes {
		if ones, bits := r.Dst.Mask.Size(); bits == 0 || bits != 8*len(r.Dst.IP) || ones > bits {
			return fmt.Errorf("route %d dst %v: malformed", i, r.Dst)
		}
		if r.GW != nil && !ipaddr.SameFamily(r.GW, r.Dst.IP) {
			return fmt.Errorf("route %d: gw %v of another family than dst %v", i, r.GW, r.Dst)
		}
		if r.MTU < 0 || r.AdvMSS < 0 || r.Priority < 0 || (r.Table != nil && *r.Table < 0) ||
			(r.Scope != nil && (*r.Scope < 0 || *r.Scope > 255)) {
			return fmt.Errorf("route %d %v: attribute out of range", i, r)
		}
	}
	res, err := c.Result().GetAsVersion(c.CNIVersion)
	if err != nil {
		return fmt.Errorf("convert result to %s: %w", c.CNIVersion, err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	if _, err := version.NewResult(c.CNIVersion, out); err != nil {
		return fmt.Errorf("decode result %s: %w", out, err)
	}
	return nil
}
