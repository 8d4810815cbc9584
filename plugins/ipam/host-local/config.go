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
	"net"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/disk"
)

// IPAMConfig is the "ipam" object of the network config, compatible with
// the upstream host-local plugin.
type IPAMConfig struct {
	// Range holds the legacy single-range fields at the top of "ipam":
	// subnet, rangeStart, rangeEnd, gateway. When set it becomes the first
	// range set.
	*allocator.Range

	Type       string               `json:"type"`
	Routes     []*types.Route       `json:"routes,omitempty"`
	DataDir    string               `json:"dataDir,omitempty"`
	ResolvConf string               `json:"resolvConf,omitempty"`
	Ranges     []allocator.RangeSet `json:"ranges,omitempty"`
}

// RuntimeConfig holds the capability arguments host-local understands.
type RuntimeConfig struct {
	// IPs are requested addresses (capability "ips").
	IPs []string `json:"ips,omitempty"`
	// IPRanges come before the configured range sets (capability
	// "ipRanges").
	IPRanges []allocator.RangeSet `json:"ipRanges,omitempty"`
}

// netConf is host-local's part of the network config.
type netConf struct {
	IPAM          *IPAMConfig    `json:"ipam"`
	RuntimeConfig *RuntimeConfig `json:"runtimeConfig,omitempty"`
}

// EnvArgs are the CNI_ARGS keys host-local accepts: IP=<ip>[,<ip>...].
type EnvArgs struct {
	types.CommonArgs
	IP types.UnmarshallableString `json:"ip,omitempty"`
}

// Config is a loaded, validated host-local configuration.
type Config struct {
	// Common is the shared part of the config; nil for DEL and GC, which
	// read only what teardown needs (loadTeardown).
	*netconf.Common
	// Network is the network name: the store's directory under dataDir.
	Network string
	// ValidAttachments are GC's cni.dev/valid-attachments.
	ValidAttachments []types.GCAttachment
	IPAM             *IPAMConfig
	// Sets are the canonical range sets: runtimeConfig.ipRanges, then the
	// legacy range, then "ranges".
	Sets []allocator.RangeSet
	// Requested are the addresses asked for through args.cni.ips, CNI_ARGS
	// IP and runtimeConfig.ips, each once.
	Requested []net.IP
}

// loadConfig decodes stdin and CNI_ARGS. Without withRanges (DEL and GC)
// only what teardown needs is read: see loadTeardown.
func loadConfig(stdin []byte, cniArgs string, withRanges bool) (*Config, error) {
	if !withRanges {
		return loadTeardown(stdin)
	}
	var nc netConf
	common, err := netconf.Load(stdin, &nc)
	if err != nil {
		return nil, err
	}
	if nc.IPAM == nil {
		return nil, netconf.Invalid("invalid network config: no \"ipam\" object")
	}
	if err := disk.ValidateNetworkName(common.Name); err != nil {
		return nil, err
	}
	if nc.IPAM.DataDir == "" {
		nc.IPAM.DataDir = disk.DefaultDataDir
	}
	c := &Config{Common: common, Network: common.Name, ValidAttachments: common.ValidAttachments, IPAM: nc.IPAM}
	if c.Sets, err = rangeSets(&nc); err != nil {
		return nil, err
	}
	if err := checkVersionLimits(common.CNIVersion, c.Sets); err != nil {
		return nil, err
	}
	if err := checkRoutes(nc.IPAM.Routes); err != nil {
		return nil, err
	}
	reqs, err := requested(common, nc.RuntimeConfig, cniArgs)
	if err != nil {
		return nil, err
	}
	// A prefix length given with a requested address is ignored: the
	// address gets its range's, as upstream does.
	for _, r := range reqs {
		c.Requested = append(c.Requested, r.IP)
	}
	return c, nil
}

// teardownConf is what DEL and GC read of the network config.
type teardownConf struct {
	Name string `json:"name"`
	IPAM *struct {
		DataDir string `json:"dataDir"`
	} `json:"ipam"`
	ValidAttachments []types.GCAttachment `json:"cni.dev/valid-attachments,omitempty"`
}

// loadTeardown decodes only the network name, ipam.dataDir and GC's valid
// attachments: DEL must succeed, and release the attachment's addresses,
// even for a config edited since ADD into one that ADD would refuse (ranges,
// routes, requested addresses, CNI_ARGS, prevResult), or a runtime retries
// it forever and the addresses leak.
func loadTeardown(stdin []byte) (*Config, error) {
	var t teardownConf
	if err := json.Unmarshal(stdin, &t); err != nil {
		return nil, types.NewError(types.ErrDecodingFailure, "decode network config: "+err.Error(), "")
	}
	if t.IPAM == nil {
		return nil, netconf.Invalid("invalid network config: no \"ipam\" object")
	}
	if err := disk.ValidateNetworkName(t.Name); err != nil {
		return nil, err
	}
	ipam := &IPAMConfig{DataDir: t.IPAM.DataDir}
	if ipam.DataDir == "" {
		ipam.DataDir = disk.DefaultDataDir
	}
	return &Config{Network: t.Name, ValidAttachments: t.ValidAttachments, IPAM: ipam}, nil
}

// rangeSets returns the canonical range sets of nc.
func rangeSets(nc *netConf) ([]allocator.RangeSet, error) {
	var sets []allocator.RangeSet
	if nc.RuntimeConfig != nil {
		sets = append(sets, cloneSets(nc.RuntimeConfig.IPRanges)...)
	}
	if nc.IPAM.Range != nil {
		sets = append(sets, allocator.RangeSet{*nc.IPAM.Range})
	}
	sets = append(sets, cloneSets(nc.IPAM.Ranges)...)
	if len(sets) == 0 {
		return nil, netconf.Invalid("invalid ipam config: no ranges (set \"ranges\" or \"subnet\")")
	}
	for i, s := range sets {
		if err := s.Canonicalize(); err != nil {
			return nil, netconf.Invalid("invalid range set %d: %v", i, err)
		}
		for j := 0; j < i; j++ {
			if s.Overlaps(sets[j]) {
				return nil, netconf.Invalid("invalid ipam config: range set %d %s overlaps range set %d %s", i, s, j, sets[j])
			}
		}
	}
	return sets, nil
}

// cloneSets deep-copies sets so that canonicalizing does not alter the
// decoded config (which is re-encoded into nothing, but tests reuse it).
func cloneSets(sets []allocator.RangeSet) []allocator.RangeSet {
	data, _ := json.Marshal(sets)
	var out []allocator.RangeSet
	_ = json.Unmarshal(data, &out)
	return out
}

// checkVersionLimits rejects more than one range set per family for
// results older than 0.3.0, which hold one address per family.
func checkVersionLimits(cniVersion string, sets []allocator.RangeSet) error {
	if ok, err := version.GreaterThanOrEqualTo(cniVersion, "0.3.0"); err != nil || ok {
		return nil
	}
	seen := map[int]bool{}
	for _, s := range sets {
		if seen[s.Family()] {
			return netconf.Invalid("cniVersion %s supports at most one %s range set", cniVersion, ipaddr.FamilyName(s.Family()))
		}
		seen[s.Family()] = true
	}
	return nil
}

// checkRoutes validates the configured routes: a destination is required
// and a gateway must have its family.
func checkRoutes(routes []*types.Route) error {
	for i, r := range routes {
		if r == nil || r.Dst.IP == nil {
			return netconf.Invalid("invalid route %d: no dst", i)
		}
		fam := ipaddr.PrefixFamily(&r.Dst)
		if fam == 0 {
			return netconf.Invalid("invalid route %d: malformed dst %s", i, r.Dst.String())
		}
		if r.GW != nil && ipaddr.Family(r.GW) != fam {
			return netconf.Invalid("invalid route %d: gateway %s is not %s like dst %s", i, r.GW, ipaddr.FamilyName(fam), r.Dst.String())
		}
	}
	return nil
}

// requested collects the requested addresses of args.cni.ips, CNI_ARGS IP
// and runtimeConfig.ips, in that order, each address once. Upstream's
// host-local requests the addresses of all three sources.
func requested(common *netconf.Common, rc *RuntimeConfig, cniArgs string) ([]netconf.IPRequest, error) {
	var env EnvArgs
	if err := netconf.LoadArgs(cniArgs, &env); err != nil {
		return nil, err
	}
	sources := []struct {
		name  string
		items []string
	}{
		{"args.cni.ips", common.CNIArgsIPs()},
		{"CNI_ARGS IP", netconf.SplitIPList(string(env.IP))},
	}
	if rc != nil {
		sources = append(sources, struct {
			name  string
			items []string
		}{"runtimeConfig.ips", rc.IPs})
	}
	var out []netconf.IPRequest
	for _, src := range sources {
		reqs, err := netconf.ParseIPRequests(src.name, src.items)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			dup := false
			for _, o := range out {
				dup = dup || o.IP.Equal(r.IP)
			}
			if !dup {
				out = append(out, r)
			}
		}
	}
	return out, nil
}
