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

	"github.com/containernetworking/plugins/pkg/link/linktest"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/testutils/upstream"
)

const ifName = "tap0"

// run execs the built tap plugin with verb in the namespace at netns.
func run(verb string, conf []byte, netns string) (types.Result, error) {
	dir := testutils.PluginBinDir()
	args := &invoke.Args{Command: verb, ContainerID: "tap-test", NetNS: netns, IfName: ifName, Path: dir}
	bin := filepath.Join(dir, "tap")
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

// tapIn returns tap0 of n, or an error.
func tapIn(n ns.NetNS) (t *netlink.Tuntap, err error) {
	_ = n.Do(func(ns.NetNS) error {
		var l netlink.Link
		if l, err = netlinksafe.LinkByName(ifName); err == nil {
			t, _ = l.(*netlink.Tuntap)
		}
		return nil
	})
	return t, err
}

// ecmpConf is a tap config at ver with fields and static IPAM giving two
// gateways per family to the default route.
func ecmpConf(ver, fields string) []byte {
	if fields != "" {
		fields += ","
	}
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"tap-test","type":"tap",%s
		"ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"},{"address":"2001:db8:1::10/64"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
				{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"}]}}`, ver, fields))
}

var _ = Describe("tap", func() {
	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		if _, err := os.Stat("/dev/net/tun"); err != nil {
			Skip("kernel feature missing: tun: " + err.Error())
		}
		for _, bin := range []string{"tap", "static"} {
			_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
			Expect(err).NotTo(HaveOccurred(), "%s not built: run ./build_linux.sh", bin)
		}
		os.Setenv("CNI_PATH", testutils.PluginBinDir())
	})

	for _, ver := range testutils.SpecVersions() {
		It("creates a persistent tap with the IPAM result and multipath routes, spec "+ver, func() {
			n := testutils.NewNSForSpec()
			conf := ecmpConf(ver, `"mac":"02:11:22:33:44:55","mtu":1400`)
			r, err := run("ADD", conf, n.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Version()).To(Equal(ver))
			t, err := tapIn(n)
			Expect(err).NotTo(HaveOccurred())
			Expect(t).NotTo(BeNil(), "a tuntap link")
			Expect(t.Mode).To(Equal(netlink.TUNTAP_MODE_TAP))
			Expect(t.NonPersist).To(BeFalse())
			Expect(t.Attrs().HardwareAddr.String()).To(Equal("02:11:22:33:44:55"))
			Expect(t.Attrs().MTU).To(Equal(1400))
			Expect(n.Do(func(ns.NetNS) error {
				text, err := testutils.RouteText(ifName, netlink.FAMILY_V4, 0)
				Expect(text).To(Equal("default nexthop via 198.51.100.1 dev tap0 weight 1 nexthop via 198.51.100.2 dev tap0 weight 1"))
				return err
			})).To(Succeed())
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = run("CHECK", withPrev(conf, r), n.Path())
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = run("DEL", conf, n.Path())
			Expect(err).NotTo(HaveOccurred())
			_, err = tapIn(n)
			Expect(err).To(MatchError(ContainSubstring("not found")))
			_, err = run("DEL", conf, n.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL twice")
			_, err = run("DEL", conf, "")
			Expect(err).NotTo(HaveOccurred(), "DEL with an empty CNI_NETNS")
		})
	}

	It("sets owner, group and multiQueue, attaches to a bridge, and runs without IPAM", func() {
		n := testutils.NewNSForSpec()
		Expect(n.Do(func(ns.NetNS) error {
			return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}})
		})).To(Succeed())
		conf := []byte(`{"cniVersion":"1.1.0","name":"tap-test","type":"tap","multiQueue":true,"owner":1000,"group":1001,"bridge":"br0"}`)
		r, err := run("ADD", conf, n.Path())
		Expect(err).NotTo(HaveOccurred())
		t, err := tapIn(n)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Flags & netlink.TUNTAP_MULTI_QUEUE).NotTo(BeZero())
		Expect(t.Owner).To(Equal(uint32(1000)))
		Expect(t.Group).To(Equal(uint32(1001)))
		Expect(n.Do(func(ns.NetNS) error {
			br, err := netlinksafe.LinkByName("br0")
			if err != nil {
				return err
			}
			Expect(t.Attrs().MasterIndex).To(Equal(br.Attrs().Index))
			return nil
		})).To(Succeed())
		_, err = run("CHECK", withPrev(conf, r), n.Path())
		Expect(err).NotTo(HaveOccurred())
		other := []byte(`{"cniVersion":"1.1.0","name":"tap-test","type":"tap","multiQueue":true,"owner":1002}`)
		_, err = run("CHECK", withPrev(other, r), n.Path())
		Expect(err).To(MatchError(ContainSubstring("owner 1000, want 1002")))
	})

	It("accepts selinuxcontext where SELinux is off", func() {
		if _, err := os.Stat("/sys/fs/selinux/enforce"); err == nil {
			Skip("SELinux is active here: the label would be applied")
		}
		n := testutils.NewNSForSpec()
		_, err := run("ADD", []byte(`{"cniVersion":"1.0.0","name":"tap-test","type":"tap","selinuxcontext":"system_u:system_r:container_t:s0"}`), n.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = tapIn(n)
		Expect(err).NotTo(HaveOccurred())
	})

	It("leaves nothing behind when ADD fails, and never touches a link it did not create", func() {
		n := testutils.NewNSForSpec()
		_, err := run("ADD", []byte(`{"cniVersion":"1.0.0","name":"tap-test","type":"tap","bridge":"nope"}`), n.Path())
		Expect(err).To(MatchError(ContainSubstring("find bridge nope")))
		_, err = tapIn(n)
		Expect(err).To(MatchError(ContainSubstring("not found")))

		_, err = run("ADD", ecmpConf("1.0.0", ""), n.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = run("ADD", []byte(`{"cniVersion":"1.0.0","name":"tap-test","type":"tap"}`), n.Path())
		Expect(err).To(MatchError(ContainSubstring("add tap tap0: file exists")))
		_, err = tapIn(n)
		Expect(err).NotTo(HaveOccurred(), "the existing tap stays")

		bad := []byte(`{"cniVersion":"1.0.0","name":"tap-test","type":"tap","ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"}],"routes":[{"dst":"203.0.113.0/24","gw":"192.0.2.1"}]}}`)
		m := testutils.NewNSForSpec()
		_, err = run("ADD", bad, m.Path())
		Expect(err).To(MatchError(ContainSubstring("add route 203.0.113.0/24 via 192.0.2.1 dev tap0")))
		_, err = tapIn(m)
		Expect(err).To(MatchError(ContainSubstring("not found")))
	})

	It("fails ADD on an IPAM result with a null ips element, releases it and leaves nothing", func() {
		n := testutils.NewNSForSpec()
		dir, log := linktest.FakeIPAM(`{"cniVersion":"1.1.0","ips":[null]}`)
		conf := []byte(`{"cniVersion":"1.1.0","name":"tap-test","type":"tap","ipam":{"type":"fake"}}`)
		args := &invoke.Args{Command: "ADD", ContainerID: "tap-test", NetNS: n.Path(), IfName: ifName,
			Path: dir + ":" + testutils.PluginBinDir()}
		_, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(testutils.PluginBinDir(), "tap"), conf, args, nil)
		Expect(err).To(MatchError(ContainSubstring("result of ipam plugin fake: ips[0] is null")))
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "%T %v", err, err)
		_, err = tapIn(n)
		Expect(err).To(MatchError(ContainSubstring("not found")))
		Expect(log()).To(Equal("ADD\nDEL\n"))
	})

	DescribeTable("refuses bad input with code 7",
		func(fields, msg string) {
			n := testutils.NewNSForSpec()
			_, err := run("ADD", []byte(`{"cniVersion":"1.0.0","name":"tap-test","type":"tap",`+fields+`}`), n.Path())
			Expect(testutils.ErrCode(err)).To(Equal(uint(7)), "%v", err)
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("mac", `"mac":"01:00:5e:00:00:01"`, "multicast address"),
		Entry("mtu", `"mtu":-1`, "invalid mtu -1"),
	)

	It("runs the config of upstream's documentation unchanged", func() {
		n := testutils.NewNSForSpec()
		// The documented example, "type": "vlan" (a slip of the page)
		// corrected to tap, and a unicast MAC.
		doc := []byte(`{"name":"mynet","cniVersion":"0.3.1","type":"tap","mac":"02:11:22:33:44:55","mtu":1500,
			"selinuxcontext":"system_u:system_r:container_t:s0","multiQueue":true,"owner":0,"group":0}`)
		r, err := run("ADD", doc, n.Path())
		Expect(err).NotTo(HaveOccurred())
		res, err := current.NewResultFromResult(r)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Interfaces).To(HaveLen(1))
		Expect(res.Interfaces[0].Mac).To(Equal("02:11:22:33:44:55"))
		_, err = run("DEL", doc, n.Path())
		Expect(err).NotTo(HaveOccurred())
	})
})

// upstreamDir is where upstream's released plugins are, for the
// differential specs: testdata/upstream when it holds tap (how they reach
// the VM guest, which has no Go toolchain; never committed), else
// pkg/testutils/upstream's cache, built on the host; the specs skip where
// neither can be had.
func upstreamDir() string {
	GinkgoHelper()
	if _, err := os.Stat(filepath.Join("testdata", "upstream", "tap")); err == nil {
		abs, err := filepath.Abs(filepath.Join("testdata", "upstream"))
		Expect(err).NotTo(HaveOccurred())
		return abs
	}
	return upstream.Require("tap")
}

// tapState renders what a runtime or a VM sees of tap0 in n.
func tapState(n ns.NetNS) string {
	GinkgoHelper()
	t, err := tapIn(n)
	if err != nil {
		return err.Error()
	}
	master := ""
	if t.Attrs().MasterIndex != 0 {
		Expect(n.Do(func(ns.NetNS) error {
			m, err := netlink.LinkByIndex(t.Attrs().MasterIndex)
			if err == nil {
				master = m.Attrs().Name
			}
			return err
		})).To(Succeed())
	}
	return fmt.Sprintf("mode %d mtu %d up %t multiqueue %t owner %d group %d master %q persist %t",
		t.Mode, t.Attrs().MTU, t.Attrs().Flags&net.FlagUp != 0, t.Flags&netlink.TUNTAP_MULTI_QUEUE != 0,
		t.Owner, t.Group, master, !t.NonPersist)
}

var _ = Describe("tap against upstream's release", func() {
	BeforeEach(func() {
		testutils.SkipUnlessRoot()
	})

	// Configs for which Documentation/compatibility.md lists
	// no difference.
	DescribeTable("leaves the same tap after ADD, and nothing after DEL",
		func(conf string) {
			up := upstreamDir()
			ours, theirs := testutils.NewNSForSpec(), testutils.NewNSForSpec()
			for _, n := range []ns.NetNS{ours, theirs} {
				Expect(n.Do(func(ns.NetNS) error {
					return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}})
				})).To(Succeed())
			}
			exec := func(dir, verb string, n ns.NetNS) error {
				args := &invoke.Args{Command: verb, ContainerID: "tap-test", NetNS: n.Path(), IfName: ifName, Path: dir}
				if verb == "ADD" {
					_, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(dir, "tap"), []byte(conf), args, nil)
					return err
				}
				return invoke.ExecPluginWithoutResult(context.Background(), filepath.Join(dir, "tap"), []byte(conf), args, nil)
			}
			Expect(exec(testutils.PluginBinDir(), "ADD", ours)).To(Succeed())
			Expect(exec(up, "ADD", theirs)).To(Succeed())
			Expect(tapState(ours)).To(Equal(tapState(theirs)))
			Expect(exec(testutils.PluginBinDir(), "DEL", ours)).To(Succeed())
			Expect(exec(up, "DEL", theirs)).To(Succeed())
			Expect(tapState(ours)).To(Equal(tapState(theirs)))
		},
		Entry("bare", `{"cniVersion":"1.0.0","name":"tap-test","type":"tap"}`),
		Entry("mac and mtu", `{"cniVersion":"1.0.0","name":"tap-test","type":"tap","mac":"02:11:22:33:44:55","mtu":1400}`),
		Entry("multiQueue, owner, group", `{"cniVersion":"1.0.0","name":"tap-test","type":"tap","multiQueue":true,"owner":1000,"group":1001}`),
		Entry("bridge", `{"cniVersion":"1.0.0","name":"tap-test","type":"tap","bridge":"br0"}`),
		Entry("IPv4 address", `{"cniVersion":"1.0.0","name":"tap-test","type":"tap","ipam":{"type":"static","addresses":[{"address":"198.51.100.10/24"}]}}`),
	)
})
