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
	"fmt"
	"sync"

	"github.com/google/nftables"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipmasq"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("concurrent ADDs", func() {
	It("share one new bridge, its gateway address and one masquerading table without duplicates", func() {
		const n = 8
		e := newEnv()
		ctrs := make([]*env, n)
		for i := range ctrs {
			ctrs[i] = &env{host: e.host, ctr: testutils.NewNSForSpec(), dataDir: e.dataDir}
		}
		conf := e.hostLocalConf("1.0.0", `,"isGateway":true,"ipMasq":true,"ipMasqBackend":"nftables"`)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, c := range ctrs {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				_, _, errs[i] = c.add(conf, fmt.Sprintf("ctr%d", i), "eth0")
			}()
		}
		wg.Wait()
		for i, err := range errs {
			Expect(err).NotTo(HaveOccurred(), "ADD %d", i)
		}
		Expect(addrs(e.host, "cnitest0")).To(ConsistOf("192.0.2.1/24", "2001:db8:1::1/64"))
		Expect(links(e.host)).To(HaveLen(1 + n))
		Expect(e.records("mynet")).To(HaveLen(2 * n))
		// The postrouting chain has its three rules once, masq_checks two
		// per attachment.
		Expect(inNS(e.host, func() error {
			conn, err := nftables.New()
			if err != nil {
				return err
			}
			t := &nftables.Table{Name: "cni_plugins_masquerade", Family: nftables.TableFamilyINet}
			for chain, want := range map[string]int{"postrouting": 3, "masq_checks": 2 * n} {
				rules, err := conn.GetRules(t, &nftables.Chain{Name: chain, Table: t})
				if err != nil {
					return err
				}
				if len(rules) != want {
					return fmt.Errorf("chain %s has %d rules, want %d", chain, len(rules), want)
				}
			}
			return nil
		})).To(Succeed())
		for i, c := range ctrs {
			_, err := c.run(call{verb: "DEL", conf: conf, id: fmt.Sprintf("ctr%d", i), netns: c.ctr.Path()})
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(e.masqChecked(ipmasq.BackendNFTables, []string{"192.0.2.2/24"}, "ctr0", "eth0")).To(MatchError(ContainSubstring("missing")))
		Expect(e.records("mynet")).To(BeEmpty())
	})
})
