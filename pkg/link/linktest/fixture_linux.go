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
	"encoding/json"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// Names the fixture uses: the master veth in the host namespace and the
// interface the plugin creates in the container.
const (
	MasterName = "master0"
	IfName     = "eth0"
)

// Plugin is the plugin under test: its type name and its verbs.
type Plugin struct {
	Type                        string
	Add, Check, Del, GC, Status func(*skel.CmdArgs) error
}

// Fixture is a "host" namespace holding the master veth master0 (its peer
// master0p) and an empty container namespace. The plugin runs inside the
// host namespace, as a runtime would run it.
type Fixture struct {
	Plugin
	HostNS, ContNS ns.NetNS
	Master         netlink.Link
}

// NewFixture skips the spec unless the kernel has feature ("macvlan",
// "ipvlan"), then creates both namespaces (cleaned up with the spec) and
// the master.
func NewFixture(p Plugin, feature string) *Fixture {
	GinkgoHelper()
	testutils.RequireKernelFeature(feature)
	f := &Fixture{Plugin: p, HostNS: testutils.NewNSForSpec(), ContNS: testutils.NewNSForSpec()}
	Expect(f.HostNS.Do(func(ns.NetNS) error {
		var err error
		f.Master, err = AddMaster(MasterName, 1500)
		return err
	})).To(Succeed())
	// Carrier, and with it the IPv6 multicast routes of both veth ends,
	// follows a moment after the links come up. Wait for it, so that the
	// host namespace is still before a spec takes its snapshot.
	Eventually(func() (string, error) {
		var text string
		err := f.HostNS.Do(func(ns.NetNS) error {
			var err error
			text, err = testutils.RouteTextAll("", netlink.FAMILY_V6, 255)
			return err
		})
		return text, err
	}).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(And(
		ContainSubstring("dev "+MasterName+" "), ContainSubstring("dev "+MasterName+"p ")))
	return f
}

// Conf builds a network config for the plugin: name, type and cniVersion
// plus fields.
func (f *Fixture) Conf(cniVersion string, fields map[string]any) []byte {
	GinkgoHelper()
	m := map[string]any{"cniVersion": cniVersion, "name": "testnet", "type": f.Type}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// StaticIPAM is a static ipam block with addresses and routes.
func StaticIPAM(addrs []map[string]string, routes []map[string]any) map[string]any {
	return map[string]any{"type": "static", "addresses": addrs, "routes": routes}
}

// Args are the arguments of a call for the container's IfName.
func (f *Fixture) Args(stdin []byte, cniArgs string) *skel.CmdArgs {
	return &skel.CmdArgs{ContainerID: "ctr-1", Netns: f.ContNS.Path(), IfName: IfName, Args: cniArgs, StdinData: stdin}
}

// Add runs ADD in the host namespace.
func (f *Fixture) Add(args *skel.CmdArgs) (types.Result, error) {
	var res types.Result
	err := f.HostNS.Do(func(ns.NetNS) error {
		SetEnv("ADD", args)
		var err error
		res, _, err = testutils.CmdAdd(args, f.Plugin.Add)
		return err
	})
	return res, err
}

// Check runs CHECK in the host namespace.
func (f *Fixture) Check(args *skel.CmdArgs) error {
	return f.HostNS.Do(func(ns.NetNS) error {
		SetEnv("CHECK", args)
		return testutils.CmdCheck(args, f.Plugin.Check)
	})
}

// Del runs DEL in the host namespace.
func (f *Fixture) Del(args *skel.CmdArgs) error {
	return f.HostNS.Do(func(ns.NetNS) error {
		SetEnv("DEL", args)
		return testutils.CmdDel(args, f.Plugin.Del)
	})
}

// GCAndStatus runs GC and STATUS in the host namespace.
func (f *Fixture) GCAndStatus(args *skel.CmdArgs) error {
	return f.HostNS.Do(func(ns.NetNS) error {
		SetEnv("GC", args)
		if err := testutils.CmdGC(args, f.GC); err != nil {
			return err
		}
		SetEnv("STATUS", args)
		return testutils.CmdStatus(args, f.Status)
	})
}

// WithPrev returns args whose config carries res as prevResult, as a
// runtime sends CHECK and DEL.
func WithPrev(args *skel.CmdArgs, res types.Result) *skel.CmdArgs {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(args.StdinData, &m)).To(Succeed())
	if res != nil {
		b, err := json.Marshal(res)
		Expect(err).NotTo(HaveOccurred())
		var prev map[string]any
		Expect(json.Unmarshal(b, &prev)).To(Succeed())
		m["prevResult"] = prev
	}
	out := *args
	var err error
	out.StdinData, err = json.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return &out
}

// InCont runs fn in the container namespace.
func (f *Fixture) InCont(fn func() error) error {
	return f.ContNS.Do(func(ns.NetNS) error { return fn() })
}

// ContLink returns the container's link IfName.
func (f *Fixture) ContLink() netlink.Link {
	GinkgoHelper()
	var l netlink.Link
	Expect(f.InCont(func() error {
		var err error
		l, err = netlinksafe.LinkByName(IfName)
		return err
	})).To(Succeed())
	return l
}

// ContHasNoLink asserts that the container has no link IfName.
func (f *Fixture) ContHasNoLink() {
	GinkgoHelper()
	Expect(f.InCont(func() error {
		_, err := netlinksafe.LinkByName(IfName)
		return err
	})).To(MatchError(ContainSubstring("not found")))
}

// Snapshots renders both namespaces, to compare before and after.
func (f *Fixture) Snapshots() (host, cont string) {
	GinkgoHelper()
	Expect(f.HostNS.Do(func(ns.NetNS) error {
		var err error
		host, err = Snapshot()
		return err
	})).To(Succeed())
	Expect(f.InCont(func() error {
		var err error
		cont, err = Snapshot()
		return err
	})).To(Succeed())
	return host, cont
}

// Routes renders the container's main-table routes of IfName for family.
func (f *Fixture) Routes(family int) string {
	GinkgoHelper()
	var text string
	Expect(f.InCont(func() error {
		var err error
		text, err = testutils.RouteText(IfName, family, 0)
		return err
	})).To(Succeed())
	return text
}

// AsCurrent converts a result of any version for inspection.
func AsCurrent(res types.Result) *current.Result {
	GinkgoHelper()
	r, err := current.NewResultFromResult(res)
	Expect(err).NotTo(HaveOccurred())
	return r
}
