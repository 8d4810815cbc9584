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
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

const (
	// bothRates shapes ingress to 8 Mbit/s (bursts of 10,000 bytes) and
	// egress to 16 Mbit/s (20,000 bytes).
	bothRates = `"ingressRate":8000000,"ingressBurst":80000,"egressRate":16000000,"egressBurst":160000,`
	// fixtureIFB is ifbName("bw", "c1"): the fixture's network and container.
	fixtureIFB = "bwpc3cc976dc7e3"
)

var (
	in8M   = tbfParams{rate: 1000000, burst: 10000}
	out16M = tbfParams{rate: 2000000, burst: 20000}
	// bareVeth is the host end before ADD.
	bareVeth = "link veth0 veth mtu 1500 up true\n  qdisc noqueue none parent root"
	// redirectLine is the ingress qdisc and its match-all redirect.
	redirectLine = "  qdisc ingress ffff:0 parent ingress\n" +
		"  filter u32 parent ffff:0 prio 1 protocol 0x3 classid 1:1 match 00000000/00000000 at 0 mirred 1 to " + fixtureIFB + " stolen"
)

// bothState is the host namespace after an ADD of bothRates.
func bothState() string {
	return strings.Join([]string{
		"link veth0 veth mtu 1500 up true", tbfLine(in8M), redirectLine,
		"link " + fixtureIFB + " ifb mtu 1500 up true", tbfLine(out16M),
	}, "\n")
}

var _ = Describe("bandwidth on a real kernel", func() {
	It("names the fixture's ifb as the constant says", func() {
		Expect(ifbName("bw", "c1")).To(Equal(fixtureIFB))
	})

	It("supports the spec versions whose results list interfaces, as upstream", func() {
		Expect(supportedVersions.SupportedVersions()).To(Equal(testutils.SpecVersionsFrom("0.3.0")))
		f := newFixture()
		for _, ver := range []string{"0.1.0", "0.2.0"} {
			_, err := f.call("ADD", []byte(`{"cniVersion":"`+ver+`","name":"bw","type":"bandwidth",`+bothRates+`"prevResult":{"cniVersion":"`+ver+`","ip4":{"ip":"192.0.2.2/24"}}}`))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrIncompatibleCNIVersion)), ver)
		}
		Expect(f.tcText()).To(Equal(bareVeth))
	})

	for _, ver := range testutils.SpecVersionsFrom("0.3.0") {
		It("shapes both directions, checks and deletes at spec "+ver, func() {
			f := newFixture()
			Expect(f.tcText()).To(Equal(bareVeth))
			conf := f.config(ver, bothRates)
			out, err := f.call("ADD", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.tcText()).To(Equal(bothState()))

			res, err := version.NewResult(ver, out)
			Expect(err).NotTo(HaveOccurred())
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			Expect(cur.IPs).To(HaveLen(1), "the prevResult's address passes through")
			Expect(cur.IPs[0].Address.String()).To(Equal("192.0.2.2/24"))
			Expect(cur.Interfaces).To(HaveLen(3), "the prevResult's two and the ifb")
			Expect(cur.Interfaces[2].Name).To(Equal(fixtureIFB))
			Expect(cur.Interfaces[2].Mac).To(Equal(f.ifbMAC()))
			Expect(cur.Interfaces[2].Sandbox).To(BeEmpty())

			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = f.call("CHECK", f.config(ver, bothRates))
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = f.call("DEL", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.tcText()).To(Equal("link veth0 veth mtu 1500 up true\n"+tbfLine(in8M)+"\n"+strings.ReplaceAll(redirectLine, fixtureIFB, "(gone)")),
				"DEL removes the ifb; the veth's qdiscs and filter go with the veth, as upstream leaves them")
		})
	}

	It("shapes ingress alone with no ifb, and passes a config without rates through", func() {
		f := newFixture()
		conf := f.config("1.0.0", `"ingressRate":8000000,"ingressBurst":80000,`)
		out, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.tcText()).To(Equal("link veth0 veth mtu 1500 up true\n" + tbfLine(in8M)))
		Expect(out).To(MatchJSON(f.prevResult("1.0.0")))
		_, err = f.call("CHECK", conf)
		Expect(err).NotTo(HaveOccurred())

		g := newFixture()
		conf = g.config("1.0.0", `"unshapedSubnets":["192.0.2.0/24"],`)
		out, err = g.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchJSON(g.prevResult("1.0.0")))
		Expect(g.tcText()).To(Equal(bareVeth))
	})

	It("gives the ifb the host end's MTU, as upstream", func() {
		f := newFixture()
		f.setHostMTU(9000)
		_, err := f.call("ADD", f.config("1.0.0", bothRates))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.tcText()).To(Equal(strings.ReplaceAll(bothState(), "mtu 1500", "mtu 9000")))
	})

	It("takes the rates of the runtime's bandwidth capability", func() {
		f := newFixture()
		conf := f.config("1.0.0", `"capabilities":{"bandwidth":true},"runtimeConfig":{"bandwidth":{"ingressRate":8000000,"ingressBurst":80000,"egressRate":16000000,"egressBurst":160000}},`)
		_, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.tcText()).To(Equal(bothState()))
	})

	It("reports in CHECK a rate that differs and an ifb that is gone", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", bothRates))
		Expect(err).NotTo(HaveOccurred())
		_, err = f.call("CHECK", f.config("1.0.0", `"ingressRate":8000000,"ingressBurst":80000,"egressRate":8000000,"egressBurst":160000,`))
		Expect(err).To(MatchError(ContainSubstring(fixtureIFB + ": tbf rate 2000000 B/s")))
		Expect(f.host.Do(func(ns.NetNS) error {
			l, err := netlink.LinkByName(fixtureIFB)
			if err != nil {
				return err
			}
			return netlink.LinkDel(l)
		})).To(Succeed())
		_, err = f.call("CHECK", f.config("1.0.0", bothRates))
		Expect(err).To(MatchError(ContainSubstring("find ifb " + fixtureIFB)))
	})

	It("leaves nothing behind when ADD fails half-way", func() {
		f := newFixture()
		// An ingress qdisc already there makes the redirect fail after the
		// veth's tbf and the ifb are made.
		Expect(f.host.Do(func(ns.NetNS) error {
			l, err := netlink.LinkByName("veth0")
			if err != nil {
				return err
			}
			return netlink.QdiscAdd(&netlink.Ingress{QdiscAttrs: netlink.QdiscAttrs{
				LinkIndex: l.Attrs().Index, Handle: ingressHandle, Parent: netlink.HANDLE_INGRESS,
			}})
		})).To(Succeed())
		before := f.tcText()
		_, err := f.call("ADD", f.config("1.0.0", bothRates))
		Expect(err).To(MatchError(ContainSubstring("add ingress qdisc to veth0: file exists")))
		Expect(f.tcText()).To(Equal(before))
	})

	It("refuses a host end it cannot find, before touching the kernel", func() {
		f := newFixture()
		for _, prev := range []string{
			`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"` + f.cont.Path() + `"}]}`,
			`{"cniVersion":"1.0.0","interfaces":[{"name":"lo"},null,{"name":"eth0","sandbox":"` + f.cont.Path() + `"}]}`,
		} {
			_, err := f.call("ADD", []byte(`{"cniVersion":"1.0.0","name":"bw","type":"bandwidth",`+bothRates+`"prevResult":`+prev+`}`))
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), prev)
			Expect(err).To(MatchError(ContainSubstring("no host interface in prevResult is the veth peer of container interface eth0")))
		}
		_, err := f.call("ADD", []byte(`{"cniVersion":"1.0.0","name":"bw","type":"bandwidth",`+bothRates+`"x":1}`))
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		Expect(err).To(MatchError(ContainSubstring("required prevResult missing")))
		Expect(f.tcText()).To(Equal(bareVeth))
	})

	It("deletes leniently and idempotently", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", bothRates))
		Expect(err).NotTo(HaveOccurred())
		// A config ADD refuses (a rate without its burst, no prevResult),
		// then the runtime's second DEL: no namespace, no prevResult.
		refused := []byte(`{"cniVersion":"1.0.0","name":"bw","type":"bandwidth","ingressRate":8000}`)
		_, err = f.call("ADD", refused)
		Expect(err).To(HaveOccurred())
		_, err = f.exec(binDir+"/bandwidth", "DEL", f.cont.Path(), refused)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.tcText()).NotTo(ContainSubstring(fixtureIFB))
		_, err = f.exec(binDir+"/bandwidth", "DEL", "", []byte(`{"cniVersion":"1.0.0","name":"bw","type":"bandwidth"}`))
		Expect(err).NotTo(HaveOccurred())
	})

	It("leaves a link of another kind with the ifb's name alone on DEL, and succeeds", func() {
		f := newFixture()
		Expect(f.host.Do(func(ns.NetNS) error {
			return netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: fixtureIFB}, PeerName: "other0"})
		})).To(Succeed())
		_, err := f.call("DEL", f.config("1.0.0", bothRates))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.tcText()).To(ContainSubstring("link " + fixtureIFB + " veth"))
	})

	It("answers GC and STATUS", func() {
		f := newFixture()
		conf := []byte(`{"cniVersion":"1.1.0","name":"bw","type":"bandwidth","cni.dev/valid-attachments":[]}`)
		_, err := f.exec(binDir+"/bandwidth", "GC", "", conf)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.exec(binDir+"/bandwidth", "STATUS", "", conf)
		Expect(err).NotTo(HaveOccurred())
	})
})

// ifbMAC returns the MAC of the fixture's ifb.
func (f *fixture) ifbMAC() string {
	GinkgoHelper()
	var mac string
	Expect(f.host.Do(func(ns.NetNS) error {
		l, err := netlink.LinkByName(fixtureIFB)
		if err != nil {
			return err
		}
		mac = l.Attrs().HardwareAddr.String()
		return nil
	})).To(Succeed())
	return mac
}

// setHostMTU sets the MTU of the host end, veth0.
func (f *fixture) setHostMTU(mtu int) {
	GinkgoHelper()
	Expect(f.host.Do(func(ns.NetNS) error {
		l, err := netlink.LinkByName("veth0")
		if err != nil {
			return err
		}
		return netlink.LinkSetMTU(l, mtu)
	})).To(Succeed())
}
