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
	"errors"
	"fmt"
	"os"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// requireVlanFiltering skips the spec when the kernel's bridge has no VLAN
// filtering (CONFIG_BRIDGE_VLAN_FILTERING, absent on some hosts), probed in
// a throwaway namespace. In the VM guest, whose Debian kernel has it, a
// failed probe fails the spec: there the specs must run.
func requireVlanFiltering() {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	probe := testutils.NewNSForSpec()
	err := inNS(probe, func() error {
		on := true
		return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "probe0"}, VlanFiltering: &on})
	})
	if errors.Is(err, unix.EOPNOTSUPP) {
		if os.Getenv("CNI_TEST_IN_VM") == "1" {
			Fail("bridge VLAN filtering missing in the VM guest")
		}
		Skip("this kernel's bridge has no VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); the VM suite runs this")
	}
	Expect(err).NotTo(HaveOccurred())
}

// portVlans returns the VLANs of the port link, as "vid[ pvid][ untagged]".
func portVlans(n ns.NetNS, port string) []string {
	GinkgoHelper()
	var out []string
	Expect(inNS(n, func() error {
		l, err := netlink.LinkByName(port)
		if err != nil {
			return err
		}
		all, err := netlink.BridgeVlanList()
		if err != nil {
			return err
		}
		for _, v := range all[int32(l.Attrs().Index)] {
			s := fmt.Sprint(v.Vid)
			if v.PortVID() {
				s += " pvid"
			}
			if v.EngressUntag() {
				s += " untagged"
			}
			out = append(out, s)
		}
		return nil
	})).To(Succeed())
	sort.Strings(out)
	return out
}

var _ = Describe("bridge VLANs", func() {
	It("vlan, vlanTrunk and preserveDefaultVlan configure the port", func() {
		requireVlanFiltering()
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","vlan":100,
			"vlanTrunk":[{"id":101},{"minID":200,"maxID":202}]}`
		res, out, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(portVlans(e.host, res.Interfaces[1].Name)).To(Equal([]string{
			"1 untagged", "100 pvid untagged", "101", "200", "201", "202"}))
		_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())

		noDefault := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","vlan":100,"preserveDefaultVlan":false}`
		res, _, err = e.add(noDefault, "ctr2", "eth1")
		Expect(err).NotTo(HaveOccurred())
		Expect(portVlans(e.host, res.Interfaces[1].Name)).To(Equal([]string{"100 pvid untagged"}))
	})

	It("turns VLAN filtering on for an existing bridge", func() {
		requireVlanFiltering()
		e := newEnv()
		Expect(inNS(e.host, func() error {
			return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "cnitest0"}})
		})).To(Succeed())
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","vlan":7}`
		res, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(portVlans(e.host, res.Interfaces[1].Name)).To(Equal([]string{"1 untagged", "7 pvid untagged"}))
	})
})
