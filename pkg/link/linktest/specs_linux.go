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
	"net"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// V4Addr is a static ipam address list with one IPv4 address.
var V4Addr = []map[string]string{{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}}

// CommonSpecs registers the specs every link plugin (macvlan, ipvlan) must
// pass; newFixture makes the fixture of one spec. Call it inside the
// plugin's Describe.
func CommonSpecs(newFixture func() *Fixture) {
	roundTripSpecs(newFixture)
	masterSpecs(newFixture)
	ecmpSpecs(newFixture)
	failedAddSpecs(newFixture)
	netnsSpecs(newFixture)
	compatSpecs(newFixture)
	noIPSpecs(newFixture)
	RefusedSpecs(newFixture, CommonRefused)
}

func roundTripSpecs(newFixture func() *Fixture) {
	var f *Fixture
	BeforeEach(func() { f = newFixture() })

	for _, ver := range testutils.SpecVersions() {
		It("round-trips ADD, CHECK, DEL with spec version "+ver, func() {
			args := f.Args(f.Conf(ver, map[string]any{
				"master": MasterName,
				"ipam":   StaticIPAM(V4Addr, []map[string]any{{"dst": "198.51.100.0/24"}}),
			}), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())

			l := f.ContLink()
			Expect(l.Type()).To(Equal(f.Type))
			Expect(l.Attrs().Flags & net.FlagUp).NotTo(BeZero())
			Expect(l.Attrs().ParentIndex).To(Equal(f.Master.Attrs().Index))
			Expect(f.Routes(netlink.FAMILY_V4)).To(Equal("198.51.100.0/24 via 192.0.2.1 dev eth0"))

			r := AsCurrent(res)
			Expect(r.IPs).To(HaveLen(1))
			Expect(r.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
			if gt, _ := version.GreaterThanOrEqualTo(ver, "0.3.0"); gt {
				Expect(r.Interfaces).To(HaveLen(1))
				Expect(r.Interfaces[0].Name).To(Equal(IfName))
				Expect(r.Interfaces[0].Mac).To(Equal(l.Attrs().HardwareAddr.String()))
				Expect(r.Interfaces[0].Sandbox).To(Equal(f.ContNS.Path()))
				Expect(*r.IPs[0].Interface).To(Equal(0))
			}
			if gt, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); gt {
				Expect(f.Check(WithPrev(args, res))).To(Succeed())
			}

			Expect(f.Del(WithPrev(args, res))).To(Succeed())
			f.ContHasNoLink()
			Expect(f.Del(WithPrev(args, res))).To(Succeed(), "second DEL")
		})
	}

	It("configures dual stack and waits for DAD", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{
			"master": MasterName,
			"ipam": StaticIPAM([]map[string]string{
				{"address": "192.0.2.10/24", "gateway": "192.0.2.1"},
				{"address": "2001:db8::10/64", "gateway": "2001:db8::1"},
			}, []map[string]any{{"dst": "203.0.113.0/24"}, {"dst": "2001:db8:1::/64"}}),
		}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Routes(netlink.FAMILY_V4)).To(Equal("203.0.113.0/24 via 192.0.2.1 dev eth0"))
		Expect(f.Routes(netlink.FAMILY_V6)).To(Equal("2001:db8:1::/64 via 2001:db8::1 dev eth0 metric 1024"))
		var flags int
		Expect(f.InCont(func() error {
			l, err := netlinksafe.LinkByName(IfName)
			if err != nil {
				return err
			}
			addrs, err := netlinksafe.AddrList(l, netlink.FAMILY_V6)
			for _, a := range addrs {
				if a.IPNet.String() == "2001:db8::10/64" {
					flags = a.Flags | 1<<31 // mark found
				}
			}
			return err
		})).To(Succeed())
		Expect(flags).NotTo(BeZero(), "2001:db8::10/64 on eth0")
		Expect(flags&unix.IFA_F_TENTATIVE).To(BeZero(), "2001:db8::10/64 still tentative")
		Expect(AsCurrent(res).IPs).To(HaveLen(2))
		Expect(f.Check(WithPrev(args, res))).To(Succeed())
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
		f.ContHasNoLink()
	})

	It("configures IPv6 only", func() {
		args := f.Args(f.Conf("1.0.0", map[string]any{
			"master": MasterName,
			"ipam":   StaticIPAM([]map[string]string{{"address": "2001:db8::10/64"}}, nil),
		}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(AsCurrent(res).IPs[0].Address.String()).To(Equal("2001:db8::10/64"))
		Expect(f.Check(WithPrev(args, res))).To(Succeed())
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})

	It("comes up without addresses when there is no ipam", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		r := AsCurrent(res)
		Expect(r.IPs).To(BeEmpty())
		Expect(r.Interfaces).To(HaveLen(1))
		Expect(f.ContLink().Attrs().Flags & net.FlagUp).NotTo(BeZero())
		Expect(f.Check(WithPrev(args, res))).To(Succeed())
		// GC and STATUS have nothing to delegate to.
		Expect(f.GCAndStatus(args)).To(Succeed())
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
		f.ContHasNoLink()
	})

	It("delegates GC and STATUS to the ipam plugin", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": StaticIPAM(V4Addr, nil)}), "")
		Expect(f.GCAndStatus(args)).To(Succeed())
		bad := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": map[string]any{"type": "no-such-ipam"}}), "")
		Expect(f.GCAndStatus(bad)).To(MatchError(ContainSubstring("no-such-ipam")))
	})

	It("fails CHECK when the MAC differs from the result", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		r := AsCurrent(res)
		r.Interfaces[0].Mac = "02:00:5e:00:53:99"
		Expect(f.Check(WithPrev(args, r))).To(MatchError(ContainSubstring("check mac of eth0")))
		Expect(f.Check(args)).To(MatchError(ContainSubstring("required prevResult missing")))
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})

	It("succeeds DEL when the namespace is gone, twice", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": StaticIPAM(V4Addr, nil)}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(testutils.UnmountNS(f.ContNS)).To(Succeed())
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})

	It("succeeds DEL when the link was never made", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": StaticIPAM(V4Addr, nil)}), "")
		Expect(f.Del(args)).To(Succeed())
	})

	It("refuses to add over an existing interface and leaves it alone", func() {
		// No IPv6 link-local address on the link: its local route appears
		// only once DAD has finished, a second after the link came up, on
		// the kernel's schedule, and would make the snapshots differ for
		// a reason that has nothing to do with the plugin (seen in the VM
		// guest). Links made in the namespace inherit the default.
		Expect(f.InCont(func() error {
			return sysctl.Set("net/ipv6/conf/default/addr_gen_mode", "1")
		})).To(Succeed())
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		host, cont := f.Snapshots()
		_, err = f.Add(args)
		Expect(err).To(MatchError(ContainSubstring("to eth0: file exists")))
		h, c := f.Snapshots()
		Expect(h).To(Equal(host))
		Expect(c).To(Equal(cont))
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})
}

func masterSpecs(newFixture func() *Fixture) {
	var f *Fixture
	BeforeEach(func() { f = newFixture() })

	It("takes the master's MTU when unset and keeps a smaller one", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().MTU).To(Equal(1500))
		Expect(f.Del(WithPrev(args, res))).To(Succeed())

		args = f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "mtu": 1400}), "")
		res, err = f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().MTU).To(Equal(1400))
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})

	It("refuses an MTU larger than the master's with code 7 and leaves nothing", func() {
		host, cont := f.Snapshots()
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "mtu": 9000}), "")
		_, err := f.Add(args)
		Expect(err).To(MatchError(ContainSubstring(`invalid mtu 9000: larger than the mtu 1500 of master "master0"`)))
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		h, c := f.Snapshots()
		Expect(h).To(Equal(host))
		Expect(c).To(Equal(cont))
	})

	It("defaults the master to the interface of the default route", func() {
		Expect(f.HostNS.Do(func(ns.NetNS) error {
			return AddDefaultRoute(f.Master, "192.0.2.2/24", "192.0.2.254")
		})).To(Succeed())
		args := f.Args(f.Conf("1.1.0", map[string]any{}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().ParentIndex).To(Equal(f.Master.Attrs().Index))
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})

	It("is a code 7 error without master and default route", func() {
		host, cont := f.Snapshots()
		_, err := f.Add(f.Args(f.Conf("1.1.0", map[string]any{}), ""))
		Expect(err).To(MatchError(ContainSubstring("no master given and no default route")))
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		h, c := f.Snapshots()
		Expect(h).To(Equal(host))
		Expect(c).To(Equal(cont))
	})

	It("looks the master up in the container with linkInContainer", func() {
		var inner netlink.Link
		Expect(f.InCont(func() error {
			var err error
			inner, err = AddMaster("cmaster0", 1500)
			return err
		})).To(Succeed())
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": "cmaster0", "linkInContainer": true}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().ParentIndex).To(Equal(inner.Attrs().Index))
		Expect(f.Check(WithPrev(args, res))).To(Succeed())
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
		f.ContHasNoLink()
	})
}
