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
	"fmt"
	"net"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// hostLocalConf is a dual-stack bridge config with host-local IPAM; extra
// is spliced in as more top-level fields.
func (e *env) hostLocalConf(ver, extra string) string {
	return fmt.Sprintf(`{"cniVersion":%q,"name":"mynet","type":"bridge","bridge":"cnitest0"%s,
		"ipam":{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8:1::/64"}]]}}`,
		ver, extra, e.dataDir)
}

var _ = Describe("bridge", func() {
	for _, ver := range testutils.SpecVersions() {
		It("ADD, CHECK, DEL and DEL again at spec "+ver, func() {
			e := newEnv()
			conf := e.hostLocalConf(ver, `,"isGateway":true`)
			res, out, err := e.add(conf, "ctr1", "eth0")
			Expect(err).NotTo(HaveOccurred())

			// Results before 0.3.0 have no interfaces.
			if ok, _ := versionAtLeast(ver, "0.3.0"); ok {
				Expect(res.Interfaces).To(HaveLen(3))
				Expect(res.Interfaces[0].Name).To(Equal("cnitest0"))
				Expect(res.Interfaces[2].Name).To(Equal("eth0"))
				Expect(res.Interfaces[2].Sandbox).To(Equal(e.ctr.Path()))
			}
			Expect(res.IPs).To(HaveLen(2))
			Expect(res.IPs[0].Address.String()).To(Equal("192.0.2.2/24"))
			Expect(res.IPs[0].Gateway.String()).To(Equal("192.0.2.1"))
			Expect(res.IPs[1].Address.String()).To(Equal("2001:db8:1::2/64"))

			Expect(addrs(e.host, "cnitest0")).To(ConsistOf("192.0.2.1/24", "2001:db8:1::1/64"))
			Expect(addrs(e.ctr, "eth0")).To(ConsistOf("192.0.2.2/24", "2001:db8:1::2/64"))
			Expect(e.records("mynet")).To(ConsistOf("192.0.2.2", "2001:db8:1::2"))
			Expect(inNS(e.host, func() error {
				br, err := netlink.LinkByName("cnitest0")
				if err != nil {
					return err
				}
				ls, err := netlink.LinkList()
				if err != nil {
					return err
				}
				ports := 0
				for _, l := range ls {
					if l.Attrs().MasterIndex == br.Attrs().Index {
						ports++
					}
				}
				if ports != 1 {
					return fmt.Errorf("cnitest0 has %d ports, want 1", ports)
				}
				return nil
			})).To(Succeed())

			if ok, _ := versionAtLeast(ver, "0.4.0"); ok {
				_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
				Expect(err).NotTo(HaveOccurred())
			}

			_, err = e.run(call{verb: "DEL", conf: conf, netns: e.ctr.Path()})
			Expect(err).NotTo(HaveOccurred())
			Expect(links(e.ctr)).To(BeEmpty())
			Expect(links(e.host)).To(Equal([]string{"cnitest0"}), "the bridge stays, the host veth goes")
			Expect(e.records("mynet")).To(BeEmpty())
			// containerd's second DEL: no netns.
			_, err = e.run(call{verb: "DEL", conf: conf})
			Expect(err).NotTo(HaveOccurred())
		})
	}

	It("isDefaultGateway with two subnets per family gives one multipath default route per family", func() {
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isDefaultGateway":true,
			"ipam":{"type":"static","addresses":[
				{"address":"192.0.2.10/24","gateway":"192.0.2.1"},
				{"address":"198.51.100.10/24","gateway":"198.51.100.1"},
				{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"},
				{"address":"2001:db8:2::10/64","gateway":"2001:db8:2::1"}]}}`
		res, out, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(routes(e.ctr, "eth0", netlink.FAMILY_V4)).To(Equal(
			"default nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 198.51.100.1 dev eth0 weight 1"))
		Expect(routes(e.ctr, "eth0", netlink.FAMILY_V6)).To(Equal(
			"default metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:2::1 dev eth0 weight 1"))
		Expect(addrs(e.host, "cnitest0")).To(ConsistOf("192.0.2.1/24", "198.51.100.1/24", "2001:db8:1::1/64", "2001:db8:2::1/64"))
		var dsts []string
		for _, r := range res.Routes {
			dsts = append(dsts, r.Dst.String()+" via "+r.GW.String())
		}
		Expect(dsts).To(Equal([]string{"0.0.0.0/0 via 192.0.2.1", "0.0.0.0/0 via 198.51.100.1", "::/0 via 2001:db8:1::1", "::/0 via 2001:db8:2::1"}))
		_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())
	})

	It("keeps the IPAM result's own default routes, as one multipath route", func() {
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isDefaultGateway":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],
				"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.254"}]}}`
		_, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(routes(e.ctr, "eth0", netlink.FAMILY_V4)).To(Equal(
			"default nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.254 dev eth0 weight 1"))
	})

	It("shares the bridge and its gateway address between attachments", func() {
		e := newEnv()
		conf := e.hostLocalConf("1.0.0", `,"isGateway":true`)
		_, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		_, _, err = e.add(conf, "ctr2", "eth1")
		Expect(err).NotTo(HaveOccurred())
		Expect(addrs(e.host, "cnitest0")).To(ConsistOf("192.0.2.1/24", "2001:db8:1::1/64"))
		Expect(addrs(e.ctr, "eth1")).To(ConsistOf("192.0.2.3/24", "2001:db8:1::3/64"))
		Expect(links(e.host)).To(HaveLen(3))
	})

	It("refuses a gateway that contradicts the bridge's address, leaving nothing behind", func() {
		e := newEnv()
		first := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}]}}`
		_, _, err := e.add(first, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		second := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true%%s,
			"ipam":{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.100","gateway":"192.0.2.254"}]]}}`, e.dataDir)
		_, _, err = e.add(fmt.Sprintf(second, ""), "ctr2", "eth1")
		Expect(err).To(HaveOccurred())
		Expect(errCode(err)).To(BeEquivalentTo(7))
		Expect(err.Error()).To(ContainSubstring("forceAddress"))
		Expect(links(e.ctr)).To(Equal([]string{"eth0"}))
		Expect(links(e.host)).To(HaveLen(2))
		Expect(e.records("mynet")).To(BeEmpty())
		Expect(addrs(e.host, "cnitest0")).To(ConsistOf("192.0.2.1/24"))

		_, _, err = e.add(fmt.Sprintf(second, `,"forceAddress":true`), "ctr2", "eth1")
		Expect(err).NotTo(HaveOccurred())
		Expect(addrs(e.host, "cnitest0")).To(ConsistOf("192.0.2.254/24"))
	})

	It("undoes a failed ADD: no bridge it created, no veth, no IPAM record", func() {
		e := newEnv()
		// The route's gateway is not on-link: the kernel refuses it after
		// the veth, the bridge address and the allocation exist.
		conf := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true,
			"ipam":{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}]],
				"routes":[{"dst":"203.0.113.0/24","gw":"198.51.100.1"}]}}`, e.dataDir)
		_, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).To(HaveOccurred())
		Expect(links(e.ctr)).To(BeEmpty())
		Expect(links(e.host)).To(BeEmpty())
		Expect(e.records("mynet")).To(BeEmpty())
	})

	It("DEL succeeds on configs ADD refuses", func() {
		e := newEnv()
		for _, extra := range []string{
			`,"mtu":-1`, `,"ipMasqBackend":"foo","ipMasq":true`, `,"hairpinMode":true,"promiscMode":true`,
			`,"vlan":5000`, `,"ipMasq":"yes"`, `,"vlanTrunk":[{"id":0}]`,
		} {
			conf := e.hostLocalConf("1.0.0", extra)
			_, _, err := e.add(conf, "ctr1", "eth0")
			Expect(err).To(HaveOccurred(), extra)
			Expect(errCode(err)).To(BeNumerically(">", 0), extra)
			_, err = e.run(call{verb: "DEL", conf: conf, netns: e.ctr.Path()})
			Expect(err).NotTo(HaveOccurred(), extra)
		}
		Expect(links(e.host)).To(BeEmpty())
	})

	It("disableContainerInterface leaves the interface down and excludes IPAM", func() {
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","disableContainerInterface":true}`
		_, out, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(inNS(e.ctr, func() error {
			l, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			if l.Attrs().Flags&1 != 0 {
				return fmt.Errorf("eth0 is up")
			}
			return nil
		})).To(Succeed())
		_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())
		_, _, err = e.add(e.hostLocalConf("1.0.0", `,"disableContainerInterface":true`), "ctr2", "eth1")
		Expect(errCode(err)).To(BeEquivalentTo(7))
	})

	It("sets mtu, runtime mac, hairpin, port isolation and promiscuity", func() {
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","mtu":1400,
			"hairpinMode":true,"portIsolation":true,"capabilities":{"mac":true},"runtimeConfig":{"mac":"02:00:00:00:00:42"}}`
		res, out, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Interfaces[2].Mac).To(Equal("02:00:00:00:00:42"))
		hostVeth := res.Interfaces[1].Name
		Expect(inNS(e.host, func() error {
			port, err := netlink.LinkByName(hostVeth)
			if err != nil {
				return err
			}
			if port.Attrs().MTU != 1400 {
				return fmt.Errorf("host veth mtu %d", port.Attrs().MTU)
			}
			pi, err := netlink.LinkGetProtinfo(port)
			if err != nil {
				return err
			}
			if !pi.Hairpin || !pi.Isolated {
				return fmt.Errorf("protinfo %s: want hairpin and isolated", pi.String())
			}
			return nil
		})).To(Succeed())
		Expect(inNS(e.ctr, func() error {
			l, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			if l.Attrs().MTU != 1400 || l.Attrs().HardwareAddr.String() != "02:00:00:00:00:42" {
				return fmt.Errorf("eth0 mtu %d mac %s", l.Attrs().MTU, l.Attrs().HardwareAddr)
			}
			return nil
		})).To(Succeed())
		_, err = e.run(call{verb: "CHECK", conf: withPrev(conf, out), netns: e.ctr.Path()})
		Expect(err).NotTo(HaveOccurred())

		promisc := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest1","promiscMode":true}`
		_, _, err = e.add(promisc, "ctr2", "eth1")
		Expect(err).NotTo(HaveOccurred())
		Expect(inNS(e.host, func() error {
			br, err := netlink.LinkByName("cnitest1")
			if err != nil {
				return err
			}
			if br.Attrs().Promisc == 0 {
				return fmt.Errorf("cnitest1 is not promiscuous")
			}
			return nil
		})).To(Succeed())
	})

	It("turns DAD off on the container interface unless enabledad, and RAs off on the bridge and host veth", func() {
		e := newEnv()
		sysctlIn := func(n ns.NetNS, key string) string {
			var v string
			Expect(inNS(n, func() error {
				var err error
				v, err = sysctl.Get(key)
				return err
			})).To(Succeed())
			return v
		}
		res, _, err := e.add(e.hostLocalConf("1.0.0", ""), "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		Expect(sysctlIn(e.ctr, "net/ipv6/conf/eth0/accept_dad")).To(Equal("0"))
		Expect(sysctlIn(e.ctr, "net/ipv4/conf/eth0/arp_notify")).To(Equal("1"))
		Expect(sysctlIn(e.host, "net/ipv6/conf/cnitest0/accept_ra")).To(Equal("0"))
		Expect(sysctlIn(e.host, "net/ipv6/conf/"+res.Interfaces[1].Name+"/accept_ra")).To(Equal("0"))

		_, _, err = e.add(e.hostLocalConf("1.0.0", `,"enabledad":true`), "ctr2", "eth1")
		Expect(err).NotTo(HaveOccurred())
		Expect(sysctlIn(e.ctr, "net/ipv6/conf/eth1/accept_dad")).To(Equal("1"))
		Expect(addrs(e.ctr, "eth1")).To(ConsistOf("192.0.2.3/24", "2001:db8:1::3/64"))
	})

	It("announces the container's addresses: the bridge's stale neighbor entries learn the new MAC", func() {
		e := newEnv()
		conf := `{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cnitest0","isGateway":true,
			"ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},
				{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}]}}`
		// Another attachment makes the bridge and keeps its carrier up
		// (with no port left the kernel flushes the bridge's neighbors);
		// the host then remembers another MAC for the address the next
		// container will have.
		other := strings.NewReplacer("192.0.2.10", "192.0.2.20", "2001:db8:1::10", "2001:db8:1::20").Replace(conf)
		_, _, err := e.add(other, "ctr0", "eth9")
		Expect(err).NotTo(HaveOccurred())
		old, _ := net.ParseMAC("02:00:00:00:00:01")
		Expect(inNS(e.host, func() error {
			// An ARP may replace an entry only locktime after its last
			// update (1 s by default): none here.
			if err := sysctl.Set("net/ipv4/neigh/cnitest0/locktime", "0"); err != nil {
				return err
			}
			br, err := netlink.LinkByName("cnitest0")
			if err != nil {
				return err
			}
			// A bridge whose MAC was never set takes its lowest port's: a
			// new port can change it, and a MAC change flushes the
			// bridge's neighbors (as with upstream's plugin). Fixed here.
			fixed, _ := net.ParseMAC("02:00:00:00:00:0f")
			if err := netlink.LinkSetHardwareAddr(br, fixed); err != nil {
				return err
			}
			for _, a := range []string{"192.0.2.10", "2001:db8:1::10"} {
				if err := netlink.NeighSet(&netlink.Neigh{LinkIndex: br.Attrs().Index, IP: net.ParseIP(a),
					HardwareAddr: old, State: netlink.NUD_STALE}); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
		res, _, err := e.add(conf, "ctr1", "eth0")
		Expect(err).NotTo(HaveOccurred())
		mac := res.Interfaces[2].Mac
		Eventually(func() ([]string, error) {
			var got []string
			err := inNS(e.host, func() error {
				br, err := netlink.LinkByName("cnitest0")
				if err != nil {
					return err
				}
				for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
					ns, err := netlink.NeighList(br.Attrs().Index, fam)
					if err != nil {
						return err
					}
					for _, n := range ns {
						if n.IP.Equal(net.ParseIP("192.0.2.10")) || n.IP.Equal(net.ParseIP("2001:db8:1::10")) {
							got = append(got, n.IP.String()+" "+n.HardwareAddr.String())
						}
					}
				}
				return nil
			})
			return got, err
		}).WithTimeout(10 * time.Second).WithPolling(100 * time.Millisecond).Should(
			ConsistOf("192.0.2.10 "+mac, "2001:db8:1::10 "+mac))
	})

	It("refuses a link of the bridge's name that is not a bridge", func() {
		e := newEnv()
		Expect(inNS(e.host, func() error {
			return netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "cnitest0"}, PeerName: "peer0"})
		})).To(Succeed())
		_, _, err := e.add(e.hostLocalConf("1.0.0", ""), "ctr1", "eth0")
		Expect(errCode(err)).To(BeEquivalentTo(7))
		Expect(err.Error()).To(ContainSubstring("not a bridge"))
		Expect(links(e.ctr)).To(BeEmpty())
		Expect(e.records("mynet")).To(BeEmpty())
	})

	It("STATUS asks the IPAM plugin", func() {
		e := newEnv()
		conf := strings.Replace(e.hostLocalConf("1.1.0", ""), `"cniVersion":"1.1.0"`, `"cniVersion":"1.1.0"`, 1)
		_, err := e.run(call{verb: "STATUS", conf: conf})
		Expect(err).NotTo(HaveOccurred())
	})
})

func versionAtLeast(v, min string) (bool, error) {
	for _, x := range testutils.SpecVersionsFrom(min) {
		if x == v {
			return true, nil
		}
	}
	return false, nil
}
