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

// ecmpRoutes are two gateways per family for the default route and a
// prefix with metric and mtu.
const ecmpRoutes = `{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
	{"dst":"192.0.2.0/24","gw":"198.51.100.1","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"192.0.2.0/24","gw":"198.51.100.3","priority":10,"mtu":1400,"advmss":1360},
	{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"},
	{"dst":"2001:db8:2::/64","gw":"2001:db8:1::1","priority":10,"mtu":1400},
	{"dst":"2001:db8:2::/64","gw":"2001:db8:1::3","priority":10,"mtu":1400}`

// vrfRoutes is what the VRF's table holds for an interface dev of the
// fixture, without the kernel's routes.
func vrfRoutes(family, table int, dev string) string {
	if family == netlink.FAMILY_V4 {
		return fmt.Sprintf("default table %[1]d nexthop via 198.51.100.1 dev %[2]s weight 1 nexthop via 198.51.100.2 dev %[2]s weight 1\n"+
			"192.0.2.0/24 metric 10 mtu 1400 advmss 1360 table %[1]d nexthop via 198.51.100.1 dev %[2]s weight 1 nexthop via 198.51.100.3 dev %[2]s weight 1", table, dev)
	}
	return fmt.Sprintf("2001:db8:2::/64 metric 10 mtu 1400 table %[1]d nexthop via 2001:db8:1::1 dev %[2]s weight 1 nexthop via 2001:db8:1::3 dev %[2]s weight 1\n"+
		"default metric 1024 table %[1]d nexthop via 2001:db8:1::1 dev %[2]s weight 1 nexthop via 2001:db8:1::2 dev %[2]s weight 1", table, dev)
}

// fixture is a container whose interfaces, veths to a namespace holding
// the gateways, an interface plugin configured.
type fixture struct {
	cont, peer ns.NetNS
	res        map[string]*current.Result
}

func newFixture() *fixture {
	GinkgoHelper()
	f := &fixture{cont: testutils.NewNSForSpec(), peer: testutils.NewNSForSpec(), res: map[string]*current.Result{}}
	Expect(f.peer.Do(func(ns.NetNS) error {
		lo, err := netlinksafe.LinkByName("lo")
		if err != nil {
			return err
		}
		return netlink.LinkSetUp(lo)
	})).To(Succeed())
	return f
}

// addIface gives the container the interface ifName (peer end peerName),
// with host address n in both families, configured with routes.
func (f *fixture) addIface(ifName, peerName string, n int, routes string) {
	GinkgoHelper()
	Expect(f.cont.Do(func(ns.NetNS) error {
		_, _, err := ip.SetupVethWithName(ifName, peerName, 0, "", f.peer)
		return err
	})).To(Succeed())
	Expect(f.peer.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(peerName)
		if err != nil {
			return err
		}
		if n > 10 {
			// The second interface's peer has no gateway addresses: one
			// namespace answers each gateway once.
			return nil
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
	js := fmt.Sprintf(`{"cniVersion":"1.1.0","interfaces":[{"name":%q,"sandbox":%q}],
		"ips":[{"address":"198.51.100.%d/24","gateway":"198.51.100.1"},{"address":"2001:db8:1::%d/64"}],"routes":[%s]}`,
		ifName, f.cont.Path(), n, n, routes)
	res := &current.Result{}
	Expect(json.Unmarshal([]byte(js), res)).To(Succeed(), js)
	for _, ipc := range res.IPs {
		ipc.Interface = current.Int(0)
	}
	Expect(f.cont.Do(func(ns.NetNS) error { return ipam.ConfigureIface(ifName, res) })).To(Succeed())
	f.res[ifName] = res
}

// conf returns the vrf config at ver with fields and ifName's result as
// prevResult.
func (f *fixture) conf(ver, ifName, fields string) []byte {
	GinkgoHelper()
	prev, err := f.res[ifName].GetAsVersion(ver)
	Expect(err).NotTo(HaveOccurred())
	b, err := json.Marshal(prev)
	Expect(err).NotTo(HaveOccurred())
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"vrf-test","type":"vrf",%s,"prevResult":%s}`, ver, fields, b))
}

// vrf execs the built vrf plugin with verb on ifName in netns.
func vrf(verb, ifName string, conf []byte, netns string) (types.Result, error) {
	dir := testutils.PluginBinDir()
	args := &invoke.Args{Command: verb, ContainerID: "vrf-test", NetNS: netns, IfName: ifName, Path: dir}
	bin := filepath.Join(dir, "vrf")
	if verb == "ADD" {
		return invoke.ExecPluginWithResult(context.Background(), bin, conf, args, nil)
	}
	return nil, invoke.ExecPluginWithoutResult(context.Background(), bin, conf, args, nil)
}

// routes renders dev's routes of family in table (kernel routes left out).
func (f *fixture) routes(dev string, family, table int) string {
	GinkgoHelper()
	var text string
	Expect(f.cont.Do(func(ns.NetNS) (err error) {
		text, err = testutils.RouteText(dev, family, table)
		return err
	})).To(Succeed())
	return text
}

// vrfOf returns the table of the VRF name and the names of its interfaces,
// or table 0 when it does not exist.
func (f *fixture) vrfOf(name string) (uint32, []string) {
	GinkgoHelper()
	var (
		table  uint32
		slaves []string
	)
	Expect(f.cont.Do(func(ns.NetNS) error {
		links, err := netlinksafe.LinkList()
		if err != nil {
			return err
		}
		index := 0
		for _, l := range links {
			if v, ok := l.(*netlink.Vrf); ok && v.Name == name {
				table, index = v.Table, v.Index
			}
		}
		for _, l := range links {
			if index != 0 && l.Attrs().MasterIndex == index {
				slaves = append(slaves, l.Attrs().Name)
			}
		}
		return nil
	})).To(Succeed())
	return table, slaves
}

// addrs renders the global addresses of dev.
func (f *fixture) addrs(dev string) string {
	GinkgoHelper()
	var out []string
	Expect(f.cont.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(dev)
		if err != nil {
			return err
		}
		as, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		for _, a := range as {
			if !a.IP.IsLinkLocalUnicast() {
				out = append(out, a.IPNet.String())
			}
		}
		return nil
	})).To(Succeed())
	return strings.Join(out, " ")
}

var _ = Describe("vrf", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("vrf")
		testutils.RequireKernelFeature("multipath")
		_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), "vrf"))
		Expect(err).NotTo(HaveOccurred(), "vrf not built: run ./build_linux.sh")
	})

	for _, ver := range testutils.SpecVersions() {
		It("moves the interface and its multipath routes into a new VRF, spec "+ver, func() {
			f := newFixture()
			f.addIface("eth0", "peer0", 10, ecmpRoutes)
			conf := f.conf(ver, "eth0", `"vrfname":"blue"`)
			r, err := vrf("ADD", "eth0", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Version()).To(Equal(ver))

			table, slaves := f.vrfOf("blue")
			Expect(table).To(Equal(uint32(1)), "the first free table")
			Expect(slaves).To(Equal([]string{"eth0"}))
			Expect(f.routes("eth0", netlink.FAMILY_V4, 1)).To(Equal(vrfRoutes(netlink.FAMILY_V4, 1, "eth0")))
			Expect(f.routes("eth0", netlink.FAMILY_V6, 1)).To(Equal(vrfRoutes(netlink.FAMILY_V6, 1, "eth0")))
			Expect(f.routes("eth0", netlink.FAMILY_ALL, 254)).To(BeEmpty(), "nothing left in main")
			Expect(f.addrs("eth0")).To(Equal("198.51.100.10/24 2001:db8:1::10/64"), "IPv6 address restored")

			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = vrf("CHECK", "eth0", conf, f.cont.Path())
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = vrf("DEL", "eth0", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			table, _ = f.vrfOf("blue")
			Expect(table).To(BeZero(), "the VRF goes with its last interface")
			_, err = vrf("DEL", "eth0", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL twice")
			_, err = vrf("DEL", "eth0", []byte(`{"cniVersion":"1.0.0","name":"vrf-test","type":"vrf","vrfname":"blue","table":"x"}`), "")
			Expect(err).NotTo(HaveOccurred(), "DEL with an empty CNI_NETNS and a config ADD refuses")
		})
	}

	It("puts two interfaces into one VRF with a configured table and deletes it with the last", func() {
		f := newFixture()
		f.addIface("eth0", "peer0", 10, ecmpRoutes)
		f.addIface("eth1", "peer1", 11, `{"dst":"203.0.113.0/24","gw":"198.51.100.10"}`)
		c0 := f.conf("1.1.0", "eth0", `"vrfname":"red","table":1001`)
		c1 := f.conf("1.1.0", "eth1", `"vrfname":"red","table":1001`)
		_, err := vrf("ADD", "eth0", c0, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = vrf("ADD", "eth1", c1, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		table, slaves := f.vrfOf("red")
		Expect(table).To(Equal(uint32(1001)))
		Expect(slaves).To(ConsistOf("eth0", "eth1"))
		Expect(f.routes("eth0", netlink.FAMILY_V4, 1001)).To(Equal(vrfRoutes(netlink.FAMILY_V4, 1001, "eth0")))
		Expect(f.routes("eth1", netlink.FAMILY_V4, 1001)).To(Equal("203.0.113.0/24 via 198.51.100.10 dev eth1 table 1001"))
		_, err = vrf("CHECK", "eth1", c1, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())

		_, err = vrf("DEL", "eth0", c0, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, slaves = f.vrfOf("red")
		Expect(slaves).To(Equal([]string{"eth1"}), "kept for its other interface")
		_, err = vrf("DEL", "eth1", c1, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		table, _ = f.vrfOf("red")
		Expect(table).To(BeZero())
	})

	It("CHECK fails when a nexthop in the VRF's table is missing", func() {
		f := newFixture()
		f.addIface("eth0", "peer0", 10, ecmpRoutes)
		conf := f.conf("1.1.0", "eth0", `"vrfname":"blue"`)
		_, err := vrf("ADD", "eth0", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cont.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName("eth0")
			if err != nil {
				return err
			}
			dst, _ := netlink.ParseIPNet("192.0.2.0/24")
			gw, _ := netlink.ParseIPNet("198.51.100.1/32")
			return netlink.RouteReplace(&netlink.Route{Dst: dst, Table: 1, Priority: 10, MTU: 1400, AdvMSS: 1360, LinkIndex: l.Attrs().Index, Gw: gw.IP})
		})).To(Succeed())
		_, err = vrf("CHECK", "eth0", conf, f.cont.Path())
		Expect(err).To(MatchError(ContainSubstring("nexthop via 198.51.100.3 dev eth0 missing")))
	})

	DescribeTable("refuses bad input with code 7 and leaves nothing behind",
		func(fields string, prev bool, msg string) {
			f := newFixture()
			f.addIface("eth0", "peer0", 10, ecmpRoutes)
			Expect(f.cont.Do(func(ns.NetNS) error {
				return netlink.LinkAdd(&netlink.Vrf{LinkAttrs: netlink.LinkAttrs{Name: "green"}, Table: 7})
			})).To(Succeed())
			before := f.routes("eth0", netlink.FAMILY_ALL, 254)
			conf := f.conf("1.1.0", "eth0", fields)
			if !prev {
				conf = []byte(`{"cniVersion":"1.1.0","name":"vrf-test","type":"vrf",` + fields + `}`)
			}
			_, err := vrf("ADD", "eth0", conf, f.cont.Path())
			Expect(testutils.ErrCode(err)).To(Equal(uint(7)), "%v", err)
			Expect(err).To(MatchError(ContainSubstring(msg)))
			Expect(f.routes("eth0", netlink.FAMILY_ALL, 254)).To(Equal(before))
			table, slaves := f.vrfOf("green")
			Expect(table).To(Equal(uint32(7)))
			Expect(slaves).To(BeEmpty())
		},
		Entry("no vrfname", `"table":5`, true, "missing vrfname"),
		Entry("another table", `"vrfname":"green","table":8`, true, "vrf green exists with table 7"),
		Entry("not a vrf", `"vrfname":"lo"`, true, `invalid vrfname "lo": link exists and is a device`),
		Entry("no prevResult", `"vrfname":"green"`, false, "required prevResult missing"),
	)

	It("runs the config of upstream's documentation unchanged", func() {
		f := newFixture()
		f.addIface("eth0", "peer0", 10, ecmpRoutes)
		// {"type": "vrf", "vrfname": "blue"} chained at 0.3.1.
		conf := f.conf("0.3.1", "eth0", `"vrfname":"blue"`)
		_, err := vrf("ADD", "eth0", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, slaves := f.vrfOf("blue")
		Expect(slaves).To(Equal([]string{"eth0"}))
	})
})

// upstreamDir is where upstream's released plugins are, for the
// differential specs: testdata/upstream when it holds vrf (how they reach
// the VM guest, which has the link type and no Go toolchain; never
// committed), else pkg/testutils/upstream's cache (built on the host, which
// may lack the link type); the specs skip where neither can be had.
func upstreamDir() string {
	GinkgoHelper()
	if _, err := os.Stat(filepath.Join("testdata", "upstream", "vrf")); err == nil {
		abs, err := filepath.Abs(filepath.Join("testdata", "upstream"))
		Expect(err).NotTo(HaveOccurred())
		return abs
	}
	return upstream.Require("vrf")
}

// state renders the VRFs, the routes of eth0 in main and in table and the
// global addresses of eth0.
func (f *fixture) state(name string) string {
	GinkgoHelper()
	table, slaves := f.vrfOf(name)
	return strings.Join([]string{
		fmt.Sprintf("vrf %s table %d slaves %v", name, table, slaves),
		"main:", f.routes("eth0", netlink.FAMILY_ALL, 254),
		"vrf table:", f.routes("eth0", netlink.FAMILY_ALL, int(table)),
		"addresses: " + f.addrs("eth0"),
	}, "\n")
}

var _ = Describe("vrf against upstream's release", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("vrf")
	})

	// Configs for which Documentation/compatibility.md lists
	// no difference: one gateway per destination.
	It("leaves the same VRF, routes and addresses after ADD, and after DEL", func() {
		up := upstreamDir()
		routes := `{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"192.0.2.0/24","gw":"198.51.100.2","priority":10,"mtu":1400},{"dst":"::/0","gw":"2001:db8:1::1"}`
		ours, theirs := newFixture(), newFixture()
		ours.addIface("eth0", "peer0", 10, routes)
		theirs.addIface("eth0", "peer0", 10, routes)
		for _, f := range []*fixture{ours, theirs} {
			dir := testutils.PluginBinDir()
			if f == theirs {
				dir = up
			}
			args := &invoke.Args{Command: "ADD", ContainerID: "vrf-test", NetNS: f.cont.Path(), IfName: "eth0", Path: dir}
			_, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(dir, "vrf"), f.conf("1.0.0", "eth0", `"vrfname":"blue"`), args, nil)
			Expect(err).NotTo(HaveOccurred(), dir)
		}
		a, b := ours.state("blue"), theirs.state("blue")
		Expect(a).To(Equal(b), "after ADD, ours:\n%s\nupstream:\n%s", a, b)
		for _, f := range []*fixture{ours, theirs} {
			dir := testutils.PluginBinDir()
			if f == theirs {
				dir = up
			}
			args := &invoke.Args{Command: "DEL", ContainerID: "vrf-test", NetNS: f.cont.Path(), IfName: "eth0", Path: dir}
			Expect(invoke.ExecPluginWithoutResult(context.Background(), filepath.Join(dir, "vrf"), f.conf("1.0.0", "eth0", `"vrfname":"blue"`), args, nil)).To(Succeed(), dir)
		}
		a, b = ours.state("blue"), theirs.state("blue")
		Expect(a).To(Equal(b), "after DEL, ours:\n%s\nupstream:\n%s", a, b)
	})

	It("reports what upstream makes of multipath routes", func() {
		up := upstreamDir()
		f := newFixture()
		f.addIface("eth0", "peer0", 10, ecmpRoutes)
		args := &invoke.Args{Command: "ADD", ContainerID: "vrf-test", NetNS: f.cont.Path(), IfName: "eth0", Path: up}
		_, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(up, "vrf"), f.conf("1.0.0", "eth0", `"vrfname":"blue"`), args, nil)
		AddReportEntry("upstream vrf with multipath routes", fmt.Sprintf("error %v\n%s", err, f.state("blue")))
		GinkgoWriter.Printf("upstream vrf with multipath routes: error %v\n%s\n", err, f.state("blue"))
		// Documented difference: upstream does not keep them in the VRF.
		Expect(f.routes("eth0", netlink.FAMILY_ALL, 1)).NotTo(Equal(vrfRoutes(netlink.FAMILY_V4, 1, "eth0") + "\n" + vrfRoutes(netlink.FAMILY_V6, 1, "eth0")))
	})
})
