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

package podman_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

const (
	defaultBridge = "cni-podman0"
	hostPort      = 18080
	httpdPort     = 8080
)

var (
	bridgeSubnet = mustCIDR("192.0.2.0/24")
	uplinkHost   = net.ParseIP("203.0.113.1") // podman's host on its uplink
	uplinkClient = net.ParseIP("203.0.113.2") // a client beyond it
)

// newUplink wires a client namespace to podman's host namespace with a
// veth pair, "uplink" on the host's side, and returns the client.
func newUplink(p *podman) ns.NetNS {
	GinkgoHelper()
	client := testutils.NewNSForSpec()
	h := handleAt(p.host)
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: "uplink"},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsFd(int(client.Fd())),
	}
	Expect(h.LinkAdd(veth)).To(Succeed())
	Expect(p.host.Do(func(ns.NetNS) error { return addrUp("uplink", uplinkHost) })).To(Succeed())
	Expect(client.Do(func(ns.NetNS) error { return addrUp("eth0", uplinkClient) })).To(Succeed())
	return client
}

// flushRules removes every iptables and nftables rule of podman's host
// namespace (iptables is Debian's iptables-nft: one ruleset).
func (p *podman) flushRules() {
	GinkgoHelper()
	out, err := exec.Command("nsenter", "--net="+p.host.Path(), "--", "nft", "flush", "ruleset").CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "nft flush ruleset: %s", out)
}

// addrUp gives link ip/24 and sets it and lo up.
func addrUp(link string, ip net.IP) error {
	l, err := netlinksafe.LinkByName(link)
	if err != nil {
		return err
	}
	if err := netlink.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(24, 32)}}); err != nil {
		return fmt.Errorf("add address %s to %s: %w", ip, link, err)
	}
	return linkSetUp(link, "lo")
}

// defaultNet writes the default network as podman 4.3 makes it (bridge,
// portmap, firewall, tuning; its own name, subnet and dataDir).
func (p *podman) defaultNet() {
	GinkgoHelper()
	gateway := nth(bridgeSubnet, 1).String()
	p.writeNetwork(defaultNetwork,
		map[string]any{
			"type": "bridge", "bridge": defaultBridge, "isGateway": true, "ipMasq": true, "hairpinMode": true,
			"ipam": p.hostLocal(
				[][]map[string]string{{{"subnet": bridgeSubnet.String(), "gateway": gateway}}},
				map[string]string{"dst": "0.0.0.0/0"}),
		},
		map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		map[string]any{"type": "firewall"},
		map[string]any{"type": "tuning"},
	)
}

var _ = Describe("podman on its default network", func() {
	BeforeEach(func() { requirePlugins("bridge", "host-local", "portmap", "firewall", "tuning") })

	It("answers on a published port from the host and leaves no link, rule or record behind", func() {
		p := newPodman()
		p.defaultNet()

		p.mustRun("run", "--detach", "--name", "web", "--publish", fmt.Sprintf("%d:%d", hostPort, httpdPort),
			image, "httpd", "-f", "-p", fmt.Sprint(httpdPort), "-h", "/www")
		c := p.inspect("web")
		addrs := c.addrs("eth0")
		Expect(addrs).To(HaveLen(1))
		ip, _, err := net.ParseCIDR(addrs[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(bridgeSubnet.Contains(ip)).To(BeTrue(), "container address %s", ip)
		Expect(c.routes("eth0", netlink.FAMILY_V4)).To(Equal("default via 192.0.2.1 dev eth0"))
		Expect(p.records(defaultNetwork)).To(ConsistOf(ip.String()))
		Expect(p.hostLinks()).To(ContainElement(defaultBridge))

		// The host reaches the container through the published port on
		// its own addresses (portmap's DNAT of local traffic, localhost
		// included) and on the container's port directly; a client on
		// the host's uplink through the published port (DNAT of routed
		// traffic).
		client := newUplink(p)
		for _, get := range []struct {
			from ns.NetNS
			addr string
		}{
			{p.host, net.JoinHostPort(nth(bridgeSubnet, 1).String(), fmt.Sprint(hostPort))},
			{p.host, net.JoinHostPort(uplinkHost.String(), fmt.Sprint(hostPort))},
			{p.host, net.JoinHostPort("127.0.0.1", fmt.Sprint(hostPort))},
			{p.host, net.JoinHostPort(ip.String(), fmt.Sprint(httpdPort))},
			{client, net.JoinHostPort(uplinkHost.String(), fmt.Sprint(hostPort))},
		} {
			Eventually(func() (string, error) {
				var body string
				err := get.from.Do(func(ns.NetNS) (err error) {
					body, err = httpGet(get.addr)
					return err
				})
				return body, err
			}, 20*time.Second, 250*time.Millisecond).Should(HaveSuffix(indexPage), "GET http://%s/", get.addr)
		}
		// After the host's rules are flushed (a firewall restart, say) the
		// published port no longer reaches the container: the connection
		// lands on the socket conmon holds to reserve the host port, which
		// never answers. network reload sets the attachment up again: the
		// container keeps its address and the port answers.
		p.flushRules()
		Expect(client.Do(func(ns.NetNS) error {
			_, err := httpGet(net.JoinHostPort(uplinkHost.String(), fmt.Sprint(hostPort)))
			return err
		})).To(MatchError(os.ErrDeadlineExceeded))
		p.mustRun("network", "reload", "web")
		Expect(c.addrs("eth0")).To(Equal(addrs))
		Expect(p.records(defaultNetwork)).To(ConsistOf(ip.String()))
		Eventually(func() (string, error) {
			var body string
			err := client.Do(func(ns.NetNS) (err error) {
				body, err = httpGet(net.JoinHostPort(uplinkHost.String(), fmt.Sprint(hostPort)))
				return err
			})
			return body, err
		}, 20*time.Second, 250*time.Millisecond).Should(HaveSuffix(indexPage))

		rules := p.ruleset()
		Expect(rules).To(ContainSubstring(ip.String()), "the plugins' rules for the container")

		p.mustRun("stop", "--time", "0", "web")
		p.mustRun("rm", "web")
		Expect(p.hostLinks()).To(Equal([]string{defaultBridge, "lo", "uplink"}))
		Expect(p.records(defaultNetwork)).To(BeEmpty())
		expectGone(c)
		for _, line := range strings.Split(p.ruleset(), "\n") {
			Expect(line).NotTo(ContainSubstring(ip.String()), "rule left behind")
			Expect(line).NotTo(ContainSubstring(c.id), "rule left behind")
		}
	})
})
