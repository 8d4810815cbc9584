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
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

const (
	contIf = "eth0"
	peerIf = "peer0"
)

// ecmpRoutes are two gateways per family for the default route and a
// prefix with metric, mtu and advmss.
const ecmpRoutes = `{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
	{"dst":"192.0.2.0/24","gw":"198.51.100.1","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"192.0.2.0/24","gw":"198.51.100.3","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"},
	{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","priority":10,"mtu":1400},
	{"dst":"2001:db8:2::/64","gw":"2001:db8:1::3","priority":10,"mtu":1400}`

// The routes of eth0 after sbr with ecmpRoutes, as testutils renders them.
var (
	v4Table = func(t int, connected bool) string {
		lines := []string{
			fmt.Sprintf("default table %d nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.2 dev eth0 weight 1", t),
			fmt.Sprintf("192.0.2.0/24 metric 10 mtu 1400 advmss 1360 table %d nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.3 dev eth0 weight 1", t),
		}
		if connected {
			lines = append(lines, fmt.Sprintf("198.51.100.0/24 dev eth0 scope link table %d", t))
		}
		return strings.Join(lines, "\n")
	}
	v6Devices = func(t int) string {
		return fmt.Sprintf("2001:db8:1::/64 dev eth0 metric 256 table %[1]d\nfe80::/64 dev eth0 metric 256 table %[1]d", t)
	}
	v6Table = func(t int) string {
		return strings.Join([]string{
			fmt.Sprintf("2001:db8:1::/64 dev eth0 metric 256 table %d", t),
			fmt.Sprintf("2001:db8:2::/64 metric 10 mtu 1400 table %d nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::3 dev eth0 weight 1", t),
			fmt.Sprintf("fe80::/64 dev eth0 metric 256 table %d", t),
			fmt.Sprintf("default metric 1024 table %d nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1", t),
		}, "\n")
	}
)

// fixture is a container whose eth0, a veth to a namespace holding the
// gateways, an interface plugin configured with res.
type fixture struct {
	cont, peer ns.NetNS
	res        *current.Result
}

func newFixture(ips, routes string) *fixture {
	GinkgoHelper()
	f := &fixture{cont: testutils.NewNSForSpec(), peer: testutils.NewNSForSpec()}
	Expect(f.cont.Do(func(ns.NetNS) error {
		_, _, err := ip.SetupVethWithName(contIf, peerIf, 0, "", f.peer)
		return err
	})).To(Succeed())
	Expect(f.peer.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(peerIf)
		if err != nil {
			return err
		}
		for i := 1; i <= 3; i++ {
			for _, a := range []string{fmt.Sprintf("198.51.100.%d/24", i), fmt.Sprintf("2001:db8:1::%d/64", i)} {
				ipn, err := netlink.ParseIPNet(a)
				if err != nil {
					return err
				}
				if err := netlink.AddrAdd(l, &netlink.Addr{IPNet: ipn, Flags: unix.IFA_F_NODAD}); err != nil {
					return err
				}
			}
		}
		return nil
	})).To(Succeed())
	js := fmt.Sprintf(`{"cniVersion":"1.1.0","interfaces":[{"name":%q,"sandbox":%q}],"ips":[%s],"routes":[%s]}`,
		contIf, f.cont.Path(), ips, routes)
	f.res = &current.Result{}
	Expect(json.Unmarshal([]byte(js), f.res)).To(Succeed(), js)
	for _, ipc := range f.res.IPs {
		ipc.Interface = current.Int(0)
	}
	Expect(f.cont.Do(func(ns.NetNS) error { return ipam.ConfigureIface(contIf, f.res) })).To(Succeed())
	return f
}

const dualStack = `{"address":"198.51.100.10/24","gateway":"198.51.100.1"},{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}`

// conf returns the sbr config at version with fields (a JSON object's
// members, or "") and the fixture's result as prevResult.
func (f *fixture) conf(ver, fields string) []byte {
	GinkgoHelper()
	prev, err := f.res.GetAsVersion(ver)
	Expect(err).NotTo(HaveOccurred())
	b, err := json.Marshal(prev)
	Expect(err).NotTo(HaveOccurred())
	if fields != "" {
		fields += ","
	}
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"sbr-test","type":"sbr",%s"prevResult":%s}`, ver, fields, b))
}

// run execs the plugin binary bin (from dir) with verb on eth0 of the
// container, as a runtime does.
func (f *fixture) run(dir, verb string, conf []byte, netns string) (types.Result, error) {
	args := &invoke.Args{Command: verb, ContainerID: "sbr-test", NetNS: netns, IfName: contIf, Path: dir}
	bin := filepath.Join(dir, "sbr")
	if verb == "ADD" {
		return invoke.ExecPluginWithResult(context.Background(), bin, conf, args, nil)
	}
	return nil, invoke.ExecPluginWithoutResult(context.Background(), bin, conf, args, nil)
}

func (f *fixture) sbr(verb string, conf []byte) (types.Result, error) {
	return f.run(testutils.PluginBinDir(), verb, conf, f.cont.Path())
}

// routes renders eth0's routes of family in table, kernel routes included.
func (f *fixture) routes(family, table int) string {
	GinkgoHelper()
	var text string
	Expect(f.cont.Do(func(ns.NetNS) (err error) {
		text, err = testutils.RouteTextAll(contIf, family, table)
		return err
	})).To(Succeed())
	return text
}

// rules renders the container's source rules as "from PREFIX table N".
func (f *fixture) rules() string {
	GinkgoHelper()
	var lines []string
	Expect(f.cont.Do(func(ns.NetNS) error {
		for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
			rules, err := netlinksafe.RuleList(family)
			if err != nil {
				return err
			}
			for _, r := range rules {
				if r.Src != nil {
					lines = append(lines, fmt.Sprintf("from %s table %d", r.Src, r.Table))
				}
			}
		}
		return nil
	})).To(Succeed())
	return strings.Join(lines, "\n")
}

// inCont runs f with a handle and eth0 in the container.
func (f *fixture) inCont(fn func(h *netlinksafe.Handle, l netlink.Link) error) {
	GinkgoHelper()
	Expect(f.cont.Do(func(ns.NetNS) error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		l, err := h.LinkByName(contIf)
		if err != nil {
			return err
		}
		return fn(h, l)
	})).To(Succeed())
}

const bothRules = "from 198.51.100.10/32 table 100\nfrom 2001:db8:1::10/128 table 101"

var _ = Describe("sbr", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("multipath")
		_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), "sbr"))
		Expect(err).NotTo(HaveOccurred(), "sbr not built: run ./build_linux.sh")
	})

	for _, ver := range testutils.SpecVersions() {
		It("moves multipath routes intact to one table per address, spec "+ver, func() {
			f := newFixture(dualStack, ecmpRoutes)
			conf := f.conf(ver, "")
			res, err := f.sbr("ADD", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Version()).To(Equal(ver))

			Expect(f.rules()).To(Equal(bothRules))
			// Each address's table has the gateway routes of its family and
			// the device routes of both, but for the connected IPv4 route,
			// whose source is the IPv4 address.
			Expect(f.routes(netlink.FAMILY_V4, 100)).To(Equal(v4Table(100, true)))
			Expect(f.routes(netlink.FAMILY_V6, 100)).To(Equal(v6Devices(100)))
			Expect(f.routes(netlink.FAMILY_V4, 101)).To(BeEmpty())
			Expect(f.routes(netlink.FAMILY_V6, 101)).To(Equal(v6Table(101)))
			Expect(f.routes(netlink.FAMILY_ALL, 254)).To(BeEmpty(), "nothing left in main")

			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.sbr("CHECK", conf)
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = f.sbr("DEL", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.rules()).To(BeEmpty())
			_, err = f.sbr("DEL", conf)
			Expect(err).NotTo(HaveOccurred(), "DEL twice")
		})
	}

	It("DEL succeeds a second time with an empty CNI_NETNS and no prevResult, and with the namespace gone", func() {
		f := newFixture(dualStack, ecmpRoutes)
		_, err := f.sbr("ADD", f.conf("1.0.0", ""))
		Expect(err).NotTo(HaveOccurred())
		bare := []byte(`{"cniVersion":"1.0.0","name":"sbr-test","type":"sbr"}`)
		_, err = f.sbr("DEL", bare)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules()).To(BeEmpty(), "rules found from the interface's addresses")
		_, err = f.run(testutils.PluginBinDir(), "DEL", bare, "")
		Expect(err).NotTo(HaveOccurred())
		_, err = f.run(testutils.PluginBinDir(), "DEL", bare, "/run/netns/sbr-test-does-not-exist")
		Expect(err).NotTo(HaveOccurred())
		_, err = f.sbr("DEL", []byte(`{"cniVersion":"1.0.0","name":"sbr-test","type":"sbr","gateway":"nope","prevResult":{"ips":[null]}}`))
		Expect(err).NotTo(HaveOccurred(), "DEL of a config ADD refuses")
	})

	It("CHECK fails when a moved nexthop or a rule is missing", func() {
		f := newFixture(dualStack, ecmpRoutes)
		conf := f.conf("1.1.0", "")
		_, err := f.sbr("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		f.inCont(func(h *netlinksafe.Handle, l netlink.Link) error {
			_, dst, _ := net.ParseCIDR("192.0.2.0/24")
			return h.RouteReplace(&netlink.Route{Dst: dst, Table: 100, Priority: 10, MTU: 1400, AdvMSS: 1360, LinkIndex: l.Attrs().Index, Gw: net.ParseIP("198.51.100.1")})
		})
		_, err = f.sbr("CHECK", conf)
		Expect(err).To(MatchError(ContainSubstring("check table 100 of 198.51.100.10: check route 192.0.2.0/24 nexthop via 198.51.100.1 nexthop via 198.51.100.3 dev eth0 table 100 metric 10 mtu 1400 advmss 1360: nexthop via 198.51.100.3 dev eth0 missing")))
		f.inCont(func(h *netlinksafe.Handle, _ netlink.Link) error {
			return h.RuleDel(sourceRule(net.ParseIP("2001:db8:1::10"), 101))
		})
		_, err = f.sbr("CHECK", conf)
		Expect(err).To(MatchError(ContainSubstring("check rule from 2001:db8:1::10/128: missing")))
	})

	It("with a table, adds the rules to it and leaves the routes alone", func() {
		f := newFixture(dualStack, ecmpRoutes)
		before := f.routes(netlink.FAMILY_ALL, 254)
		conf := f.conf("1.1.0", `"table":5001`)
		_, err := f.sbr("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules()).To(Equal("from 198.51.100.10/32 table 5001\nfrom 2001:db8:1::10/128 table 5001"))
		Expect(f.routes(netlink.FAMILY_ALL, 254)).To(Equal(before))
		_, err = f.sbr("CHECK", conf)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.sbr("DEL", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules()).To(BeEmpty())
	})

	It("uses the configured gateway for the default route and keeps the default routes in main", func() {
		f := newFixture(dualStack, ecmpRoutes)
		conf := f.conf("1.1.0", `"gateway":"198.51.100.3","preserveDefaultRoutes":true`)
		_, err := f.sbr("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.routes(netlink.FAMILY_V4, 100)).To(Equal(strings.Join([]string{
			"default via 198.51.100.3 dev eth0 table 100",
			"192.0.2.0/24 metric 10 mtu 1400 advmss 1360 table 100 nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.3 dev eth0 weight 1",
			"198.51.100.0/24 dev eth0 scope link table 100",
		}, "\n")))
		Expect(f.routes(netlink.FAMILY_V6, 101)).To(Equal(v6Table(101)), "an IPv4 gateway leaves IPv6 alone")
		Expect(f.routes(netlink.FAMILY_ALL, 254)).To(Equal(
			"default nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 198.51.100.2 dev eth0 weight 1\n" +
				"default metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1"))
		_, err = f.sbr("CHECK", conf)
		Expect(err).NotTo(HaveOccurred())
	})

	It("adds the default route through the address's gateway when none was moved", func() {
		f := newFixture(`{"address":"198.51.100.10/24","gateway":"198.51.100.2"}`, `{"dst":"203.0.113.0/24","gw":"198.51.100.1"}`)
		conf := f.conf("0.4.0", "")
		_, err := f.sbr("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules()).To(Equal("from 198.51.100.10/32 table 100"))
		Expect(f.routes(netlink.FAMILY_V4, 100)).To(Equal(strings.Join([]string{
			"default via 198.51.100.2 dev eth0 table 100",
			"198.51.100.0/24 dev eth0 scope link table 100",
			"203.0.113.0/24 via 198.51.100.1 dev eth0 table 100",
		}, "\n")))
		_, err = f.sbr("CHECK", conf)
		Expect(err).NotTo(HaveOccurred())
	})

	It("takes the first table no rule or route uses", func() {
		f := newFixture(`{"address":"198.51.100.10/24"}`, `{"dst":"203.0.113.0/24","gw":"198.51.100.1"}`)
		f.inCont(func(h *netlinksafe.Handle, l netlink.Link) error {
			r := netlink.NewRule()
			r.Table, r.Priority = 100, 1000
			if err := h.RuleAdd(r); err != nil {
				return err
			}
			_, dst, _ := net.ParseCIDR("192.0.2.0/24")
			return h.RouteAdd(&netlink.Route{Dst: dst, LinkIndex: l.Attrs().Index, Table: 101})
		})
		_, err := f.sbr("ADD", f.conf("1.0.0", ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules()).To(Equal("from 198.51.100.10/32 table 102"))
	})

	It("leaves nothing behind when ADD fails", func() {
		f := newFixture(dualStack, ecmpRoutes)
		before := f.routes(netlink.FAMILY_ALL, 254)
		// The IPv4 table is done when the default route through a gateway
		// that no route reaches fails.
		_, err := f.sbr("ADD", f.conf("1.1.0", `"gateway":"192.0.2.99"`))
		Expect(err).To(MatchError(ContainSubstring("add route default via 192.0.2.99 dev eth0 table 100")))
		Expect(f.rules()).To(BeEmpty())
		Expect(f.routes(netlink.FAMILY_ALL, 100)).To(BeEmpty())
		Expect(f.routes(netlink.FAMILY_ALL, 254)).To(Equal(before))
	})

	DescribeTable("refuses bad input with a CNI error",
		func(fields string, prev bool, code uint, msg string) {
			f := newFixture(dualStack, ecmpRoutes)
			conf := f.conf("1.1.0", fields)
			if !prev {
				conf = []byte(`{"cniVersion":"1.1.0","name":"sbr-test","type":"sbr"}`)
			}
			_, err := f.sbr("ADD", conf)
			Expect(testutils.ErrCode(err)).To(Equal(code), "%v", err)
			Expect(err).To(MatchError(ContainSubstring(msg)))
			Expect(f.rules()).To(BeEmpty())
		},
		Entry("gateway", `"gateway":"198.51.100.300"`, true, uint(7), `invalid gateway "198.51.100.300"`),
		Entry("table", `"table":-1`, true, uint(7), "invalid table -1"),
		Entry("no prevResult", "", false, uint(7), "required prevResult missing"),
		Entry("undecodable", `"table":"x"`, true, uint(6), "decode network config"),
	)

	It("runs upstream's documented configs: bare sbr after an interface plugin, and with a table", func() {
		f := newFixture(dualStack, ecmpRoutes)
		// From the sbr documentation: `{"type": "sbr"}` chained at 0.3.0.
		conf := f.conf("0.3.0", "")
		_, err := f.sbr("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rules()).To(Equal(bothRules))
		_, err = f.sbr("DEL", conf)
		Expect(err).NotTo(HaveOccurred())

		g := newFixture(`{"address":"198.51.100.10/24"}`,
			`{"dst":"192.0.2.1/32","gw":"198.51.100.1","table":5001},{"dst":"203.0.113.1/32","gw":"198.51.100.2","table":5001}`)
		// The table-ID example: routes placed in 5001 by IPAM, sbr adds the rule.
		_, err = g.sbr("ADD", g.conf("1.0.0", `"table":5001`))
		Expect(err).NotTo(HaveOccurred())
		Expect(g.rules()).To(Equal("from 198.51.100.10/32 table 5001"))
		Expect(g.routes(netlink.FAMILY_V4, 5001)).To(Equal(
			"192.0.2.1 via 198.51.100.1 dev eth0 table 5001\n203.0.113.1 via 198.51.100.2 dev eth0 table 5001"))
	})
})

// upstreamDir is where upstream's released plugins are, for the
// differential specs (pkg/testutils/upstream: built once into a cache
// outside the work tree). It skips only where none can be had.
func upstreamDir() string {
	GinkgoHelper()
	return upstream.Require("sbr")
}

// state renders the rules and tables 100-101 of the container.
func (f *fixture) state() string {
	GinkgoHelper()
	return strings.Join([]string{
		"rules:", f.rules(),
		"main:", f.routes(netlink.FAMILY_ALL, 254),
		"100:", f.routes(netlink.FAMILY_ALL, 100),
		"101:", f.routes(netlink.FAMILY_ALL, 101),
	}, "\n")
}

var _ = Describe("sbr against upstream's release", func() {
	BeforeEach(func() {
		testutils.SkipUnlessRoot()
	})

	// Configs for which Documentation/compatibility.md lists
	// no difference: one gateway per destination.
	DescribeTable("leaves the same rules and tables after ADD, and after DEL",
		func(ips, routes, fields string) {
			up := upstreamDir()
			ours, theirs := newFixture(ips, routes), newFixture(ips, routes)
			conf := func(f *fixture) []byte { return f.conf("1.0.0", fields) }
			_, err := ours.sbr("ADD", conf(ours))
			Expect(err).NotTo(HaveOccurred())
			_, err = theirs.run(up, "ADD", conf(theirs), theirs.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			a, b := ours.state(), theirs.state()
			Expect(a).To(Equal(b), "after ADD, ours:\n%s\nupstream:\n%s", a, b)

			_, err = ours.sbr("DEL", conf(ours))
			Expect(err).NotTo(HaveOccurred())
			_, err = theirs.run(up, "DEL", conf(theirs), theirs.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			a, b = ours.state(), theirs.state()
			Expect(a).To(Equal(b), "after DEL, ours:\n%s\nupstream:\n%s", a, b)
		},
		Entry("IPv4 address with a gateway, a prefix route",
			`{"address":"198.51.100.10/24","gateway":"198.51.100.1"}`, `{"dst":"203.0.113.0/24","gw":"198.51.100.2"}`, ""),
		Entry("IPv4 default route through the address's gateway",
			`{"address":"198.51.100.10/24","gateway":"198.51.100.1"}`, `{"dst":"0.0.0.0/0"},{"dst":"203.0.113.0/24","gw":"198.51.100.2"}`, ""),
		Entry("dual stack, one gateway each",
			dualStack, `{"dst":"0.0.0.0/0"},{"dst":"::/0"}`, ""),
		Entry("a table: rules only",
			dualStack, `{"dst":"0.0.0.0/0"},{"dst":"::/0"}`, `"table":5001`),
	)
})
