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
	"crypto/sha512"
	"encoding/hex"
	"math"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// ifbPrefix starts the name of the ifb device that shapes the container's
// egress, as upstream names it.
const ifbPrefix = "bwp"

// latencyMillis is how long a packet may wait in a tbf queue: with the rate and
// burst it sets the queue's byte limit (rate*latency + burst), as upstream
// sets it.
const latencyMillis = 25

// BandwidthEntry is one set of rates: bits per second and bucket sizes in
// bits, as in upstream's config and the runtime's "bandwidth" capability.
type BandwidthEntry struct {
	IngressRate  uint64 `json:"ingressRate,omitempty"`
	IngressBurst uint64 `json:"ingressBurst,omitempty"`
	EgressRate   uint64 `json:"egressRate,omitempty"`
	EgressBurst  uint64 `json:"egressBurst,omitempty"`

	// UnshapedSubnets and ShapedSubnets are accepted and not applied:
	// upstream's release v1.10.0 shapes all traffic whatever they say
	// (see Documentation/compatibility.md).
	UnshapedSubnets []string `json:"unshapedSubnets,omitempty"`
	ShapedSubnets   []string `json:"shapedSubnets,omitempty"`
}

// isZero reports whether e sets no rate and no burst.
func (e *BandwidthEntry) isZero() bool {
	return e == nil || e.IngressRate == 0 && e.IngressBurst == 0 && e.EgressRate == 0 && e.EgressBurst == 0
}

// NetConf holds the plugin's own config fields; the common ones come from
// netconf.Load.
type NetConf struct {
	BandwidthEntry
	RuntimeConfig struct {
		Bandwidth *BandwidthEntry `json:"bandwidth,omitempty"`
	} `json:"runtimeConfig,omitempty"`
}

// shaping is what one attachment gets: a rate (bytes per second) and a
// burst (bytes) per direction, zero rate meaning unshaped. Ingress is
// toward the container.
type shaping struct {
	ingress, egress tbfParams
}

// tbfParams are one direction's token bucket, in the kernel's units.
type tbfParams struct {
	rate  uint64 // bytes per second
	burst uint32 // bytes
}

func (p tbfParams) set() bool { return p.rate > 0 }

// limit is the queue's size in bytes: what the rate sends in latencyMillis
// plus the burst.
func (p tbfParams) limit() uint32 {
	l := p.rate*latencyMillis/1000 + uint64(p.burst)
	if l > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(l)
}

// loadConf decodes the config.
func loadConf(stdin []byte) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(stdin, conf)
	if err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// entry returns the rates that apply: the config's own when it sets any
// (upstream's release lets them win over the runtime's), else the
// runtime's "bandwidth" capability.
func (c *NetConf) entry() *BandwidthEntry {
	if c.isZero() && c.RuntimeConfig.Bandwidth != nil {
		return c.RuntimeConfig.Bandwidth
	}
	return &c.BandwidthEntry
}

// resolve validates the rates that apply and converts them to the
// kernel's units.
func (c *NetConf) resolve() (shaping, error) {
	e := c.entry()
	in, err := direction("ingress", e.IngressRate, e.IngressBurst)
	if err != nil {
		return shaping{}, err
	}
	out, err := direction("egress", e.EgressRate, e.EgressBurst)
	if err != nil {
		return shaping{}, err
	}
	return shaping{ingress: in, egress: out}, nil
}

// direction validates one direction's rate (bits per second) and burst
// (bits): both or neither, the burst below 4 GiB, and the time to send
// one burst at the rate at least a microsecond and within the 32-bit
// microsecond count tc converts to ticks.
func direction(name string, rate, burst uint64) (tbfParams, error) {
	switch {
	case rate == 0 && burst == 0:
		return tbfParams{}, nil
	case burst == 0:
		return tbfParams{}, netconf.Invalid("%sRate is %d but %sBurst is not set: both or neither", name, rate, name)
	case rate == 0:
		return tbfParams{}, netconf.Invalid("%sBurst is %d but %sRate is not set: both or neither", name, burst, name)
	case burst/8 >= math.MaxUint32:
		// Upstream refuses a burst from 4294967295 bytes on.
		return tbfParams{}, netconf.Invalid("%sBurst %d is 4 GiB or more (at most %d bits)", name, burst, uint64(math.MaxUint32-1)*8+7)
	case rate < 8:
		return tbfParams{}, netconf.Invalid("%sRate %d is less than 8 bits per second (one byte)", name, rate)
	}
	p := tbfParams{rate: rate / 8, burst: uint32(burst / 8)}
	usec := 1e6 * float64(p.burst) / float64(p.rate)
	if usec >= math.MaxUint32 {
		return tbfParams{}, netconf.Invalid("%sBurst %d at %sRate %d takes %.0f s to send, more than tbf's buffer time can hold", name, burst, name, rate, usec/1e6)
	}
	if usec < 1 {
		// The kernel refuses a tbf whose bucket empties in no time.
		return tbfParams{}, netconf.Invalid("%sBurst %d at %sRate %d is sent in less than a microsecond: raise the burst", name, burst, name, rate)
	}
	return p, nil
}

// ifbName is the name of the ifb device of the attachment: "bwp" and the
// first 12 hex digits of SHA-512 over the network name and the container
// ID, as upstream names it (so either plugin's DEL finds the other's).
func ifbName(network, containerID string) string {
	sum := sha512.Sum512([]byte(network + containerID))
	return ifbPrefix + hex.EncodeToString(sum[:])[:12]
}
