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
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

// upstreamFirewall returns the path of upstream's released firewall binary
// (pkg/testutils/upstream: built once into a cache outside the work tree).
// It skips only where no binary can be had (the VM guest).
func upstreamFirewall() string {
	GinkgoHelper()
	return upstream.RequireBin("firewall")
}

var _ = Describe("firewall against upstream's release", func() {
	ours := func() string { return filepath.Join(binDir, "firewall") }

	// steps runs ADDs of two attachments on two bridges and a DEL of the
	// first with bin, and returns both families' tables after each step.
	steps := func(bin, policy string) []string {
		f := newFixture()
		extra := `,"backend":"iptables","ingressPolicy":"` + policy + `"`
		a := f.conf("1.0.0", extra, "cni0", "192.0.2.5/24", "2001:db8::5/64")
		b := f.conf("1.0.0", extra, "cni1", "198.51.100.5/24")
		var out []string
		for _, s := range []struct {
			cmd  string
			conf []byte
		}{{"ADD", a}, {"ADD", b}, {"CHECK", a}, {"DEL", a}, {"DEL", a}} {
			_, err := f.exec(bin, s.cmd, "ctr1", s.conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "%s %s", bin, s.cmd)
			out = append(out, f.rules("iptables")+"\n"+f.rules("ip6tables"))
		}
		return out
	}

	DescribeTable("leaves the same tables after every step",
		func(policy string) {
			up := upstreamFirewall()
			Expect(steps(ours(), policy)).To(Equal(steps(up, policy)))
		},
		Entry("open", policyOpen),
		Entry("same-bridge", policySameBridge),
		Entry("isolated", policyIsolated),
	)

	It("checks and deletes what the other's ADD made, both ways", func() {
		up := upstreamFirewall()
		for _, order := range [][2]string{{up, ours()}, {ours(), up}} {
			f := newFixture()
			conf := f.conf("1.0.0", `,"ingressPolicy":"isolated","iptablesAdminChainName":"ADM"`, "cni0", "192.0.2.5/24", "2001:db8::5/64")
			_, err := f.exec(order[0], "ADD", "ctr1", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "ADD %s", order[0])
			_, err = f.exec(order[1], "CHECK", "ctr1", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "CHECK %s after ADD %s", order[1], order[0])
			_, err = f.exec(order[1], "DEL", "ctr1", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL %s", order[1])
			Expect(f.rules("iptables")).NotTo(ContainSubstring("192.0.2.5"), "DEL %s after ADD %s", order[1], order[0])
			Expect(f.rules("ip6tables")).NotTo(ContainSubstring("2001:db8::5"), "DEL %s after ADD %s", order[1], order[0])
		}
	})
})
