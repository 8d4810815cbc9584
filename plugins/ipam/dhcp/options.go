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
	"encoding/binary"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// optionNames maps the option names the config accepts (as dhclient and
// upstream's documentation spell them) to their RFC 2132 codes. Any option
// can also be given by its decimal code.
var optionNames = map[string]uint8{
	"subnet-mask":             1,
	"routers":                 3,
	"domain-name-servers":     6,
	"host-name":               12,
	"domain-name":             15,
	"interface-mtu":           26,
	"broadcast-address":       28,
	"static-routes":           33,
	"ntp-servers":             42,
	"vendor-class-identifier": 60,
	"dhcp-client-identifier":  61,
	"user-class":              77,
	"domain-search":           119,
	"classless-static-routes": 121,
}

// defaultRequest is the parameter request list sent unless a request entry
// sets skipDefault: what the result is built from.
var defaultRequest = []uint8{1, 3, 6, 15, 33, 121}

// optionCode resolves an option given by name or decimal code.
func optionCode(s string) (uint8, error) {
	s = strings.TrimSpace(s)
	if c, ok := optionNames[strings.ToLower(s)]; ok {
		return c, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("unknown option %q: use a name (%s) or a code 1-254", s, strings.Join(knownNames(), ", "))
	}
	// 0 is Pad and 255 is End (RFC 2132 section 3): neither carries data.
	if n < 1 || n > 254 {
		return 0, fmt.Errorf("option code %d out of range 1-254", n)
	}
	return uint8(n), nil
}

func knownNames() []string {
	names := make([]string, 0, len(optionNames))
	for n := range optionNames {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RequestOption is one entry of ipam.request: an option the client asks
// the server for (parameter request list, option 55).
type RequestOption struct {
	SkipDefault bool   `json:"skipDefault"`
	Option      string `json:"option"`
}

// ProvideOption is one entry of ipam.provide: an option the client sends,
// with a literal value or the value of a CNI_ARGS key (fromArg).
type ProvideOption struct {
	Option  string `json:"option"`
	Value   string `json:"value"`
	FromArg string `json:"fromArg"`
}

// IPAMConfig is the "ipam" object of a dhcp network config.
type IPAMConfig struct {
	Type             string           `json:"type"`
	DaemonSocketPath string           `json:"daemonSocketPath,omitempty"`
	Request          []*RequestOption `json:"request,omitempty"`
	Provide          []*ProvideOption `json:"provide,omitempty"`
}

// NetConf is the part of a network config the plugin and the daemon read.
type NetConf struct {
	Name string      `json:"name"`
	IPAM *IPAMConfig `json:"ipam"`
}

// leaseOptions are the resolved request and provide lists.
type leaseOptions struct {
	request []uint8
	provide map[uint8][]byte
}

// parseOptions resolves ipam.request and ipam.provide; cniArgs is the
// CNI_ARGS string that fromArg values are taken from.
func parseOptions(ipam *IPAMConfig, cniArgs string) (*leaseOptions, error) {
	o := &leaseOptions{provide: map[uint8][]byte{}}
	skip := false
	var extra []uint8
	for i, r := range ipam.Request {
		if r == nil {
			continue
		}
		if r.SkipDefault {
			skip = true
		}
		if r.Option == "" {
			continue
		}
		c, err := optionCode(r.Option)
		if err != nil {
			return nil, netconf.Invalid("invalid ipam.request[%d].option: %v", i, err)
		}
		extra = append(extra, c)
	}
	if !skip {
		o.request = append(o.request, defaultRequest...)
	}
	for _, c := range extra {
		if !containsCode(o.request, c) {
			o.request = append(o.request, c)
		}
	}
	args := argsMap(cniArgs)
	for i, p := range ipam.Provide {
		if p == nil {
			continue
		}
		c, err := optionCode(p.Option)
		if err != nil {
			return nil, netconf.Invalid("invalid ipam.provide[%d].option: %v", i, err)
		}
		v := p.Value
		if p.FromArg != "" {
			a, ok := args[p.FromArg]
			if !ok {
				// The runtime did not send the key: nothing to provide.
				continue
			}
			v = a
		}
		if v == "" {
			return nil, netconf.Invalid("invalid ipam.provide[%d]: option %q has no value and no fromArg", i, p.Option)
		}
		if len(v) > 255 {
			return nil, netconf.Invalid("invalid ipam.provide[%d]: value of option %q is %d bytes, a DHCP option holds at most 255", i, p.Option, len(v))
		}
		o.provide[c] = []byte(v)
	}
	return o, nil
}

func containsCode(list []uint8, c uint8) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// argsMap splits CNI_ARGS ("K1=V1;K2=V2") into a map.
func argsMap(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			m[strings.TrimSpace(k)] = v
		}
	}
	return m
}

// modifiers turns the options into message modifiers for every message the
// client sends: the parameter request list and the provided options.
func (o *leaseOptions) modifiers(broadcast bool) []dhcpv4.Modifier {
	codes := make([]dhcpv4.OptionCode, 0, len(o.request))
	for _, c := range o.request {
		codes = append(codes, dhcpv4.GenericOptionCode(c))
	}
	mods := []dhcpv4.Modifier{
		dhcpv4.WithOption(dhcpv4.OptParameterRequestList(codes...)),
		dhcpv4.WithBroadcast(broadcast),
	}
	keys := make([]int, 0, len(o.provide))
	for c := range o.provide {
		keys = append(keys, int(c))
	}
	sort.Ints(keys)
	for _, c := range keys {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.GenericOptionCode(c), o.provide[uint8(c)])))
	}
	return mods
}

// buildResult turns an ACK into the IPAM result: the address with the
// subnet mask, the first router as gateway, the routes and the DNS settings.
func buildResult(ack *dhcpv4.DHCPv4) (*current.Result, error) {
	ip := ack.YourIPAddr.To4()
	if ip == nil || ip.IsUnspecified() {
		return nil, fmt.Errorf("ack from %s has no address", ack.ServerIdentifier())
	}
	mask := ack.SubnetMask()
	if mask == nil {
		// RFC 2131 leaves the mask optional; the classful default is
		// what clients have used since RFC 950 when it is missing.
		mask = ip.DefaultMask()
	}
	res := &current.Result{CNIVersion: current.ImplementedSpecVersion}
	cfg := &current.IPConfig{Address: net.IPNet{IP: ip, Mask: mask}}
	routers := ack.Router()
	if len(routers) > 0 {
		cfg.Gateway = routers[0].To4()
	}
	res.IPs = []*current.IPConfig{cfg}
	res.Routes = buildRoutes(ack)
	for _, d := range ack.DNS() {
		res.DNS.Nameservers = append(res.DNS.Nameservers, d.String())
	}
	res.DNS.Domain = ack.DomainName()
	if s := ack.DomainSearch(); s != nil {
		res.DNS.Search = s.Labels
	}
	return res, nil
}

// buildRoutes returns the routes of an ACK. RFC 3442 section 2: when the
// server sends classless static routes (option 121) the client ignores the
// router (3) and static routes (33) options. One destination may be listed
// with several routers; each becomes its own result route, and the link
// plugin installs them as one multipath route. Routes via 0.0.0.0 (on-link
// destinations, RFC 3442 section 2) have no gateway to name and are left
// out: the result's route object has no on-link form.
func buildRoutes(ack *dhcpv4.DHCPv4) []*types.Route {
	var out []*types.Route
	if ack.Options.Has(dhcpv4.OptionClasslessStaticRoute) {
		for _, r := range ack.ClasslessStaticRoute() {
			if r == nil || r.Dest == nil || r.Router == nil || r.Router.IsUnspecified() {
				continue
			}
			out = append(out, &types.Route{Dst: net.IPNet{IP: r.Dest.IP.Mask(r.Dest.Mask).To4(), Mask: r.Dest.Mask}, GW: r.Router.To4()})
		}
		return out
	}
	// Option 33 (RFC 2132 section 5.8): destination/router pairs whose
	// destination is classful; 0.0.0.0 is not allowed as a destination.
	raw := ack.Options.Get(dhcpv4.OptionStaticRoutingTable)
	for i := 0; i+8 <= len(raw); i += 8 {
		dst := net.IP(raw[i : i+4])
		gw := net.IP(raw[i+4 : i+8])
		if dst.IsUnspecified() || gw.IsUnspecified() {
			continue
		}
		m := classfulMask(dst)
		out = append(out, &types.Route{Dst: net.IPNet{IP: dst.Mask(m).To4(), Mask: m}, GW: append(net.IP(nil), gw...)})
	}
	// Option 3 lists routers in order of preference (RFC 2132 section
	// 3.5), not as equals: the default route goes via the first.
	if routers := ack.Router(); len(routers) > 0 {
		out = append(out, &types.Route{Dst: net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}, GW: routers[0].To4()})
	}
	return out
}

// classfulMask is the mask of dst's address class (RFC 791): A /8, B /16,
// C /24; a host route otherwise.
func classfulMask(dst net.IP) net.IPMask {
	switch b := binary.BigEndian.Uint32(dst.To4()) >> 29; {
	case b < 4:
		return net.CIDRMask(8, 32)
	case b < 6:
		return net.CIDRMask(16, 32)
	case b == 6:
		return net.CIDRMask(24, 32)
	}
	return net.CIDRMask(32, 32)
}
