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
	"time"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

const ifName = "dummy0"

// staticConf is a dummy config at ver with static IPAM giving two gateways
// per family to the default route and to a prefix.
func staticConf(ver string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"dummy-test","type":"dummy",
		"ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"},{"address":"2001:db8:1::10/64"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
				{"dst":"203.0.113.0/24","gw":"198.51.100.1"},{"dst":"203.0.113.0/24","gw":"198.51.100.2"},
				{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"}]},
		"dns":{"nameservers":["192.0.2.53"]}}`, ver))
}

// run execs the built dummy plugin with verb in the namespace at netns.
func run(verb string, conf []byte, netns string) (types.Result, error) {
	dir := testutils.PluginBinDir()
	args := &invoke.Args{Command: verb, ContainerID: "dummy-test", NetNS: netns, IfName: ifName, Path: dir}
	bin := filepath.Join(dir, "dummy")
	if verb == "ADD" {
		return invoke.ExecPluginWithResult(context.Background(), bin, conf, args, nil)
	}
	return nil, invoke.ExecPluginWithoutResult(context.Background(), bin, conf, args, nil)
}

// withPrev returns conf with prevResult set to res.
func withPrev(conf []byte, res types.Result) []byte {
	GinkgoHelper()
	b, err := json.Marshal(res)
	Expect(err).NotTo(HaveOccurred())
	s := strings.TrimSpace(string(conf))
	return []byte(s[:len(s)-1] + `,"prevResult":` + string(b) + "}")
}

// routes renders the routes of dummy0 of family in the main table.
func routes(n ns.NetNS, family int) string {
	GinkgoHelper()
	var text string
	Expect(n.Do(func(ns.NetNS) (err error) {
		text, err = testutils.RouteText(ifName, family, 0)
		return err
	})).To(Succeed())
	return text
}

// linkGone asserts that dummy0 does not exist in n.
func linkGone(n ns.NetNS) {
	GinkgoHelper()
	Expect(n.Do(func(ns.NetNS) error {
		_, err := netlinksafe.LinkByName(ifName)
		return err
	})).To(MatchError(ContainSubstring("not found")))
}

var _ = Describe("dummy", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("dummy")
		testutils.RequireKernelFeature("multipath")
		for _, bin := range []string{"dummy", "static"} {
			_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
			Expect(err).NotTo(HaveOccurred(), "%s not built: run ./build_linux.sh", bin)
		}
		os.Setenv("CNI_PATH", testutils.PluginBinDir())
	})

	for _, ver := range testutils.SpecVersions() {
		It("creates a dummy link with one multipath route per destination, spec "+ver, func() {
			n := testutils.NewNSForSpec()
			conf := staticConf(ver)
			r, err := run("ADD", conf, n.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Version()).To(Equal(ver))
			res, err := current.NewResultFromResult(r)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.DNS.Nameservers).To(Equal([]string{"192.0.2.53"}))
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.3.0"); ok {
				Expect(res.Interfaces).To(HaveLen(1))
				Expect(res.Interfaces[0].Name).To(Equal(ifName))
				Expect(res.Interfaces[0].Sandbox).To(Equal(n.Path()))
			}
			Expect(routes(n, netlink.FAMILY_V4)).To(Equal(
				"default nexthop via 198.51.100.1 dev dummy0 weight 1 nexthop via 198.51.100.2 dev dummy0 weight 1\n" +
					"203.0.113.0/24 nexthop via 198.51.100.1 dev dummy0 weight 1 nexthop via 198.51.100.2 dev dummy0 weight 1"))
			Expect(routes(n, netlink.FAMILY_V6)).To(Equal(
				"default metric 1024 nexthop via 2001:db8:1::1 dev dummy0 weight 1 nexthop via 2001:db8:1::2 dev dummy0 weight 1"))

			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = run("CHECK", withPrev(conf, r), n.Path())
				Expect(err).NotTo(HaveOccurred())
			}
			if ok, _ := version.GreaterThanOrEqualTo(ver, "1.1.0"); ok {
				_, err = run("STATUS", conf, "")
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = run("DEL", conf, n.Path())
			Expect(err).NotTo(HaveOccurred())
			linkGone(n)
			_, err = run("DEL", conf, n.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL twice")
			_, err = run("DEL", conf, "")
			Expect(err).NotTo(HaveOccurred(), "DEL with an empty CNI_NETNS")
		})
	}

	It("CHECK fails when a nexthop is missing or the link is not a dummy", func() {
		n := testutils.NewNSForSpec()
		conf := staticConf("1.1.0")
		r, err := run("ADD", conf, n.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(n.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(ifName)
			if err != nil {
				return err
			}
			dst, _ := netlink.ParseIPNet("203.0.113.0/24")
			gw, _ := netlink.ParseIPNet("198.51.100.1/32")
			return netlink.RouteReplace(&netlink.Route{Dst: dst, LinkIndex: l.Attrs().Index, Gw: gw.IP})
		})).To(Succeed())
		_, err = run("CHECK", withPrev(conf, r), n.Path())
		Expect(err).To(MatchError(ContainSubstring("nexthop via 198.51.100.2 dev dummy0 missing")))
	})

	It("refuses a config without IPAM with code 7, and leaves nothing when IPAM fails", func() {
		n := testutils.NewNSForSpec()
		_, err := run("ADD", []byte(`{"cniVersion":"1.0.0","name":"dummy-test","type":"dummy"}`), n.Path())
		Expect(testutils.ErrCode(err)).To(Equal(uint(7)), "%v", err)
		Expect(err).To(MatchError(ContainSubstring("requires an IPAM configuration")))
		linkGone(n)

		bad := []byte(`{"cniVersion":"1.0.0","name":"dummy-test","type":"dummy","ipam":{"type":"static","addresses":[{"address":"198.51.100.10"}]}}`)
		_, err = run("ADD", bad, n.Path())
		Expect(err).To(HaveOccurred())
		linkGone(n)

		// A route the kernel refuses fails the ADD after the link exists.
		unreachable := []byte(`{"cniVersion":"1.0.0","name":"dummy-test","type":"dummy","ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"}],"routes":[{"dst":"203.0.113.0/24","gw":"192.0.2.1"}]}}`)
		_, err = run("ADD", unreachable, n.Path())
		Expect(err).To(MatchError(ContainSubstring("add route 203.0.113.0/24 via 192.0.2.1 dev dummy0")))
		linkGone(n)
	})

	It("fails ADD on an IPAM result with a null ips element, releases it and leaves nothing", func() {
		n := testutils.NewNSForSpec()
		dir, log := linktest.FakeIPAM(`{"cniVersion":"1.1.0","ips":[null]}`)
		conf := []byte(`{"cniVersion":"1.1.0","name":"dummy-test","type":"dummy","ipam":{"type":"fake"}}`)
		args := &invoke.Args{Command: "ADD", ContainerID: "dummy-test", NetNS: n.Path(), IfName: ifName,
			Path: dir + ":" + testutils.PluginBinDir()}
		_, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(testutils.PluginBinDir(), "dummy"), conf, args, nil)
		Expect(err).To(MatchError(ContainSubstring("result of ipam plugin fake: ips[0] is null")))
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "%T %v", err, err)
		linkGone(n)
		Expect(log()).To(Equal("ADD\nDEL\n"))
	})

	It("runs the config of upstream's documentation unchanged", func() {
		n := testutils.NewNSForSpec()
		// The dummy plugin's documented example (no cniVersion: 0.1.0),
		// with a host-local data directory of the test's own added.
		conf := []byte(fmt.Sprintf(`{"name":"mynet","type":"dummy",
			"ipam":{"type":"host-local","subnet":"10.1.2.0/24","dataDir":%q}}`, GinkgoT().TempDir()))
		_, err := run("ADD", conf, n.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(n.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(ifName)
			if err != nil {
				return err
			}
			addrs, err := netlinksafe.AddrList(l, netlink.FAMILY_V4)
			if err != nil {
				return err
			}
			Expect(addrs).To(HaveLen(1))
			Expect(addrs[0].IPNet.String()).To(Equal("10.1.2.2/24"))
			return nil
		})).To(Succeed())
		_, err = run("DEL", conf, n.Path())
		Expect(err).NotTo(HaveOccurred())
		linkGone(n)
	})
})

// upstreamDir is where upstream's released plugins are, for the
// differential specs: testdata/upstream when it holds dummy (how they reach
// the VM guest, which has the link type and no Go toolchain; never
// committed), else pkg/testutils/upstream's cache (built on the host, which
// may lack the link type); the specs skip where neither can be had.
func upstreamDir() string {
	GinkgoHelper()
	if _, err := os.Stat(filepath.Join("testdata", "upstream", "dummy")); err == nil {
		abs, err := filepath.Abs(filepath.Join("testdata", "upstream"))
		Expect(err).NotTo(HaveOccurred())
		return abs
	}
	return upstream.Require("dummy")
}

// dummyState renders dummy0 of n: kind, MTU, up, addresses, routes.
func dummyState(n ns.NetNS) string {
	GinkgoHelper()
	var out string
	Expect(n.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(ifName)
		if err != nil {
			out = err.Error()
			return nil
		}
		as, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		var addrs []string
		for _, a := range as {
			if !a.IP.IsLinkLocalUnicast() {
				addrs = append(addrs, a.IPNet.String())
			}
		}
		routes, err := testutils.RouteText(ifName, netlink.FAMILY_ALL, 0)
		out = fmt.Sprintf("%s mtu %d up %t addrs %v routes %q", l.Type(), l.Attrs().MTU, l.Attrs().Flags&net.FlagUp != 0, addrs, routes)
		return err
	})).To(Succeed())
	return out
}

var _ = Describe("dummy against upstream's release", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("dummy")
		os.Setenv("CNI_PATH", testutils.PluginBinDir())
	})

	It("leaves the same link after ADD, and nothing after DEL", func() {
		up := upstreamDir()
		// One gateway per destination: no difference is listed.
		conf := []byte(`{"cniVersion":"1.0.0","name":"dummy-test","type":"dummy","ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"},{"address":"2001:db8:1::10/64"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"203.0.113.0/24","gw":"198.51.100.2"},{"dst":"::/0","gw":"2001:db8:1::1"}]}}`)
		ours, theirs := testutils.NewNSForSpec(), testutils.NewNSForSpec()
		exec := func(dir, verb string, n ns.NetNS) error {
			args := &invoke.Args{Command: verb, ContainerID: "dummy-test", NetNS: n.Path(), IfName: ifName, Path: testutils.PluginBinDir()}
			if verb == "ADD" {
				_, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(dir, "dummy"), conf, args, nil)
				return err
			}
			return invoke.ExecPluginWithoutResult(context.Background(), filepath.Join(dir, "dummy"), conf, args, nil)
		}
		Expect(exec(testutils.PluginBinDir(), "ADD", ours)).To(Succeed())
		Expect(exec(up, "ADD", theirs)).To(Succeed())
		// Upstream does not wait for DAD: give its address the time.
		Eventually(func() string { return dummyState(theirs) }).WithTimeout(20 * time.Second).WithPolling(200 * time.Millisecond).
			Should(Equal(dummyState(ours)))
		Expect(exec(testutils.PluginBinDir(), "DEL", ours)).To(Succeed())
		Expect(exec(up, "DEL", theirs)).To(Succeed())
		Expect(dummyState(ours)).To(Equal(dummyState(theirs)))
	})
})
