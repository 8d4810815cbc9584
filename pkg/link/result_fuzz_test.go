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

package link_test

import (
	"bytes"
	"io"
	"testing"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// fuzzSeeds are results and near-results: every list with a null element,
// wrong types, versions old and new, no version at all.
var fuzzSeeds = []string{
	`{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[{"dst":"0.0.0.0/0"}]}`,
	`{"cniVersion":"1.1.0","ips":[null]}`,
	`{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}],"routes":[null]}`,
	`{"cniVersion":"1.1.0","interfaces":[null],"ips":[{"address":"192.0.2.10/24","interface":0}]}`,
	`{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}],"dns":{"nameservers":[null],"search":[null],"options":[null]}}`,
	`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/a"}],"ips":[{"address":"2001:db8::10/64","interface":7}]}`,
	`{"cniVersion":"0.4.0","interfaces":[null],"ips":[null],"routes":[null]}`,
	`{"cniVersion":"0.3.1","ips":[{"version":"4","address":"192.0.2.10/24","interface":-1}]}`,
	`{"cniVersion":"0.2.0","ip4":{"ip":"192.0.2.10/24","routes":[null]},"ip6":null}`,
	`{"ip4":{"ip":"192.0.2.10/24"}}`,
	`{"code":7,"msg":"nope"}`,
	`{}`,
	`null`,
	`[]`,
	`{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1"},{"dst":"198.51.100.0/24","gw":"192.0.2.2"}]}`,
}

// FuzzIPAMResult feeds data as an IPAM plugin's output through what a link
// plugin's ADD does with it short of the kernel: the cni library's
// decoding in the config's version, link.FromIPAM (which converts it), the route planner and
// the printing of the result. Nothing may panic.
func FuzzIPAMResult(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), "1.1.0")
		f.Add([]byte(s), "0.3.1")
	}
	f.Fuzz(func(t *testing.T, data []byte, ver string) {
		if _, err := version.GreaterThanOrEqualTo(ver, "0.1.0"); err != nil {
			return
		}
		r, err := version.NewResult(ver, data)
		if err != nil {
			return
		}
		intf := &current.Interface{Name: "eth0", Mac: "02:00:5e:00:53:01", Sandbox: "/var/run/netns/a"}
		res, err := link.FromIPAM("fuzz", r, intf)
		if err != nil {
			return
		}
		use(t, res, ver)
	})
}

// FuzzPrevResult feeds data as the prevResult of a link plugin's config
// through what its verbs do with it short of the kernel: netconf.Load,
// which converts it to the current version, the null check of CHECK and
// of a chained ADD, link.FindInterface,
// link.InterfaceFromPrev, the route planner and the printing of a result,
// and DEL's link.LoadTeardown. Nothing may panic.
func FuzzPrevResult(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), "1.1.0")
		f.Add([]byte(s), "0.4.0")
	}
	f.Fuzz(func(t *testing.T, data []byte, ver string) {
		var conf bytes.Buffer
		conf.WriteString(`{"cniVersion":`)
		conf.WriteString(quote(ver))
		conf.WriteString(`,"name":"n","type":"macvlan","ipam":{"type":"static"},"prevResult":`)
		conf.Write(data)
		conf.WriteString(`}`)
		if _, err := link.LoadTeardown(conf.Bytes()); err != nil {
			return
		}
		common, err := netconf.Load(conf.Bytes(), nil)
		if err != nil || common.PrevResult == nil {
			return
		}
		prev := common.PrevResult
		_, _ = link.InterfaceFromPrev(prev)
		if netconf.NullElement(prev, "prevResult") != nil {
			// CHECK and a chained ADD refuse it here.
			return
		}
		_, _, _ = link.FindInterface(prev, "eth0", "/var/run/netns/a")
		use(t, prev, common.CNIVersion)
	})
}

// use plans the routes of res and prints it in version ver, as ADD does
// once the link exists.
func use(t *testing.T, res *current.Result, ver string) {
	t.Helper()
	if _, err := ipam.PlanRoutes(res); err != nil {
		return
	}
	_ = netconf.WriteResult(io.Discard, res, ver)
}

// quote makes s a JSON string, whatever bytes it holds.
func quote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
