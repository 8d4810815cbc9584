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

const ifName = "net1"

// fixture is a runtime namespace holding the device dev0 (a veth, MTU
// 1400, up) and an empty container namespace.
type fixture struct {
	host, cont ns.NetNS
}

func newFixture(device string) *fixture {
	GinkgoHelper()
	f := &fixture{host: testutils.NewNSForSpec(), cont: testutils.NewNSForSpec()}
	Expect(f.host.Do(func(ns.NetNS) error {
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: device, MTU: 1400}, PeerName: device + "p"}
		if err := netlink.LinkAdd(v); err != nil {
			return err
		}
		// The peer up gives the device a carrier, as a cabled NIC has:
		// IPv6 DAD runs only then.
		peer, err := netlinksafe.LinkByName(device + "p")
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(peer); err != nil {
			return err
		}
		return netlink.LinkSetUp(v)
	})).To(Succeed())
	return f
}

// run execs the built host-device plugin with verb from the runtime's
// namespace.
func (f *fixture) run(verb string, conf []byte, netns string) (res types.Result, err error) {
	dir := testutils.PluginBinDir()
	args := &invoke.Args{Command: verb, ContainerID: "hd-test", NetNS: netns, IfName: ifName, Path: dir}
	bin := filepath.Join(dir, "host-device")
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

// linkIn returns the link name of n, or an error.
func linkIn(n ns.NetNS, name string) (l netlink.Link, err error) {
	_ = n.Do(func(ns.NetNS) error {
		l, err = netlinksafe.LinkByName(name)
		return nil
	})
	return l, err
}

// withPrev returns conf with prevResult set to res.
func withPrev(conf []byte, res types.Result) []byte {
	GinkgoHelper()
	b, err := json.Marshal(res)
	Expect(err).NotTo(HaveOccurred())
	s := strings.TrimSpace(string(conf))
	return []byte(s[:len(s)-1] + `,"prevResult":` + string(b) + "}")
}

// ecmpConf is a host-device config at ver selecting with fields, with
// static IPAM giving two gateways per family to the default route.
func ecmpConf(ver, fields string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"hd-test","type":"host-device",%s,
		"ipam":{"type":"static",
			"addresses":[{"address":"198.51.100.10/24"},{"address":"2001:db8:1::10/64"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"},{"dst":"0.0.0.0/0","gw":"198.51.100.2"},
				{"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"}]}}`, ver, fields))
}

var _ = Describe("host-device", func() {
	BeforeEach(func() {
		testutils.RequireKernelFeature("multipath")
		for _, bin := range []string{"host-device", "static"} {
			_, err := os.Stat(filepath.Join(testutils.PluginBinDir(), bin))
			Expect(err).NotTo(HaveOccurred(), "%s not built: run ./build_linux.sh", bin)
		}
		os.Setenv("CNI_PATH", testutils.PluginBinDir())
	})

	for _, ver := range testutils.SpecVersions() {
		It("moves the device in as CNI_IFNAME with multipath routes and gives it back on DEL, spec "+ver, func() {
			f := newFixture("dev0")
			conf := ecmpConf(ver, `"device":"dev0"`)
			r, err := f.run("ADD", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Version()).To(Equal(ver))
			_, err = linkIn(f.host, "dev0")
			Expect(err).To(MatchError(ContainSubstring("not found")), "gone from the runtime's namespace")
			l, err := linkIn(f.cont, ifName)
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Attrs().Alias).To(Equal("dev0"))
			Expect(l.Attrs().MTU).To(Equal(1400))
			Expect(f.cont.Do(func(ns.NetNS) error {
				text, err := testutils.RouteText(ifName, netlink.FAMILY_ALL, 0)
				Expect(text).To(Equal(
					"default nexthop via 198.51.100.1 dev net1 weight 1 nexthop via 198.51.100.2 dev net1 weight 1\n" +
						"default metric 1024 nexthop via 2001:db8:1::1 dev net1 weight 1 nexthop via 2001:db8:1::2 dev net1 weight 1"))
				return err
			})).To(Succeed())
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.run("CHECK", withPrev(conf, r), f.cont.Path())
				Expect(err).NotTo(HaveOccurred())
			}
			// Another plugin changes the MTU; DEL restores what prevResult
			// reports (interfaces carry an mtu from spec 1.1.0 on).
			Expect(f.cont.Do(func(ns.NetNS) error { return netlink.LinkSetMTU(l, 1300) })).To(Succeed())
			_, err = f.run("DEL", withPrev(conf, r), f.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			back, err := linkIn(f.host, "dev0")
			Expect(err).NotTo(HaveOccurred(), "back under its own name")
			Expect(back.Attrs().Alias).To(BeEmpty())
			if ver == "1.1.0" {
				Expect(back.Attrs().MTU).To(Equal(1400))
			}
			_, err = linkIn(f.cont, ifName)
			Expect(err).To(MatchError(ContainSubstring("not found")))
			_, err = f.run("DEL", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL twice")
			_, err = f.run("DEL", conf, "")
			Expect(err).NotTo(HaveOccurred(), "DEL with an empty CNI_NETNS")
		})
	}

	It("DEL gives the device back under a config ADD would refuse and a malformed prevResult", func() {
		f := newFixture("dev0")
		conf := []byte(`{"cniVersion":"1.1.0","name":"hd-test","type":"host-device","device":"dev0"}`)
		_, err := f.run("ADD", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		edited := []byte(`{"cniVersion":"1.1.0","name":"hd-test","type":"host-device","device":"dev0","hwaddr":"zz",` +
			`"linkInContainer":"yes","prevResult":{"interfaces":"not a list"}}`)
		_, err = f.run("ADD", edited, f.cont.Path())
		Expect(err).To(HaveOccurred(), "ADD refuses the edited config")
		_, err = f.run("DEL", edited, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = linkIn(f.host, "dev0")
		Expect(err).NotTo(HaveOccurred(), "back under its own name")
		_, err = linkIn(f.cont, ifName)
		Expect(err).To(MatchError(ContainSubstring("not found")))
	})

	It("refuses a DEL in the plugin's own namespace and leaves its interface alone", func() {
		f := newFixture(ifName)
		conf := []byte(`{"cniVersion":"1.1.0","name":"hd-test","type":"host-device","device":"dev0"}`)
		_, err := f.run("DEL", conf, f.host.Path())
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "%v", err)
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetNS)))
		l, err := linkIn(f.host, ifName)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Attrs().MTU).To(Equal(1400))
	})

	It("finds the device by hwaddr", func() {
		f := newFixture("dev0")
		dev, err := linkIn(f.host, "dev0")
		Expect(err).NotTo(HaveOccurred())
		conf := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"hd-test","type":"host-device","hwaddr":%q}`, dev.Attrs().HardwareAddr))
		_, err = f.run("ADD", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		l, err := linkIn(f.cont, ifName)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Attrs().HardwareAddr).To(Equal(dev.Attrs().HardwareAddr))
		_, err = f.run("DEL", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = linkIn(f.host, "dev0")
		Expect(err).NotTo(HaveOccurred())
	})

	It("with linkInContainer, renames a device of the container and leaves it there on DEL", func() {
		f := newFixture("dev0")
		Expect(f.cont.Do(func(ns.NetNS) error {
			return netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "cdev"}, PeerName: "cdevp"})
		})).To(Succeed())
		conf := []byte(`{"cniVersion":"1.0.0","name":"hd-test","type":"host-device","device":"cdev","linkInContainer":true}`)
		_, err := f.run("ADD", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = linkIn(f.cont, ifName)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.run("DEL", conf, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = linkIn(f.cont, "cdev")
		Expect(err).NotTo(HaveOccurred())
		_, err = linkIn(f.host, "dev0")
		Expect(err).NotTo(HaveOccurred(), "the runtime's device untouched")
	})

	It("gives the device back when ADD fails", func() {
		f := newFixture("dev0")
		bad := []byte(`{"cniVersion":"1.0.0","name":"hd-test","type":"host-device","device":"dev0",
			"ipam":{"type":"static","addresses":[{"address":"198.51.100.10/24"}],"routes":[{"dst":"203.0.113.0/24","gw":"192.0.2.1"}]}}`)
		_, err := f.run("ADD", bad, f.cont.Path())
		Expect(err).To(MatchError(ContainSubstring("add route 203.0.113.0/24 via 192.0.2.1 dev net1")))
		back, err := linkIn(f.host, "dev0")
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Attrs().Alias).To(BeEmpty())
		_, err = linkIn(f.cont, ifName)
		Expect(err).To(MatchError(ContainSubstring("not found")))
	})

	It("fails ADD on an IPAM result with a null ips element, releases it and gives the device back", func() {
		f := newFixture("dev0")
		dir, log := linktest.FakeIPAM(`{"cniVersion":"1.1.0","ips":[null]}`)
		conf := []byte(`{"cniVersion":"1.1.0","name":"hd-test","type":"host-device","device":"dev0","ipam":{"type":"fake"}}`)
		args := &invoke.Args{Command: "ADD", ContainerID: "hd-test", NetNS: f.cont.Path(), IfName: ifName,
			Path: dir + ":" + testutils.PluginBinDir()}
		var err error
		Expect(f.host.Do(func(ns.NetNS) error {
			_, err = invoke.ExecPluginWithResult(context.Background(), filepath.Join(testutils.PluginBinDir(), "host-device"), conf, args, nil)
			return nil
		})).To(Succeed())
		Expect(err).To(MatchError(ContainSubstring("result of ipam plugin fake: ips[0] is null")))
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "%T %v", err, err)
		back, err := linkIn(f.host, "dev0")
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Attrs().MTU).To(Equal(1400))
		_, err = linkIn(f.cont, ifName)
		Expect(err).To(MatchError(ContainSubstring("not found")))
		Expect(log()).To(Equal("ADD\nDEL\n"))
	})

	DescribeTable("refuses what it cannot do",
		func(fields string, code uint, msg string) {
			f := newFixture("dev0")
			_, err := f.run("ADD", []byte(`{"cniVersion":"1.0.0","name":"hd-test","type":"host-device"`+fields+`}`), f.cont.Path())
			Expect(err).To(MatchError(ContainSubstring(msg)))
			Expect(testutils.ErrCode(err)).To(Equal(code), "%v", err)
			_, err = linkIn(f.host, "dev0")
			Expect(err).NotTo(HaveOccurred())
		},
		Entry("no selector", ``, uint(7), `specify either "device", "hwaddr", "kernelpath" or "pciBusID"`),
		Entry("bad hwaddr", `,"hwaddr":"zz"`, uint(7), `invalid hwaddr "zz"`),
		Entry("missing device", `,"device":"nope"`, uint(999), "find device nope"),
		Entry("missing kernelpath", `,"kernelpath":"/sys/devices/nope"`, uint(999), "find kernelpath /sys/devices/nope"),
		Entry("missing PCI device", `,"pciBusID":"0000:ff:1f.7"`, uint(999), "find pciBusID 0000:ff:1f.7: no such PCI device"),
	)

	It("runs the config of upstream's documentation unchanged", func() {
		f := newFixture("enp0s1")
		// The documented example has no "name", which cni's skel (and so
		// upstream's plugin too) requires and every network list gives.
		doc := []byte(`{"cniVersion":"0.3.1","name":"mynet","type":"host-device","device":"enp0s1"}`)
		_, err := f.run("ADD", doc, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = f.run("DEL", doc, f.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = linkIn(f.host, "enp0s1")
		Expect(err).NotTo(HaveOccurred())
	})
})

// upstreamDir is where upstream's released plugins are, for the
// differential specs: testdata/upstream when it holds host-device (how they reach
// the VM guest, which has no Go toolchain; never committed), else
// pkg/testutils/upstream's cache, built on the host; the specs skip where
// neither can be had.
func upstreamDir() string {
	GinkgoHelper()
	if _, err := os.Stat(filepath.Join("testdata", "upstream", "host-device")); err == nil {
		abs, err := filepath.Abs(filepath.Join("testdata", "upstream"))
		Expect(err).NotTo(HaveOccurred())
		return abs
	}
	return upstream.Require("host-device")
}

// linkState renders name in n: MTU, up, alias, global addresses and
// main-table routes, or the lookup error.
func linkState(n ns.NetNS, name string) string {
	GinkgoHelper()
	l, err := linkIn(n, name)
	if err != nil {
		return name + ": " + err.Error()
	}
	var addrs []string
	var routes string
	Expect(n.Do(func(ns.NetNS) error {
		as, err := netlinksafe.AddrList(l, netlink.FAMILY_V4)
		if err != nil {
			return err
		}
		for _, a := range as {
			addrs = append(addrs, a.IPNet.String())
		}
		routes, err = testutils.RouteText(name, netlink.FAMILY_V4, 0)
		return err
	})).To(Succeed())
	return fmt.Sprintf("%s: mtu %d up %t alias %q addrs %v routes %q",
		name, l.Attrs().MTU, l.Attrs().Flags&net.FlagUp != 0, l.Attrs().Alias, addrs, routes)
}

var _ = Describe("host-device against upstream's release", func() {
	// A config for which Documentation/compatibility.md
	// lists no difference: one gateway per destination, DEL with the
	// interface still in the container and its MTU unchanged.
	It("moves the device in and back alike", func() {
		up := upstreamDir()
		conf := []byte(`{"cniVersion":"1.0.0","name":"hd-test","type":"host-device","device":"dev0",
			"ipam":{"type":"static","addresses":[{"address":"198.51.100.10/24"}],"routes":[{"dst":"0.0.0.0/0","gw":"198.51.100.1"}]}}`)
		ours, theirs := newFixture("dev0"), newFixture("dev0")
		exec := func(f *fixture, dir, verb string) error {
			args := &invoke.Args{Command: verb, ContainerID: "hd-test", NetNS: f.cont.Path(), IfName: ifName, Path: dir}
			var err error
			Expect(f.host.Do(func(ns.NetNS) error {
				if verb == "ADD" {
					_, err = invoke.ExecPluginWithResult(context.Background(), filepath.Join(dir, "host-device"), conf, args, nil)
				} else {
					err = invoke.ExecPluginWithoutResult(context.Background(), filepath.Join(dir, "host-device"), conf, args, nil)
				}
				return nil
			})).To(Succeed())
			return err
		}
		Expect(exec(ours, testutils.PluginBinDir(), "ADD")).To(Succeed())
		Expect(exec(theirs, up, "ADD")).To(Succeed())
		Expect(linkState(ours.cont, ifName)).To(Equal(linkState(theirs.cont, ifName)))
		Expect(linkState(ours.host, "dev0")).To(Equal(linkState(theirs.host, "dev0")))
		Expect(exec(ours, testutils.PluginBinDir(), "DEL")).To(Succeed())
		Expect(exec(theirs, up, "DEL")).To(Succeed())
		Expect(linkState(ours.cont, ifName)).To(Equal(linkState(theirs.cont, ifName)))
		Expect(linkState(ours.host, "dev0")).To(Equal(linkState(theirs.host, "dev0")))
	})
})
