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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The harness's own logic: a bug here would let differences through.
var _ = Describe("the harness", func() {
	obs := func(label string, kv ...string) Observation {
		o := Observation{Label: label, Aspects: map[string]string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			o.Aspects[kv[i]] = kv[i+1]
		}
		return o
	}

	It("reports every differing aspect, and aspects only one side has", func() {
		ours := []Observation{obs("ADD", "exit", "0", "routes", "a\nb", "link.eth0.mtu", "1500")}
		up := []Observation{obs("ADD", "exit", "0", "routes", "b\na", "sysctl.x", "1")}
		Expect(compare(ours, up)).To(Equal([]diff{
			{Label: "ADD", Aspect: "link.eth0.mtu", Ours: "1500", Upstream: "<absent>"},
			{Label: "ADD", Aspect: "routes", Ours: "a\nb", Upstream: "b\na"},
			{Label: "ADD", Aspect: "sysctl.x", Ours: "<absent>", Upstream: "1"},
		}))
		Expect(compare(ours, ours)).To(BeEmpty())
	})

	DescribeTable("listing coverage",
		func(l listing, name string, d diff, want bool) {
			Expect(l.coversDiff(name, d)).To(Equal(want))
		},
		Entry("a step-scoped aspect", listing{Cases: "macvlan/*", Aspects: []string{"ADD.routes"}}, "macvlan/x/1.0.0", diff{Label: "ADD", Aspect: "routes"}, true),
		Entry("not another step", listing{Cases: "macvlan/*", Aspects: []string{"ADD.routes"}}, "macvlan/x/1.0.0", diff{Label: "CHECK", Aspect: "routes"}, false),
		Entry("not another aspect", listing{Cases: "macvlan/*", Aspects: []string{"routes"}}, "macvlan/x/1.0.0", diff{Label: "ADD", Aspect: "addrs"}, false),
		Entry("not another case", listing{Cases: "macvlan/*", Aspects: []string{"*"}}, "static/x/1.0.0", diff{Label: "ADD", Aspect: "addrs"}, false),
		Entry("* spans the slashes of names", listing{Cases: "*", Aspects: []string{"link.*.txqlen"}}, "a/b/1.0.0", diff{Label: "DEL", Aspect: "link.net1.txqlen"}, true),
		Entry("a predicate that refuses", listing{Cases: "*", Aspects: []string{"code"}, Match: func(d diff) bool { return d.Upstream == "999" }}, "a/b/1.0.0", diff{Label: "ADD", Aspect: "code", Ours: "7", Upstream: "3"}, false),
	)

	It("keeps the MACs a case asks for and hides the kernel's", func() {
		c := &Case{Plugins: []string{`{"mac":"02:00:00:00:00:10"}`}}
		Expect(normaliseMACs("02:00:00:00:00:10 0a:1b:2c:3d:4e:5f", c)).To(Equal("02:00:00:00:00:10 <mac>"))
	})

	It("normalises a result's sandbox and empty dns, nothing else", func() {
		c := &Case{}
		out := []byte(`{"cniVersion":"1.0.0","dns":{},"interfaces":[{"name":"eth0","sandbox":"/tmp/x/net"}],"ips":[{"address":"192.0.2.10/24"}]}`)
		Expect(normaliseResult(out, c)).To(Equal(`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"<sandbox>"}],"ips":[{"address":"192.0.2.10/24"}]}`))
	})

	It("reads the keys of compatibility.md's table", func() {
		Expect(documented).To(HaveKey("ecmp-grouping"))
		Expect(documented).NotTo(HaveKey("key"))
	})
})
