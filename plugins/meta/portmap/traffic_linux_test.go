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
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// world is a "host" namespace with a container namespace behind one veth
// (192.0.2.0/24, 2001:db8::/64) and a client namespace behind another
// (198.51.100.0/24, 2001:db8:1::/64). The container serves TCP and UDP on
// port 80 and answers with the peer address it saw.
type world struct {
	host, cont, client ns.NetNS
}

// addrs of the world.
const (
	hostContV4   = "192.0.2.1"
	contV4       = "192.0.2.10"
	hostClientV4 = "198.51.100.1"
	clientV4     = "198.51.100.2"
	hostContV6   = "2001:db8::1"
	contV6       = "2001:db8::10"
	hostClientV6 = "2001:db8:1::1"
	clientV6     = "2001:db8:1::2"
)

func newWorld() *world {
	GinkgoHelper()
	w := &world{host: testutils.NewNSForSpec(), cont: testutils.NewNSForSpec(), client: testutils.NewNSForSpec()}
	// Without duplicate address detection the links' link-local
	// addresses, which neighbor discovery sends from, are usable at
	// once rather than after a second.
	for _, n := range []ns.NetNS{w.host, w.cont, w.client} {
		Expect(n.Do(func(ns.NetNS) error {
			for _, k := range []string{"net/ipv6/conf/all/accept_dad", "net/ipv6/conf/default/accept_dad"} {
				if err := sysctl.Set(k, "0"); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
	}
	Expect(w.host.Do(func(ns.NetNS) error {
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(lo); err != nil {
			return err
		}
		for _, k := range []string{"net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"} {
			if err := sysctl.Set(k, "1"); err != nil {
				return err
			}
		}
		return nil
	})).To(Succeed())
	w.wire(w.cont, "vcont", hostContV4+"/24", contV4+"/24", hostContV6+"/64", contV6+"/64")
	w.wire(w.client, "vclient", hostClientV4+"/24", clientV4+"/24", hostClientV6+"/64", clientV6+"/64")
	return w
}

// wire links peer to the host with a veth (hostName on the host side,
// eth0 in peer), addresses both ends and routes peer through the host.
func (w *world) wire(peer ns.NetNS, hostName, host4, peer4, host6, peer6 string) {
	GinkgoHelper()
	Expect(peer.Do(func(ns.NetNS) error {
		if _, _, err := ip.SetupVethWithName("eth0", hostName, 1500, "", w.host); err != nil {
			return err
		}
		if err := addAddrs("eth0", peer4, peer6); err != nil {
			return err
		}
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(lo); err != nil {
			return err
		}
		l, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		for _, gw := range []string{host4, host6} {
			gwIP, _, _ := net.ParseCIDR(gw)
			if err := netlink.RouteAdd(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: gwIP}); err != nil {
				return fmt.Errorf("add default route via %s: %w", gwIP, err)
			}
		}
		return nil
	})).To(Succeed())
	Expect(w.host.Do(func(ns.NetNS) error { return addAddrs(hostName, host4, host6) })).To(Succeed())
}

// addAddrs gives link its addresses; IPv6 ones without duplicate address
// detection, so that they are usable at once.
func addAddrs(link string, cidrs ...string) error {
	l, err := netlink.LinkByName(link)
	if err != nil {
		return err
	}
	for _, c := range cidrs {
		a, err := netlink.ParseAddr(c)
		if err != nil {
			return err
		}
		a.Flags = 0x02 // IFA_F_NODAD
		if err := netlink.AddrAdd(l, a); err != nil {
			return fmt.Errorf("add %s to %s: %w", c, link, err)
		}
	}
	return nil
}

// serve starts the container's TCP and UDP servers on port 80 of both
// families; they answer each connection or datagram with the peer's
// address and stop when the spec ends.
func (w *world) serve() {
	GinkgoHelper()
	var tcp net.Listener
	var udp net.PacketConn
	Expect(w.cont.Do(func(ns.NetNS) error {
		var err error
		if tcp, err = net.Listen("tcp", ":80"); err != nil {
			return err
		}
		udp, err = net.ListenPacket("udp", ":80")
		return err
	})).To(Succeed())
	DeferCleanup(tcp.Close)
	DeferCleanup(udp.Close)
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "%s\n", c.RemoteAddr().(*net.TCPAddr).IP)
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 64)
		for {
			_, from, err := udp.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = udp.WriteTo(fmt.Appendf(nil, "%s\n", from.(*net.UDPAddr).IP), from)
		}
	}()
}

// ask connects from inside n to addr over proto ("tcp" or "udp") and
// returns the peer address the container saw.
func ask(n ns.NetNS, proto, addr string) (string, error) {
	var answer string
	err := n.Do(func(ns.NetNS) error {
		c, err := net.DialTimeout(proto, addr, time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.SetDeadline(time.Now().Add(time.Second)); err != nil {
			return err
		}
		if proto == "udp" {
			if _, err := c.Write([]byte("hello\n")); err != nil {
				return err
			}
		}
		answer, err = bufio.NewReader(c).ReadString('\n')
		return err
	})
	return strings.TrimSpace(answer), err
}

// pluginConf is a portmap config with prevResult for the world's
// container at spec version 1.0.0.
func pluginConf(extra, mappings string) []byte {
	return fmt.Appendf(nil, `{"cniVersion":"1.0.0","name":"pmnet","type":"portmap",
		"capabilities":{"portMappings":true}%s,
		"runtimeConfig":{"portMappings":[%s]},
		"prevResult":{"cniVersion":"1.0.0",
		  "interfaces":[{"name":"vcont"},{"name":"eth0","sandbox":"/x"}],
		  "ips":[{"address":"%s/24","gateway":"%s","interface":1},{"address":"%s/64","gateway":"%s","interface":1}]}}`,
		extra, mappings, contV4, hostContV4, contV6, hostContV6)
}

// backends are the specs' backends, with what each needs.
var backends = []struct {
	name  string
	extra string
	need  func()
}{
	{"iptables", ``, func() {
		for _, c := range []string{"iptables", "ip6tables"} {
			if _, err := exec.LookPath(c); err != nil {
				Skip(c + " not installed (the VM guest's busybox has none): the iptables backend runs it")
			}
		}
	}},
	{"nftables", `,"backend":"nftables"`, func() {}},
}

var _ = Describe("port mappings", func() {
	for _, b := range backends {
		Context("with the "+b.name+" backend", func() {
			var w *world
			var args *skel.CmdArgs

			BeforeEach(func() {
				testutils.SkipUnlessRoot()
				b.need()
				w = newWorld()
				w.serve()
				args = &skel.CmdArgs{ContainerID: "ctr-" + b.name, Netns: w.cont.Path(), IfName: "eth0"}
			})

			run := func(f func(*skel.CmdArgs) error) error {
				return w.host.Do(func(ns.NetNS) error { return f(args) })
			}
			add := func() error {
				return run(func(a *skel.CmdArgs) error { _, _, err := testutils.CmdAdd(a, cmdAdd); return err })
			}

			It("forwards TCP and UDP, IPv4 and IPv6, from outside, localhost and hairpin; DEL removes it", func() {
				args.StdinData = pluginConf(b.extra, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"},
					{"hostPort":8053,"containerPort":80,"protocol":"udp"}`)
				Expect(add()).To(Succeed())
				Expect(run(func(a *skel.CmdArgs) error { return testutils.CmdCheck(a, cmdCheck) })).To(Succeed())

				for _, c := range []struct {
					from   ns.NetNS
					proto  string
					addr   string
					source string
				}{
					// From another host: DNAT only, the source kept.
					{w.client, "tcp", hostClientV4 + ":8080", clientV4},
					{w.client, "udp", hostClientV4 + ":8053", clientV4},
					{w.client, "tcp", "[" + hostClientV6 + "]:8080", clientV6},
					{w.client, "udp", "[" + hostClientV6 + "]:8053", clientV6},
					// From the host itself, to its own address: the
					// source is that address, reachable from the container.
					{w.host, "tcp", hostClientV4 + ":8080", hostClientV4},
					// Localhost: route_localnet and masquerading.
					{w.host, "tcp", "127.0.0.1:8080", hostContV4},
					{w.host, "udp", "127.0.0.1:8053", hostContV4},
					// Hairpin: the container to its own host port,
					// masqueraded so that the answer comes back through
					// the host.
					{w.cont, "tcp", hostClientV4 + ":8080", hostContV4},
					{w.cont, "tcp", "[" + hostClientV6 + "]:8080", hostContV6},
					{w.cont, "udp", hostContV4 + ":8053", hostContV4},
				} {
					Eventually(func() (string, error) { return ask(c.from, c.proto, c.addr) }).WithTimeout(5*time.Second).WithPolling(100*time.Millisecond).Should(Equal(c.source), "%s to %s", c.proto, c.addr)
				}

				Expect(run(func(a *skel.CmdArgs) error { return testutils.CmdDel(a, cmdDel) })).To(Succeed())
				refused(w.client, "tcp", hostClientV4+":8080", "after DEL")
				Expect(run(func(a *skel.CmdArgs) error { return testutils.CmdCheck(a, cmdCheck) })).NotTo(Succeed())

				// containerd's second DEL: no netns, no prevResult.
				args.Netns = ""
				args.StdinData = []byte(`{"cniVersion":"1.0.0","name":"pmnet","type":"portmap"` + b.extra + `}`)
				Expect(run(func(a *skel.CmdArgs) error { return testutils.CmdDel(a, cmdDel) })).To(Succeed())
			})

			It("maps only the host IP asked for", func() {
				args.StdinData = pluginConf(b.extra, `{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":"`+hostClientV4+`"}`)
				Expect(add()).To(Succeed())
				Eventually(func() (string, error) { return ask(w.client, "tcp", hostClientV4+":8080") }).WithTimeout(5 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(clientV4))
				refused(w.cont, "tcp", hostContV4+":8080", "to the other host address")
				refused(w.client, "tcp", "["+hostClientV6+"]:8080", "to IPv6")
			})

			It("masquerades everything with masqAll and nothing without snat", func() {
				args.StdinData = pluginConf(b.extra+`,"masqAll":true`, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"}`)
				Expect(add()).To(Succeed())
				Eventually(func() (string, error) { return ask(w.client, "tcp", hostClientV4+":8080") }).WithTimeout(5 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(hostContV4))
				Eventually(func() (string, error) { return ask(w.client, "tcp", "["+hostClientV6+"]:8080") }).WithTimeout(5 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(hostContV6))

				args.StdinData = pluginConf(b.extra+`,"snat":false`, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"}`)
				Expect(add()).To(Succeed())
				Eventually(func() (string, error) { return ask(w.client, "tcp", hostClientV4+":8080") }).WithTimeout(5 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(clientV4))
			})

			// The nftables backend writes one batch, which the kernel
			// applies whole or not at all; iptables writes rule by rule.
			if b.name == "iptables" {
				It("leaves no rule behind when ADD fails", func() {
					// The external chain does not exist: iptables refuses the
					// rules that jump to it, after the shared chains are made.
					args.StdinData = pluginConf(b.extra+`,"externalSetMarkChain":"NO-SUCH-CHAIN"`, `{"hostPort":8080,"containerPort":80,"protocol":"tcp"}`)
					Expect(add()).NotTo(Succeed())
					var out []byte
					Expect(w.host.Do(func(ns.NetNS) error {
						var err error
						out, err = exec.Command("iptables-save", "-t", "nat").CombinedOutput()
						return err
					})).To(Succeed())
					Expect(string(out)).NotTo(ContainSubstring(dnChainName("pmnet", args.ContainerID)))
				})
			}
		})
	}
})

// refused waits until a TCP connection from n to addr is refused: nothing
// forwards or listens there. Timeouts, while neighbor discovery settles,
// are retried; an answer fails at once.
func refused(n ns.NetNS, proto, addr, what string) {
	GinkgoHelper()
	Eventually(func() error {
		answer, err := ask(n, proto, addr)
		if err == nil {
			return StopTrying(what + ": answered " + answer)
		}
		return err
	}).WithTimeout(5*time.Second).WithPolling(100*time.Millisecond).Should(MatchError(errConnRefused), what)
}

// errConnRefused is what a TCP connection to a port nothing forwards or
// listens on ends with.
var errConnRefused = syscall.ECONNREFUSED
