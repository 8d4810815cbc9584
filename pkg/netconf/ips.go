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
	"net"
	"strings"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// IPRequest is one requested address from CNI_ARGS IP, args.cni.ips or
// runtimeConfig.ips: "<ip>" or "<ip>/<prefix>".
type IPRequest struct {
	// IP is the address in its canonical length.
	IP net.IP
	// Prefix is the prefix length given after "/", or -1 when absent.
	Prefix int
}

// String returns the request as given: "<ip>" or "<ip>/<prefix>".
func (r IPRequest) String() string {
	if r.Prefix < 0 {
		return r.IP.String()
	}
	return (&net.IPNet{IP: r.IP, Mask: net.CIDRMask(r.Prefix, 8*len(r.IP))}).String()
}

// SplitIPList splits a comma-separated CNI_ARGS value such as
// "IP=192.0.2.5,2001:db8::5" into its trimmed, non-empty items.
func SplitIPList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// ParseIPRequests parses items of the form "<ip>" or "<ip>/<prefix>". An
// invalid item is a code 7 error naming it; where names the source of the
// items for the message (for example "CNI_ARGS IP").
func ParseIPRequests(where string, items []string) ([]IPRequest, error) {
	out := make([]IPRequest, 0, len(items))
	for _, item := range items {
		s := strings.TrimSpace(item)
		if strings.Contains(s, "/") {
			addr, n, err := net.ParseCIDR(s)
			if err != nil {
				return nil, Invalid("invalid address %q in %s: %v", item, where, err)
			}
			ones, _ := n.Mask.Size()
			out = append(out, IPRequest{IP: ipaddr.Normalize(addr), Prefix: ones})
			continue
		}
		addr := ipaddr.Normalize(net.ParseIP(s))
		if addr == nil {
			return nil, Invalid("invalid address %q in %s", item, where)
		}
		out = append(out, IPRequest{IP: addr, Prefix: -1})
	}
	return out, nil
}
