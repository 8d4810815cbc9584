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

package netconf_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// withRouteConfs and withPlainRoutes differ only in the type of Routes:
// RouteConfs must decode as the plain slice does.
type withRouteConfs struct {
	Name   string              `json:"name"`
	Routes netconf.RouteConfs  `json:"routes"`
	Nested *withRouteConfsOnly `json:"nested"`
}

type withRouteConfsOnly struct {
	Routes netconf.RouteConfs `json:"routes"`
}

type withPlainRoutes struct {
	Name   string              `json:"name"`
	Routes []netconf.RouteConf `json:"routes"`
	Nested *struct {
		Routes []netconf.RouteConf `json:"routes"`
	} `json:"nested"`
}

// compareRouteDecoding decodes doc both ways and reports a difference.
func compareRouteDecoding(doc []byte) error {
	var fast withRouteConfs
	var plain withPlainRoutes
	fastErr := json.Unmarshal(doc, &fast)
	plainErr := json.Unmarshal(doc, &plain)
	if (fastErr != nil) != (plainErr != nil) {
		return fmt.Errorf("RouteConfs error %w, []RouteConf error %w", fastErr, plainErr)
	}
	if fastErr != nil {
		return nil
	}
	if fast.Name != plain.Name || !reflect.DeepEqual([]netconf.RouteConf(fast.Routes), plain.Routes) {
		return fmt.Errorf("RouteConfs %+v, []RouteConf %+v", fast, plain)
	}
	if (fast.Nested == nil) != (plain.Nested == nil) ||
		(fast.Nested != nil && !reflect.DeepEqual([]netconf.RouteConf(fast.Nested.Routes), plain.Nested.Routes)) {
		return fmt.Errorf("nested RouteConfs %+v, []RouteConf %+v", fast.Nested, plain.Nested)
	}
	return nil
}

var routeConfDocs = []string{
	`{"routes": []}`,
	`{"routes": null}`,
	`{"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}`,
	`{"routes": [{"dst": "198.51.100.0/24", "gw": "192.0.2.1", "mtu": 1400, "advmss": 1360, "priority": 10, "table": 100, "scope": 0}, {"dst": "::/0"}]}`,
	`{"routes": [{}, {"dst": ""}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "comment": {"why": ["x", 1, true, false]}, "x": -5}]}`,
	`{"routes": [{"Dst": "192.0.2.0/24"}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "DST": "198.51.100.0/24"}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "dst": "198.51.100.0/24"}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "table": null}]}`,
	`{"routes": [null]}`,
	`{"routes": [{"dst": "192.0.2.0\/24"}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "mtu": 1.5}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "mtu": 1e3}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "mtu": 99999999999999999999}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "mtu": 9999999999999999}]}`,
	`{"routes": [{"dst": "192.0.2.0/24", "mtu": "1400"}]}`,
	`{"routes": [{"dst": 5}]}`,
	`{"routes": {"dst": "192.0.2.0/24"}}`,
	`{"routes": "none"}`,
	`{"routes": [{"dst": "a"}, {"dst": "b", "mtu": 1}], "routes": [{"gw": "c"}]}`,
	`{"routes": [{"dst": "a"}], "Routes": [{"dst": "b"}, {"dst": "c"}]}`,
	`{"routes": [{"dst": "a"}, {"dst": "b"}], "routes": [], "routes": [{"gw": "c"}, {"gw": "d"}]}`,
	`{"nested": {"routes": [{"dst": "192.0.2.0/24", "table": 1, "scope": 2}]}, "name": "n"}`,
	`{"routes": [{"dst": "é/😀"}]}`,
	"{\"routes\": [{\"dst\": \"\xff\"}]}",
	`{"routes": [{"dst": "192.0.2.0/24"}] `,
	`{"routes": [{"dst": "192.0.2.0/24"},]}`,
}

var _ = Describe("RouteConfs", func() {
	for _, doc := range routeConfDocs {
		It("decodes as []RouteConf does: "+doc, func() {
			Expect(compareRouteDecoding([]byte(doc))).To(Succeed())
		})
	}

	It("decodes 1,000 routes with a few allocations, their texts apart", func() {
		doc := `{"routes": [` + strings.Repeat(`{"dst": "198.18.0.0/32", "gw": "192.0.2.1", "table": 7},`, 999) + `{"dst": "::/0"}]}`
		Expect(compareRouteDecoding([]byte(doc))).To(Succeed())
		var fast withRouteConfs
		Expect(json.Unmarshal([]byte(doc), &fast)).To(Succeed())
		Expect(fast.Routes).To(HaveLen(1000))
		*fast.Routes[0].Table = 8
		Expect(*fast.Routes[1].Table).To(Equal(7))
		allocs := testing.AllocsPerRun(10, func() {
			var l netconf.RouteConfs
			if err := l.UnmarshalJSON([]byte(doc[len(`{"routes": `) : len(doc)-1])); err != nil {
				panic(err)
			}
		})
		Expect(allocs).To(BeNumerically("<", 20))
	})
})

// FuzzRouteConfs checks that RouteConfs decodes every document as
// []RouteConf does, or fails where it fails.
func FuzzRouteConfs(f *testing.F) {
	for _, doc := range routeConfDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if err := compareRouteDecoding(doc); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
	})
}
