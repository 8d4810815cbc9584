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

package linktest

import (
	"errors"
	"net"
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// defaultOf is the default destination of family.
func defaultOf(family int) string {
	if family == netlink.FAMILY_V6 {
		return "::/0"
	}
	return "0.0.0.0/0"
}

func ecmpSpecs(newFixture func() *Fixture) {
	var f *Fixture
	BeforeEach(func() { f = newFixture() })

	DescribeTable("ECMP: one multipath route per group, CHECK passes, and fails once a nexthop is gone",
		func(addr, gw1, gw2, prefix string, family int, want string, dropLeg func(index int) error) {
			args := f.Args(f.Conf("1.1.0", map[string]any{
				"master": MasterName,
				"ipam": StaticIPAM([]map[string]string{{"address": addr}}, []map[string]any{
					{"dst": defaultOf(family), "gw": gw1},
					{"dst": defaultOf(family), "gw": gw2},
					{"dst": prefix, "gw": gw1},
					{"dst": prefix, "gw": gw2},
				}),
			}), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.Routes(family)).To(Equal(want))
			Expect(f.Check(WithPrev(args, res))).To(Succeed())

			index := f.ContLink().Attrs().Index
			Expect(f.InCont(func() error { return dropLeg(index) })).To(Succeed())
			Expect(f.Routes(family)).NotTo(Equal(want))
			Expect(f.Check(WithPrev(args, res))).To(HaveOccurred())
			Expect(f.Del(WithPrev(args, res))).To(Succeed())
		},
		Entry("IPv4, default route and a prefix",
			"192.0.2.10/24", "192.0.2.1", "192.0.2.2", "198.51.100.0/24", netlink.FAMILY_V4,
			"default nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 1\n"+
				"198.51.100.0/24 nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 1",
			// IPv4 matches a delete against the first nexthop only, so a
			// leg goes by replacing the route with a one-gateway route.
			func(index int) error {
				_, dst, _ := net.ParseCIDR("198.51.100.0/24")
				return netlink.RouteReplace(&netlink.Route{LinkIndex: index, Dst: dst, Gw: net.ParseIP("192.0.2.1")})
			}),
		Entry("IPv6, default route and a prefix",
			"2001:db8::10/64", "2001:db8::1", "2001:db8::2", "2001:db8:1::/64", netlink.FAMILY_V6,
			"2001:db8:1::/64 metric 1024 nexthop via 2001:db8::1 dev eth0 weight 1 nexthop via 2001:db8::2 dev eth0 weight 1\n"+
				"default metric 1024 nexthop via 2001:db8::1 dev eth0 weight 1 nexthop via 2001:db8::2 dev eth0 weight 1",
			// IPv6 deletes a single sibling by its gateway.
			func(index int) error {
				_, dst, _ := net.ParseCIDR("::/0")
				return netlink.RouteDel(&netlink.Route{LinkIndex: index, Dst: dst, Gw: net.ParseIP("2001:db8::2")})
			}),
	)
}

func failedAddSpecs(newFixture func() *Fixture) {
	var (
		f          *Fixture
		host, cont string
	)
	BeforeEach(func() {
		f = newFixture()
		host, cont = f.Snapshots()
	})

	// leftNothing asserts that both namespaces hold exactly what they held
	// before the ADD.
	leftNothing := func() {
		GinkgoHelper()
		h, c := f.Snapshots()
		Expect(c).To(Equal(cont), "container namespace changed\nafter:\n%s\nbefore:\n%s", c, cont)
		Expect(h).To(Equal(host), "host namespace changed\nafter:\n%s\nbefore:\n%s", h, host)
	}

	It("leaves nothing when a route fails in the kernel after the link exists", func() {
		// The gateway is on no connected prefix, so the kernel refuses the
		// route (ENETUNREACH) after the link and its address exist: the
		// case in which upstream's macvlan leaked the interface through a
		// shadowed err.
		args := f.Args(f.Conf("1.1.0", map[string]any{
			"master": MasterName,
			"ipam":   StaticIPAM(V4Addr, []map[string]any{{"dst": "203.0.113.0/24", "gw": "198.51.100.1"}}),
		}), "")
		_, err := f.Add(args)
		Expect(err).To(MatchError(ContainSubstring("203.0.113.0/24")))
		leftNothing()
	})

	It("releases the IPAM allocation when a route fails after the link exists", func() {
		dataDir := GinkgoT().TempDir()
		hostLocal := func(routes []map[string]any) map[string]any {
			return map[string]any{
				"type": "host-local", "dataDir": dataDir,
				"ranges": [][]map[string]any{{{"subnet": "192.0.2.0/24", "gateway": "192.0.2.1"}}},
				"routes": routes,
			}
		}
		// The allocation is visible as a record file named by the address.
		records := func() []string {
			entries, err := os.ReadDir(filepath.Join(dataDir, "testnet"))
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			Expect(err).NotTo(HaveOccurred())
			var out []string
			for _, e := range entries {
				if net.ParseIP(e.Name()) != nil {
					out = append(out, e.Name())
				}
			}
			return out
		}

		good := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": hostLocal(nil)}), "")
		res, err := f.Add(good)
		Expect(err).NotTo(HaveOccurred())
		Expect(records()).To(HaveLen(1), "an ADD allocates")
		Expect(f.Del(WithPrev(good, res))).To(Succeed())
		Expect(records()).To(BeEmpty(), "a DEL releases")
		host, cont = f.Snapshots()

		bad := f.Args(f.Conf("1.1.0", map[string]any{
			"master": MasterName,
			"ipam":   hostLocal([]map[string]any{{"dst": "203.0.113.0/24", "gw": "198.51.100.1"}}),
		}), "")
		_, err = f.Add(bad)
		Expect(err).To(MatchError(ContainSubstring("203.0.113.0/24")))
		Expect(records()).To(BeEmpty(), "the failed ADD released its address")
		leftNothing()
	})

	It("releases the IPAM allocation when the link cannot be created", func() {
		// The IPAM plugin's ADD runs while the link is created; when
		// creation fails, what it allocated is released.
		dataDir := GinkgoT().TempDir()
		args := f.Args(f.Conf("1.1.0", map[string]any{
			"master": "nope0",
			"ipam": map[string]any{
				"type": "host-local", "dataDir": dataDir,
				"ranges": [][]map[string]any{{{"subnet": "192.0.2.0/24"}}},
			},
		}), "")
		_, err := f.Add(args)
		Expect(err).To(MatchError(ContainSubstring(`master "nope0" not found`)))
		entries, err := os.ReadDir(filepath.Join(dataDir, "testnet"))
		if !errors.Is(err, os.ErrNotExist) {
			Expect(err).NotTo(HaveOccurred())
			for _, e := range entries {
				Expect(net.ParseIP(e.Name())).To(BeNil(), "host-local still holds %s", e.Name())
			}
		}
		leftNothing()
	})

	It("leaves nothing when a route group is invalid (code 7 from the planner)", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{
			"master": MasterName,
			"ipam": StaticIPAM(V4Addr, []map[string]any{
				{"dst": "198.51.100.0/24", "gw": "192.0.2.1", "mtu": 1400},
				{"dst": "198.51.100.0/24", "gw": "192.0.2.2", "mtu": 1300},
			}),
		}), "")
		_, err := f.Add(args)
		Expect(err).To(HaveOccurred())
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
		leftNothing()
	})

	It("changes nothing when the master does not exist (code 7)", func() {
		_, err := f.Add(f.Args(f.Conf("1.1.0", map[string]any{"master": "nope0", "ipam": StaticIPAM(V4Addr, nil)}), ""))
		Expect(err).To(MatchError(ContainSubstring(`master "nope0" not found`)))
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		leftNothing()
	})

	It("leaves nothing when the result cannot be printed in the config's version", func() {
		// A 0.2.0 result must carry an address; without ipam it has none.
		_, err := f.Add(f.Args(f.Conf("0.2.0", map[string]any{"master": MasterName}), ""))
		Expect(err).To(MatchError(ContainSubstring("no valid IP addresses")))
		leftNothing()
	})

	It("leaves nothing when the ipam plugin does not exist", func() {
		_, err := f.Add(f.Args(f.Conf("1.1.0", map[string]any{
			"master": MasterName,
			"ipam":   map[string]any{"type": "no-such-ipam"},
		}), ""))
		Expect(err).To(MatchError(ContainSubstring("no-such-ipam")))
		leftNothing()
	})

	It("leaves nothing and passes the ipam plugin's error through", func() {
		_, err := f.Add(f.Args(f.Conf("1.1.0", map[string]any{
			"master": MasterName,
			"ipam":   StaticIPAM([]map[string]string{{"address": "not-an-address"}}, nil),
		}), ""))
		Expect(err).To(HaveOccurred())
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
		leftNothing()
	})
}
