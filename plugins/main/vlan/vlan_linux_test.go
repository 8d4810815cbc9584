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
	"errors"
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

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

const ifName = "net1"

// fixture is a host namespace whose master eth0 is a veth to a peer
// namespace, and an empty container namespace.
type fixture struct {
	host, peer, cont ns.NetNS
}

func newFixture() *fixture {
	GinkgoHelper()
	f := &fixture{host: testutils.NewNSForSpec(), peer: testutils.NewNSForSpec(), cont: testutils.NewNSForSpec()}
	Expect(f.host.Do(func(ns.NetNS) error {
		_, _, err := ip.SetupVethWithName("eth0", "peer0", 1500, "", f.peer)
		return err
	})).To(Succeed())
	return f
}

// conf is a vlan config at ver on eth0 with tag 5 and static IPAM giving
// two gateways per family to the default route.
func conf(ver, fields string) []byte {
	if fields != "" {
		fields += ","
	}
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"vlan-test","type":"vlan",%s
		"ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"},{"address":"2001:db8:1::10/64"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
				{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"}]}}`, ver, fields))
}

const onEth0 = `"master":"eth0","vlanId":5`

// run execs the built vlan plugin with verb from the host namespace.
func (f *fixture) run(verb string, conf []byte, netns string) (res types.Result, err error) {
	dir := testutils.PluginBinDir()
	args := &invoke.Args{Command: verb, ContainerID: "vlan-test", NetNS: netns, IfName: ifName, Path: dir}
	bin := filepath.Join(dir, "vlan")
	Expect(f.host.Do(func(ns.NetNS) error {
		if verb == "ADD" {
			res, err = invoke.ExecPluginWithResult(context.Background(), bin, conf, args, nil)
		} else {
			err = invoke.ExecPluginWithoutResult(context.Background(), bin, conf, args, nil)
		}
		return nil
	})).To(Succeed())
	return res, err
}

// withPrev returns conf with prevResult set to res.
func withPrev(conf []byte, res types.Result) []byte {
	GinkgoHelper()
	b, err := json.Marshal(res)
	Expect(err).NotTo(HaveOccurred())
	s := strings.TrimSpace(string(conf))
	return []byte(s[:len(s)-1] + `,"prevResult":` + string(b) + "}")
}

// routes renders the routes of net1 of family in the container.
func (f *fixture) routes(family int) string {
	GinkgoHelper()
	var text string
	Expect(f.cont.Do(func(ns.NetNS) (err error) {
		text, err = testutils.RouteText(ifName, family, 0)
		return err
	})).To(Succeed())
	return text
}

// vlanLink returns net1 in the container, or an error.
func (f *fixture) vlanLink() (l netlink.Link, err error) {
	_ = f.cont.Do(func(ns.NetNS) error {
		l, err = netlinksafe.LinkByName(ifName)
		return nil
	})
	return l, err
}

var _ = Describe("vlan", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("vlan")
		testutils.RequireKernelFeature("multipath")
		for _, bin := range []string{"vlan", "static"} {
			_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
			Expect(err).NotTo(HaveOccurred(), "%s not built: run ./build_linux.sh", bin)
		}
		os.Setenv("CNI_PATH", testutils.PluginBinDir())
	})

	for _, ver := range testutils.SpecVersions() {
		It("creates a tagged link in the container with one multipath route per family, spec "+ver, func() {
			f := newFixture()
			c := conf(ver, onEth0)
			r, err := f.run("ADD", c, f.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Version()).To(Equal(ver))
			l, err := f.vlanLink()
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Type()).To(Equal("vlan"))
			Expect(l.(*netlink.Vlan).VlanId).To(Equal(5))
			Expect(l.Attrs().MTU).To(Equal(1500))
			Expect(f.routes(netlink.FAMILY_V4)).To(Equal(
				"default nexthop via 198.51.100.1 dev net1 weight 1 nexthop via 198.51.100.2 dev net1 weight 1"))
			Expect(f.routes(netlink.FAMILY_V6)).To(Equal(
				"default metric 1024 nexthop via 2001:db8:1::1 dev net1 weight 1 nexthop via 2001:db8:1::2 dev net1 weight 1"))
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.run("CHECK", withPrev(c, r), f.cont.Path())
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = f.run("DEL", c, f.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			_, err = f.vlanLink()
			Expect(err).To(MatchError(ContainSubstring("not found")))
			_, err = f.run("DEL", c, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL twice")
			_, err = f.run("DEL", []byte(`{"cniVersion":"1.0.0","name":"vlan-test","type":"vlan","vlanId":-4}`), "")
			Expect(err).NotTo(HaveOccurred(), "DEL with an empty CNI_NETNS and a config ADD refuses")
		})
	}

	It("CHECK fails on another vlan id or a missing nexthop", func() {
		f := newFixture()
		c := conf("1.1.0", onEth0)
		r, err := f.run("ADD", c, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = f.run("CHECK", withPrev(conf("1.1.0", `"master":"eth0","vlanId":6`), r), f.cont.Path())
		Expect(err).To(MatchError(ContainSubstring("vlan id 5, want 6")))
		Expect(f.cont.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(ifName)
			if err != nil {
				return err
			}
			gw, _ := netlink.ParseIPNet("198.51.100.1/32")
			return netlink.RouteReplace(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw.IP})
		})).To(Succeed())
		_, err = f.run("CHECK", withPrev(c, r), f.cont.Path())
		Expect(err).To(MatchError(ContainSubstring("nexthop via 198.51.100.2 dev net1 missing")))
	})

	DescribeTable("refuses bad input with code 7 and leaves nothing behind",
		func(fields, msg string) {
			f := newFixture()
			_, err := f.run("ADD", conf("1.1.0", fields), f.cont.Path())
			Expect(testutils.ErrCode(err)).To(Equal(uint(7)), "%v", err)
			Expect(err).To(MatchError(ContainSubstring(msg)))
			_, err = f.vlanLink()
			Expect(err).To(MatchError(ContainSubstring("not found")))
		},
		Entry("no master", `"vlanId":5`, "missing master"),
		Entry("vlan id too large", `"master":"eth0","vlanId":4096`, "invalid vlanId 4096"),
		Entry("mtu above the master's", `"master":"eth0","vlanId":5,"mtu":9000`, "invalid mtu 9000"),
	)

	It("removes the link when a route fails", func() {
		f := newFixture()
		bad := []byte(`{"cniVersion":"1.0.0","name":"vlan-test","type":"vlan","master":"eth0","vlanId":5,
			"ipam":{"type":"static","addresses":[{"address":"198.51.100.10/24"}],"routes":[{"dst":"203.0.113.0/24","gw":"192.0.2.1"}]}}`)
		_, err := f.run("ADD", bad, f.cont.Path())
		Expect(err).To(MatchError(ContainSubstring("add route 203.0.113.0/24 via 192.0.2.1 dev net1")))
		_, err = f.vlanLink()
		Expect(err).To(MatchError(ContainSubstring("not found")))
	})

	It("fails ADD on an IPAM result with a null ips element, releases it and leaves nothing", func() {
		f := newFixture()
		dir, log := linktest.FakeIPAM(`{"cniVersion":"1.1.0","ips":[null]}`)
		conf := []byte(`{"cniVersion":"1.1.0","name":"vlan-test","type":"vlan",` + onEth0 + `,"ipam":{"type":"fake"}}`)
		args := &invoke.Args{Command: "ADD", ContainerID: "vlan-test", NetNS: f.cont.Path(), IfName: ifName,
			Path: dir + ":" + testutils.PluginBinDir()}
		var err error
		Expect(f.host.Do(func(ns.NetNS) error {
			_, err = invoke.ExecPluginWithResult(context.Background(), filepath.Join(testutils.PluginBinDir(), "vlan"), conf, args, nil)
			return nil
		})).To(Succeed())
		Expect(err).To(MatchError(ContainSubstring("result of ipam plugin fake: ips[0] is null")))
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "%T %v", err, err)
		_, err = f.vlanLink()
		Expect(err).To(MatchError(ContainSubstring("not found")))
		Expect(log()).To(Equal("ADD\nDEL\n"))
	})

	It("refuses a CNI_IFNAME with %, which the kernel takes as a template, with code 4", func() {
		f := newFixture()
		args := &invoke.Args{Command: "ADD", ContainerID: "vlan-test", NetNS: f.cont.Path(), IfName: "net%d",
			Path: testutils.PluginBinDir()}
		var err error
		Expect(f.host.Do(func(ns.NetNS) error {
			_, err = invoke.ExecPluginWithResult(context.Background(), filepath.Join(testutils.PluginBinDir(), "vlan"),
				conf("1.1.0", onEth0), args, nil)
			return nil
		})).To(Succeed())
		Expect(testutils.ErrCode(err)).To(Equal(uint(4)), "%v", err)
		Expect(f.cont.Do(func(ns.NetNS) error {
			links, err := netlinksafe.LinkList()
			Expect(links).To(HaveLen(1)) // lo only
			return err
		})).To(Succeed())
	})

	It("runs the config of upstream's documentation unchanged", func() {
		f := newFixture()
		// The documented example, with a host-local data directory of the
		// test's own added.
		doc := []byte(fmt.Sprintf(`{"name":"mynet","cniVersion":"0.3.1","type":"vlan","master":"eth0","mtu":1500,"vlanId":5,
			"linkInContainer":false,"ipam":{"type":"host-local","subnet":"10.1.1.0/24","dataDir":%q},
			"dns":{"nameservers":["10.1.1.1","8.8.8.8"]}}`, GinkgoT().TempDir()))
		r, err := f.run("ADD", doc, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		res, err := current.NewResultFromResult(r)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IPs).To(HaveLen(1))
		Expect(res.IPs[0].Address.String()).To(Equal("10.1.1.2/24"))
		Expect(res.DNS.Nameservers).To(Equal([]string{"10.1.1.1", "8.8.8.8"}))
		_, err = f.run("DEL", doc, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
	})
})

// upstreamDir is where upstream's released plugins are, for the
// differential specs: testdata/upstream when it holds vlan (how they reach
// the VM guest, which has the link type and no Go toolchain; never
// committed), else pkg/testutils/upstream's cache (built on the host, which
// may lack the link type); the specs skip where neither can be had.
func upstreamDir() string {
	GinkgoHelper()
	if _, err := os.Stat(filepath.Join("testdata", "upstream", "vlan")); err == nil {
		abs, err := filepath.Abs(filepath.Join("testdata", "upstream"))
		Expect(err).NotTo(HaveOccurred())
		return abs
	}
	return upstream.Require("vlan")
}

// state renders net1 of the container: kind, tag, MTU, up, addresses and
// routes, or the lookup error.
func (f *fixture) state() string {
	GinkgoHelper()
	l, err := f.vlanLink()
	if err != nil {
		return err.Error()
	}
	var addrs []string
	var routes string
	Expect(f.cont.Do(func(ns.NetNS) error {
		as, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		for _, a := range as {
			if !a.IP.IsLinkLocalUnicast() {
				addrs = append(addrs, a.IPNet.String())
			}
		}
		routes, err = testutils.RouteText(ifName, netlink.FAMILY_ALL, 0)
		return err
	})).To(Succeed())
	return fmt.Sprintf("%s id %d mtu %d up %t addrs %v routes %q",
		l.Type(), l.(*netlink.Vlan).VlanId, l.Attrs().MTU, l.Attrs().Flags&net.FlagUp != 0, addrs, routes)
}

var _ = Describe("vlan against upstream's release", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("vlan")
		os.Setenv("CNI_PATH", testutils.PluginBinDir())
	})

	It("leaves the same link after ADD, and nothing after DEL", func() {
		up := upstreamDir()
		// One gateway per destination: no difference is listed.
		conf := []byte(`{"cniVersion":"1.0.0","name":"vlan-test","type":"vlan","master":"eth0","vlanId":5,"mtu":1400,
			"ipam":{"type":"static","addresses":[{"address":"198.51.100.10/24"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"203.0.113.0/24","gw":"198.51.100.2"}]}}`)
		ours, theirs := newFixture(), newFixture()
		exec := func(f *fixture, dir, verb string) error {
			args := &invoke.Args{Command: verb, ContainerID: "vlan-test", NetNS: f.cont.Path(), IfName: ifName, Path: testutils.PluginBinDir()}
			var err error
			Expect(f.host.Do(func(ns.NetNS) error {
				if verb == "ADD" {
					_, err = invoke.ExecPluginWithResult(context.Background(), filepath.Join(dir, "vlan"), conf, args, nil)
				} else {
					err = invoke.ExecPluginWithoutResult(context.Background(), filepath.Join(dir, "vlan"), conf, args, nil)
				}
				return nil
			})).To(Succeed())
			return err
		}
		Expect(exec(ours, testutils.PluginBinDir(), "ADD")).To(Succeed())
		Expect(exec(theirs, up, "ADD")).To(Succeed())
		Expect(ours.state()).To(Equal(theirs.state()))
		Expect(exec(ours, testutils.PluginBinDir(), "DEL")).To(Succeed())
		Expect(exec(theirs, up, "DEL")).To(Succeed())
		Expect(ours.state()).To(Equal(theirs.state()))
	})
})
