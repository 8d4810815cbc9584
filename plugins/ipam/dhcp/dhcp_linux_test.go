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
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// lab is a DHCP server (dnsmasq) in its own namespace, a veth from it to
// the macvlan master in a second namespace, a container namespace, and our
// daemon on a private socket.
type lab struct {
	dir       string
	bin       string
	socket    string
	leaseFile string
	master    ns.NetNS
	container ns.NetNS
}

// startLab builds the lab; everything it makes is undone by DeferCleanup.
func startLab(dnsmasqArgs ...string) *lab {
	GinkgoHelper()
	testutils.RequireKernelFeature("macvlan")
	dnsmasq, err := exec.LookPath("dnsmasq")
	if err != nil {
		Skip("dnsmasq not installed (scripts/install-test-deps.sh installs it; the VM guest has none): the DHCP server these specs talk to")
	}
	l := &lab{dir: GinkgoT().TempDir()}
	l.socket = filepath.Join(l.dir, "dhcp.sock")
	l.leaseFile = filepath.Join(l.dir, "leases")
	l.bin, err = testutils.BuildPlugins(l.dir, "dhcp", "macvlan")
	Expect(err).NotTo(HaveOccurred())

	server := testutils.NewNSForSpec()
	l.master = testutils.NewNSForSpec()
	l.container = testutils.NewNSForSpec()
	Expect(server.Do(func(ns.NetNS) error {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "srv0"}, PeerName: "master0", PeerNamespace: netlink.NsFd(int(l.master.Fd()))}
		if err := netlink.LinkAdd(veth); err != nil {
			return err
		}
		link, err := netlink.LinkByName("srv0")
		if err != nil {
			return err
		}
		addr, _ := netlink.ParseAddr("192.0.2.1/24")
		if err := netlink.AddrAdd(link, addr); err != nil {
			return err
		}
		return netlink.LinkSetUp(link)
	})).To(Succeed())
	Expect(l.master.Do(func(ns.NetNS) error {
		link, err := netlink.LinkByName("master0")
		if err != nil {
			return err
		}
		return netlink.LinkSetUp(link)
	})).To(Succeed())

	// --no-ping: dnsmasq otherwise pings an address for seconds before
	// offering it. The lease time cannot go below 2 minutes in dnsmasq;
	// T1/T2 set short make the client renew within seconds.
	args := append([]string{"--net=" + server.Path(), dnsmasq,
		"--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
		"--interface=srv0", "--bind-interfaces", "--no-ping", "--log-dhcp", "--log-facility=-",
		"--dhcp-range=192.0.2.50,192.0.2.99,255.255.255.0,2m",
		"--dhcp-leasefile=" + l.leaseFile, "--pid-file=" + filepath.Join(l.dir, "dnsmasq.pid"),
	}, dnsmasqArgs...)
	startProcess(filepath.Join(l.dir, "dnsmasq.log"), "nsenter", args...)
	startProcess(filepath.Join(l.dir, "daemon.log"), filepath.Join(l.bin, "dhcp"), "daemon", "-socketpath", l.socket, "-timeout", "15s")
	Eventually(func() error {
		c, err := net.Dial("unix", l.socket)
		if err == nil {
			c.Close()
		}
		return err
	}, 10*time.Second, 50*time.Millisecond).Should(Succeed(), "daemon socket")
	return l
}

// startProcess starts a process with its output in logFile and registers
// its termination; the log is printed when the spec fails.
func startProcess(logFile, name string, args ...string) {
	GinkgoHelper()
	f, err := os.Create(logFile)
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	Expect(cmd.Start()).To(Succeed())
	DeferCleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		f.Close()
		if CurrentSpecReport().Failed() {
			b, _ := os.ReadFile(logFile)
			GinkgoWriter.Printf("--- %s\n%s\n", logFile, b)
		}
	})
}

func (l *lab) conf(extraIPAM string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"dhcpnet","type":"macvlan","master":"master0",
		"ipam":{"type":"dhcp","daemonSocketPath":%q%s}}`, l.socket, extraIPAM))
}

// exec runs a plugin binary the way a runtime does, from the master's
// namespace (where macvlan finds its master link).
func (l *lab) exec(plugin, command string, stdin []byte, cniArgs string) ([]byte, error) {
	var out []byte
	err := l.master.Do(func(ns.NetNS) error {
		var err error
		out, err = testutils.ExecPlugin(filepath.Join(l.bin, plugin), testutils.PluginCall{
			Command: command, ContainerID: "ctr1", Netns: l.container.Path(), IfName: "eth0",
			Args: cniArgs, Path: l.bin, Stdin: stdin,
		})
		return err
	})
	return out, err
}

// leases reads dnsmasq's lease file: expiry, MAC, address, hostname,
// client id per line, keyed by address.
func (l *lab) leases() (map[string][]string, error) {
	m := map[string][]string{}
	f, err := os.Open(l.leaseFile)
	if os.IsNotExist(err) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 5 {
			m[fields[2]] = fields
		}
	}
	return m, sc.Err()
}

func (l *lab) routes() string {
	GinkgoHelper()
	var text string
	Expect(l.container.Do(func(ns.NetNS) error {
		var err error
		text, err = testutils.RouteText("eth0", netlink.FAMILY_V4, 0)
		return err
	})).To(Succeed())
	return text
}

var _ = Describe("dhcp against dnsmasq", func() {
	It("acquires a lease with option 121 ECMP, renews it, and releases it on DEL", func() {
		l := startLab(
			"--dhcp-option=option:router,192.0.2.1",
			"--dhcp-option=option:classless-static-route,203.0.113.0/24,192.0.2.2,203.0.113.0/24,192.0.2.3,0.0.0.0/0,192.0.2.1",
			"--dhcp-option=option:T1,2", "--dhcp-option=option:T2,3",
		)
		out, err := l.exec("macvlan", "ADD", l.conf(`,"provide":[{"option":"host-name","fromArg":"K8S_POD_NAME"}]`),
			"IgnoreUnknown=1;K8S_POD_NAME=web-0")
		Expect(err).NotTo(HaveOccurred())
		addOut := out
		res := &current.Result{}
		Expect(json.Unmarshal(out, res)).To(Succeed())
		Expect(res.IPs).To(HaveLen(1))
		addr := res.IPs[0].Address.IP.String()
		Expect(res.IPs[0].Address.String()).To(MatchRegexp(`^192\.0\.2\.\d+/24$`))
		Expect(res.IPs[0].Gateway.String()).To(Equal("192.0.2.1"))
		Expect(routeStrings(res.Routes)).To(Equal([]string{
			"203.0.113.0/24 via 192.0.2.2", "203.0.113.0/24 via 192.0.2.3", "0.0.0.0/0 via 192.0.2.1"}))

		// One multipath route for the destination listed with two routers.
		Expect(l.routes()).To(Equal("default via 192.0.2.1 dev eth0\n" +
			"203.0.113.0/24 nexthop via 192.0.2.2 dev eth0 weight 1 nexthop via 192.0.2.3 dev eth0 weight 1"))

		leases, err := l.leases()
		Expect(err).NotTo(HaveOccurred())
		Expect(leases).To(HaveKey(addr))
		lease := leases[addr]
		Expect(lease[3]).To(Equal("web-0"), "host-name provided from CNI_ARGS")
		Expect(lease[4]).To(Equal("00:"+hexColon("ctr1/dhcpnet/eth0")), "client identifier")
		first, err := strconv.ParseInt(lease[0], 10, 64)
		Expect(err).NotTo(HaveOccurred())

		By("renewing at T1: dnsmasq moves the expiry forward")
		Eventually(func() (int64, error) {
			m, err := l.leases()
			if err != nil {
				return 0, err
			}
			if m[addr] == nil {
				return 0, fmt.Errorf("lease of %s gone", addr)
			}
			return strconv.ParseInt(m[addr][0], 10, 64)
		}, 15*time.Second, 250*time.Millisecond).Should(BeNumerically(">", first))

		By("ADD again for the same attachment returns the same lease")
		out, err = testutils.ExecPlugin(filepath.Join(l.bin, "dhcp"), testutils.PluginCall{
			Command: "ADD", ContainerID: "ctr1", Netns: l.container.Path(), IfName: "eth0", Path: l.bin, Stdin: l.conf(""),
		})
		Expect(err).NotTo(HaveOccurred())
		again := &current.Result{}
		Expect(json.Unmarshal(out, again)).To(Succeed())
		Expect(again.IPs[0].Address.IP.String()).To(Equal(addr))

		By("CHECK through macvlan with the ADD's result as prevResult")
		var withPrev map[string]any
		Expect(json.Unmarshal(l.conf(""), &withPrev)).To(Succeed())
		var prev map[string]any
		Expect(json.Unmarshal(addOut, &prev)).To(Succeed())
		withPrev["prevResult"] = prev
		checkConf, err := json.Marshal(withPrev)
		Expect(err).NotTo(HaveOccurred())
		_, err = l.exec("macvlan", "CHECK", checkConf, "")
		Expect(err).NotTo(HaveOccurred())

		By("macvlan's DEL releases the lease: its IPAM DEL runs while the link still exists")
		_, err = l.exec("macvlan", "DEL", l.conf(""), "")
		Expect(err).NotTo(HaveOccurred())
		Eventually(l.leases, 10*time.Second, 100*time.Millisecond).ShouldNot(HaveKey(addr))

		By("DEL is idempotent")
		_, err = l.exec("macvlan", "DEL", l.conf(""), "")
		Expect(err).NotTo(HaveOccurred())
		Expect(l.container.Do(func(ns.NetNS) error {
			_, err := netlink.LinkByName("eth0")
			return err
		})).To(MatchError(ContainSubstring("not found")))
	})

	It("answers ADD in every spec version, one lease per attachment, and releases each on DEL", func() {
		l := startLab("--dhcp-option=option:router,192.0.2.1")
		for i, v := range testutils.SpecVersions() {
			conf := []byte(strings.Replace(string(l.conf("")), `"cniVersion":"1.0.0"`, fmt.Sprintf("%q:%q", "cniVersion", v), 1))
			call := testutils.PluginCall{Command: "ADD", ContainerID: "ctr1", Netns: l.container.Path(),
				IfName: fmt.Sprintf("net%d", i), Path: l.bin, Stdin: conf}
			var out []byte
			Expect(l.master.Do(func(ns.NetNS) error {
				var err error
				out, err = testutils.ExecPlugin(filepath.Join(l.bin, "macvlan"), call)
				return err
			})).To(Succeed(), "ADD %s", v)
			var got struct {
				CNIVersion string `json:"cniVersion"`
				IPs        []struct {
					Address string `json:"address"`
				} `json:"ips"`
				IP4 *struct {
					IP string `json:"ip"`
				} `json:"ip4"`
			}
			Expect(json.Unmarshal(out, &got)).To(Succeed())
			Expect(got.CNIVersion).To(Equal(v))
			addr := ""
			if got.IP4 != nil { // 0.1.0 and 0.2.0
				addr = got.IP4.IP
			} else {
				Expect(got.IPs).To(HaveLen(1), "ADD %s: %s", v, out)
				addr = got.IPs[0].Address
			}
			Expect(addr).To(MatchRegexp(`^192\.0\.2\.\d+/24$`), "ADD %s: %s", v, out)
			call.Command = "DEL"
			Expect(l.master.Do(func(ns.NetNS) error {
				_, err := testutils.ExecPlugin(filepath.Join(l.bin, "dhcp"), call)
				return err
			})).To(Succeed(), "DEL %s", v)
		}
		Eventually(l.leases, 10*time.Second, 100*time.Millisecond).Should(BeEmpty())
	})

	It("forgets a lease whose interface disappeared without a DEL, and leases anew on the next ADD", func() {
		l := startLab("--dhcp-option=option:T1,2", "--dhcp-option=option:T2,3")
		_, err := l.exec("macvlan", "ADD", l.conf(""), "")
		Expect(err).NotTo(HaveOccurred())
		Expect(l.container.Do(func(ns.NetNS) error {
			link, err := netlink.LinkByName("eth0")
			if err != nil {
				return err
			}
			return netlink.LinkDel(link)
		})).To(Succeed())
		Eventually(func() (string, error) {
			b, err := os.ReadFile(filepath.Join(l.dir, "daemon.log"))
			return string(b), err
		}, 20*time.Second, 200*time.Millisecond).Should(ContainSubstring("ctr1/dhcpnet/eth0: interface gone; dropping the lease"))

		out, err := l.exec("macvlan", "ADD", l.conf(""), "")
		Expect(err).NotTo(HaveOccurred())
		res := &current.Result{}
		Expect(json.Unmarshal(out, res)).To(Succeed())
		Expect(res.IPs).To(HaveLen(1))
		Expect(l.container.Do(func(ns.NetNS) error {
			_, err := netlink.LinkByName("eth0")
			return err
		})).To(Succeed())
	})

	It("releases the lease when the link plugin's ADD fails after IPAM", func() {
		// A route via a gateway outside the leased subnet cannot be
		// installed (the kernel answers "network unreachable"), so macvlan
		// rolls back: IPAM DEL, then the link.
		l := startLab("--dhcp-option=option:classless-static-route,203.0.113.0/24,198.51.100.1")
		_, err := l.exec("macvlan", "ADD", l.conf(""), "")
		Expect(err).To(HaveOccurred())
		Eventually(l.leases, 10*time.Second, 100*time.Millisecond).Should(BeEmpty())
		b, err := os.ReadFile(filepath.Join(l.dir, "dnsmasq.log"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(ContainSubstring("DHCPACK(srv0)"), "a lease was granted before the failure")
		Expect(string(b)).To(ContainSubstring("DHCPRELEASE(srv0)"))
	})

	It("without a daemon: ADD and STATUS fail with code 50, DEL succeeds", func() {
		testutils.SkipUnlessRoot()
		dir := GinkgoT().TempDir()
		bin, err := testutils.BuildPlugins(dir, "dhcp")
		Expect(err).NotTo(HaveOccurred())
		conf := []byte(fmt.Sprintf(`{"cniVersion":"1.1.0","name":"n","ipam":{"type":"dhcp","daemonSocketPath":%q}}`, filepath.Join(dir, "none.sock")))
		target := testutils.NewNSForSpec()
		call := testutils.PluginCall{ContainerID: "c", Netns: target.Path(), IfName: "eth0", Stdin: conf}
		for _, verb := range []string{"ADD", "STATUS"} {
			call.Command = verb
			_, err := testutils.ExecPlugin(filepath.Join(bin, "dhcp"), call)
			Expect(err).To(MatchError(ContainSubstring("dhcp daemon not running")), verb)
			Expect(testutils.ErrCode(err)).To(Equal(uint(50)), verb)
		}
		call.Command = "DEL"
		_, err = testutils.ExecPlugin(filepath.Join(bin, "dhcp"), call)
		Expect(err).NotTo(HaveOccurred())
	})

	It("fails ADD with code 11 and leaves no link when no server answers", func() {
		l := startLab("--dhcp-ignore=tag:!nothing")
		// A daemon with a short timeout, on its own socket.
		sock := filepath.Join(l.dir, "short.sock")
		startProcess(filepath.Join(l.dir, "short.log"), filepath.Join(l.bin, "dhcp"), "daemon", "-socketpath", sock, "-timeout", "2s")
		Eventually(func() error {
			c, err := net.Dial("unix", sock)
			if err == nil {
				c.Close()
			}
			return err
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
		conf := []byte(strings.Replace(string(l.conf("")), l.socket, sock, 1))
		_, err := l.exec("macvlan", "ADD", conf, "")
		Expect(err).To(HaveOccurred())
		Expect(testutils.ErrCode(err)).To(Equal(uint(11)))
		Expect(l.container.Do(func(ns.NetNS) error {
			_, err := netlink.LinkByName("eth0")
			return err
		})).To(MatchError(ContainSubstring("not found")))
	})
})

func hexColon(s string) string {
	parts := make([]string, len(s))
	for i := range len(s) {
		parts[i] = fmt.Sprintf("%02x", s[i])
	}
	return strings.Join(parts, ":")
}
