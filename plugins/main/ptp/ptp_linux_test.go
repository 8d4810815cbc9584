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
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ipmasq"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// pair is a runtime's namespace (the "host", where the plugin runs and
// the host end of the veth goes) and a container namespace.
type pair struct {
	host, cont ns.NetNS
}

func newPair() *pair {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	return &pair{host: testutils.NewNSForSpec(), cont: testutils.NewNSForSpec()}
}

// call executes ptp in p.host, as a runtime there would.
func (p *pair) call(cmd string, stdin []byte, netns string) ([]byte, error) {
	var out []byte
	err := p.host.Do(func(ns.NetNS) error {
		var err error
		out, err = testutils.ExecPlugin(filepath.Join(binDir, "ptp"), testutils.PluginCall{
			Command: cmd, ContainerID: "ctr1", Netns: netns, IfName: "eth0", Path: binDir, Stdin: stdin,
		})
		return err
	})
	return out, err
}

// in runs f in n and returns its string.
func in(n ns.NetNS, f func() (string, error)) string {
	GinkgoHelper()
	s, err := inErr(n, f)
	Expect(err).To(Succeed())
	return s
}

// inErr runs f in n and returns what it returned, for Eventually.
func inErr(n ns.NetNS, f func() (string, error)) (s string, err error) {
	err = n.Do(func(ns.NetNS) error {
		s, err = f()
		return err
	})
	return s, err
}

// links lists the links of n but lo, as "name type".
func links(n ns.NetNS) string {
	GinkgoHelper()
	return in(n, func() (string, error) {
		ls, err := netlink.LinkList()
		if err != nil {
			return "", err
		}
		var out []string
		for _, l := range ls {
			if l.Attrs().Name != "lo" {
				out = append(out, l.Attrs().Name+" "+l.Type())
			}
		}
		return strings.Join(out, "\n"), nil
	})
}

// addrs lists the global addresses of link in n.
func addrs(n ns.NetNS, link string) string {
	GinkgoHelper()
	return in(n, func() (string, error) {
		l, err := netlink.LinkByName(link)
		if err != nil {
			return "", err
		}
		as, err := netlink.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return "", err
		}
		var out []string
		for _, a := range as {
			if a.IP.IsGlobalUnicast() {
				out = append(out, a.IPNet.String())
			}
		}
		return strings.Join(out, " "), nil
	})
}

func routes(n ns.NetNS, link string) string {
	GinkgoHelper()
	return in(n, func() (string, error) { return testutils.RouteTextAll(link, netlink.FAMILY_ALL, 0) })
}

// dualStack is a static IPAM section with two addresses per family, each
// with its own gateway, and a default route through both gateways.
const dualStack = `"ipam":{"type":"static",
	"addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"192.0.2.11/24","gateway":"192.0.2.2"},
	             {"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"},{"address":"2001:db8:1::11/64","gateway":"2001:db8:1::2"}],
	"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.2"},
	          {"dst":"::/0","gw":"2001:db8:1::1"},{"dst":"::/0","gw":"2001:db8:1::2"},{"dst":"198.51.100.0/24"}]}`

// wantContRoutes is the container's routing after ADD of dualStack, in the
// kernel's dump order.
var wantContRoutes = strings.Join([]string{
	"default nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 1",
	"192.0.2.0/24 nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 1",
	"192.0.2.1 dev eth0 scope link",
	"192.0.2.2 dev eth0 scope link",
	"198.51.100.0/24 via 192.0.2.1 dev eth0",
	"2001:db8:1::1 dev eth0 metric 1024",
	"2001:db8:1::2 dev eth0 metric 1024",
	"2001:db8:1::/64 metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1",
	"fe80::/64 dev eth0 metric 256",
	"default metric 1024 nexthop via 2001:db8:1::1 dev eth0 weight 1 nexthop via 2001:db8:1::2 dev eth0 weight 1",
}, "\n")

func conf(ver, extra string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"ptpnet","type":"ptp",%s%s}`, ver, extra, dualStack))
}

func withPrev(stdin, prev []byte) []byte {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(stdin, &m)).To(Succeed())
	var p any
	Expect(json.Unmarshal(prev, &p)).To(Succeed())
	m["prevResult"] = p
	b, err := json.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// simple is a static IPAM section with one address per family, as every
// spec version can carry.
const simple = `"ipam":{"type":"static",
	"addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8:1::10/64","gateway":"2001:db8:1::1"}],
	"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}`

var _ = Describe("ptp", func() {
	for _, ver := range testutils.SpecVersions() {
		It("adds, checks and deletes at version "+ver, func() {
			p := newPair()
			stdin := []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"ptpnet","type":"ptp",%s}`, ver, simple))
			out, err := p.call("ADD", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			r, err := version.NewResult(ver, out)
			Expect(err).NotTo(HaveOccurred())
			res, err := current.NewResultFromResult(r)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.IPs).To(HaveLen(2))
			Expect(routes(p.cont, "eth0")).To(Equal(strings.Join([]string{
				"default via 192.0.2.1 dev eth0",
				"192.0.2.0/24 via 192.0.2.1 dev eth0",
				"192.0.2.1 dev eth0 scope link",
				"2001:db8:1::1 dev eth0 metric 1024",
				"2001:db8:1::/64 via 2001:db8:1::1 dev eth0 metric 1024",
				"fe80::/64 dev eth0 metric 256",
				"default via 2001:db8:1::1 dev eth0 metric 1024",
			}, "\n")))
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = p.call("CHECK", withPrev(stdin, out), p.cont.Path())
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = p.call("DEL", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(links(p.host)).To(BeEmpty())
			Expect(links(p.cont)).To(BeEmpty())
			_, err = p.call("DEL", stdin, "")
			Expect(err).NotTo(HaveOccurred())
		})
	}

	for _, ver := range testutils.SpecVersionsFrom("0.3.0") {
		It("connects the container through the host end, one multipath route per destination, at version "+ver, func() {
			p := newPair()
			stdin := conf(ver, `"mtu":1400,`)
			out, err := p.call("ADD", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			r, err := version.NewResult(ver, out)
			Expect(err).NotTo(HaveOccurred())
			res, err := current.NewResultFromResult(r)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.IPs).To(HaveLen(4))

			hostLinks := links(p.host)
			Expect(hostLinks).To(MatchRegexp(`^veth[0-9a-f]{8} veth$`))
			hostVeth := strings.Fields(hostLinks)[0]
			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.3.0"); ok {
				Expect(res.Interfaces).To(HaveLen(2))
				Expect(res.Interfaces[0].Name).To(Equal(hostVeth))
				Expect(res.Interfaces[0].Sandbox).To(BeEmpty())
				Expect(*res.Interfaces[1]).To(MatchFields(IgnoreExtras, Fields{"Name": Equal("eth0"), "Sandbox": Equal(p.cont.Path())}))
				Expect(*res.IPs[0].Interface).To(Equal(1))
			}
			Expect(links(p.cont)).To(Equal("eth0 veth"))
			Expect(routes(p.cont, "eth0")).To(Equal(wantContRoutes))
			Expect(addrs(p.cont, "eth0")).To(Equal("192.0.2.10/24 192.0.2.11/24 2001:db8:1::11/64 2001:db8:1::10/64"))
			Expect(addrs(p.host, hostVeth)).To(Equal("192.0.2.1/32 192.0.2.2/32 2001:db8:1::2/128 2001:db8:1::1/128"))
			// The fe80::/64 route comes from the kernel's addrconf once the
			// link is up, asynchronously: late under emulation (the VM guest).
			Eventually(func() (string, error) {
				return inErr(p.host, func() (string, error) { return testutils.RouteTextAll(hostVeth, netlink.FAMILY_ALL, 0) })
			}, 10*time.Second, 100*time.Millisecond).Should(Equal(strings.Join([]string{
				"192.0.2.10 dev " + hostVeth + " scope host",
				"192.0.2.11 dev " + hostVeth + " scope host",
				"2001:db8:1::1 dev " + hostVeth + " metric 256",
				"2001:db8:1::2 dev " + hostVeth + " metric 256",
				"2001:db8:1::10 dev " + hostVeth + " metric 1024",
				"2001:db8:1::11 dev " + hostVeth + " metric 1024",
				"fe80::/64 dev " + hostVeth + " metric 256",
			}, "\n")))
			Expect(in(p.cont, func() (string, error) {
				l, err := netlink.LinkByName("eth0")
				return fmt.Sprint(l.Attrs().MTU), err
			})).To(Equal("1400"))
			Expect(in(p.host, func() (string, error) {
				a, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
				b, err2 := os.ReadFile("/proc/sys/net/ipv6/conf/all/forwarding")
				return strings.TrimSpace(string(a)) + strings.TrimSpace(string(b)), errorsJoin(err, err2)
			})).To(Equal("11"))

			if ok, _ := version.GreaterThanOrEqualTo(ver, "0.4.0"); ok {
				_, err = p.call("CHECK", withPrev(stdin, out), p.cont.Path())
				Expect(err).NotTo(HaveOccurred())
				Expect(p.cont.Do(func(ns.NetNS) error {
					return netlink.RouteDel(&netlink.Route{Dst: mustCIDR("198.51.100.0/24"), Gw: mustIP("192.0.2.1")})
				})).To(Succeed())
				_, err = p.call("CHECK", withPrev(stdin, out), p.cont.Path())
				Expect(err).To(MatchError(ContainSubstring("route 198.51.100.0/24 via 192.0.2.1 dev eth0: route missing")))
			}

			_, err = p.call("DEL", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(links(p.host)).To(BeEmpty())
			Expect(links(p.cont)).To(BeEmpty())
			_, err = p.call("DEL", stdin, "")
			Expect(err).NotTo(HaveOccurred())
		})
	}

	It("leaves nothing behind when ADD fails after the IPAM plugin allocated", func() {
		p := newPair()
		dataDir := GinkgoT().TempDir()
		stdin := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipam":{"type":"host-local","dataDir":%q,
			"ranges":[[{"subnet":"192.0.2.0/24"}]],"routes":[{"dst":"0.0.0.0/0","gw":"2001:db8::1"}]}}`, dataDir))
		_, err := p.call("ADD", stdin, p.cont.Path())
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
		Expect(err).To(MatchError(ContainSubstring("gateway 2001:db8::1 is not IPv4")))
		Expect(links(p.host)).To(BeEmpty())
		Expect(links(p.cont)).To(BeEmpty())
		records, err := filepath.Glob(filepath.Join(dataDir, "ptpnet", "192.*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(records).To(BeEmpty(), "host-local records left")
	})

	It("installs a route through a gateway the host end does not own, as upstream does", func() {
		p := newPair()
		_, err := p.call("ADD", []byte(`{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipam":{"type":"static",
			"addresses":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],
			"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},{"dst":"0.0.0.0/0","gw":"192.0.2.2"}]}}`), p.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(routes(p.cont, "eth0")).To(Equal(strings.Join([]string{
			"default nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 1",
			"192.0.2.0/24 via 192.0.2.1 dev eth0",
			"192.0.2.1 dev eth0 scope link",
			"192.0.2.2 dev eth0 scope link",
			"fe80::/64 dev eth0 metric 256",
		}, "\n")))
	})

	It("leaves an interface of the same name that was there before alone, and releases the address", func() {
		p := newPair()
		Expect(p.cont.Do(func(ns.NetNS) error {
			return netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth0"}, PeerName: "other0"})
		})).To(Succeed())
		dataDir := GinkgoT().TempDir()
		stdin := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipam":{"type":"host-local","dataDir":%q,
			"ranges":[[{"subnet":"192.0.2.0/24"}]]}}`, dataDir))
		_, err := p.call("ADD", stdin, p.cont.Path())
		Expect(err).To(MatchError(ContainSubstring("container interface eth0 already exists")))
		Expect(links(p.cont)).To(Equal("other0 veth\neth0 veth"))
		Expect(links(p.host)).To(BeEmpty())
		records, err := filepath.Glob(filepath.Join(dataDir, "ptpnet", "192.*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(records).To(BeEmpty(), "host-local records left")
	})

	It("refuses an address without a gateway, and releases it", func() {
		p := newPair()
		_, err := p.call("ADD", []byte(`{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipam":{"type":"static","addresses":[{"address":"192.0.2.10/24"}]}}`), p.cont.Path())
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
		Expect(links(p.host)).To(BeEmpty())
		Expect(links(p.cont)).To(BeEmpty())
	})

	It("deletes on a DEL of a config ADD refuses, and when the namespace is gone", func() {
		p := newPair()
		_, err := p.call("ADD", conf("1.0.0", ""), p.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		bad := conf("1.0.0", `"mtu":-1,"ipMasqBackend":"pf",`)
		_, err = p.call("DEL", bad, p.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(links(p.host)).To(BeEmpty())
		_, err = p.call("DEL", bad, "/nonexistent/netns")
		Expect(err).NotTo(HaveOccurred())
	})

	It("hands GC and STATUS to the IPAM plugin", func() {
		p := newPair()
		dataDir := GinkgoT().TempDir()
		stdin := []byte(fmt.Sprintf(`{"cniVersion":"1.1.0","name":"ptpnet","type":"ptp","ipam":{"type":"host-local","dataDir":%q,
			"ranges":[[{"subnet":"192.0.2.0/24"}]]},"cni.dev/valid-attachments":[]}`, dataDir))
		_, err := p.call("ADD", stdin, p.cont.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(dataDir, "ptpnet", "192.0.2.2")).To(BeAnExistingFile())
		_, err = p.call("STATUS", stdin, "")
		Expect(err).NotTo(HaveOccurred())
		_, err = p.call("GC", stdin, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(dataDir, "ptpnet", "192.0.2.2")).NotTo(BeAnExistingFile(), "GC with no valid attachment releases the address")
	})
})

var _ = Describe("ptp ipMasq", func() {
	for _, backend := range []string{"iptables", "nftables"} {
		It("masquerades the container's addresses with "+backend+" and removes the rules on DEL", func() {
			p := newPair()
			if backend == "iptables" {
				for _, b := range []string{"iptables", "ip6tables"} {
					if _, err := exec.LookPath(b); err != nil {
						Skip("needs the " + b + " binary for the iptables backend")
					}
				}
			}
			stdin := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipMasq":true,"ipMasqBackend":%q,%s}`, backend, simple))
			_, err := p.call("ADD", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
			nets := []*net.IPNet{
				{IP: net.ParseIP("192.0.2.10").To4(), Mask: net.CIDRMask(24, 32)},
				{IP: net.ParseIP("2001:db8:1::10"), Mask: net.CIDRMask(64, 128)},
			}
			check := func() error {
				return p.host.Do(func(ns.NetNS) error { return ipmasq.Check(backend, nets, "ptpnet", "eth0", "ctr1") })
			}
			Expect(check()).To(Succeed())
			// DEL tears the rules down even when the namespace is gone.
			_, err = p.call("DEL", stdin, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(check()).NotTo(Succeed())
			_, err = p.call("DEL", stdin, p.cont.Path())
			Expect(err).NotTo(HaveOccurred())
		})
	}
})
