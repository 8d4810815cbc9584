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
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// fixture is a veth pair: veth0 in a namespace standing for the host, where
// the plugin runs, and eth0 in the container's namespace, with 192.0.2.1
// and 192.0.2.2.
type fixture struct {
	host, cont ns.NetNS
}

// requireTC skips the spec when the kernel lacks what the plugin installs
// (ifb, tbf, the ingress qdisc, u32 with mirred), probed in a throwaway
// namespace; any other failure of the probe fails the spec.
func requireTC() {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	probe := testutils.NewNSForSpec()
	err := probe.Do(func(ns.NetNS) error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		ifb, err := addIFB(h, "bwprobe0", 1500)
		if err != nil {
			return err
		}
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "probe0"}, PeerName: "probe1"}
		if err := h.LinkAdd(veth); err != nil {
			return err
		}
		l, err := h.LinkByName("probe0")
		if err != nil {
			return err
		}
		if err := addTBF(h, ifb, tbfParams{rate: 1000, burst: 100}); err != nil {
			return err
		}
		return redirectToIFB(h, l, ifb)
	})
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOENT) {
		Skip(fmt.Sprintf("kernel feature missing: ifb, tbf, ingress qdisc or u32/mirred: %v", err))
	}
	Expect(err).NotTo(HaveOccurred(), "probe ifb, tbf, ingress and u32/mirred")
}

func newFixture() *fixture {
	GinkgoHelper()
	requireTC()
	f := &fixture{host: testutils.NewNSForSpec(), cont: testutils.NewNSForSpec()}
	Expect(f.host.Do(func(ns.NetNS) error {
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth0"}, PeerName: "eth0", PeerNamespace: netlink.NsFd(int(f.cont.Fd()))}
		if err := netlink.LinkAdd(v); err != nil {
			return err
		}
		return upWithAddr("veth0", "192.0.2.1/24")
	})).To(Succeed())
	Expect(f.cont.Do(func(ns.NetNS) error { return upWithAddr("eth0", "192.0.2.2/24") })).To(Succeed())
	return f
}

func upWithAddr(name, cidr string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	a, err := netlink.ParseAddr(cidr)
	if err != nil {
		return err
	}
	a.Flags = unix.IFA_F_NODAD
	if err := netlink.AddrAdd(l, a); err != nil {
		return err
	}
	return netlink.LinkSetUp(l)
}

// prevResult is what a veth plugin (ptp, bridge) printed, in spec version
// ver: the host end without a sandbox, the container end with one.
func (f *fixture) prevResult(ver string) string {
	GinkgoHelper()
	ip, n, _ := net.ParseCIDR("192.0.2.2/24")
	n.IP = ip
	res := &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		Interfaces: []*current.Interface{{Name: "veth0"}, {Name: "eth0", Sandbox: f.cont.Path()}},
		IPs:        []*current.IPConfig{{Address: *n, Interface: current.Int(1)}},
	}
	conv, err := res.GetAsVersion(ver)
	Expect(err).NotTo(HaveOccurred())
	b, err := json.Marshal(conv)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// config is a bandwidth config of version ver with the extra members and
// f's prevResult.
func (f *fixture) config(ver, extra string) []byte {
	GinkgoHelper()
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"bw","type":"bandwidth",%s"prevResult":%s}`, ver, extra, f.prevResult(ver)))
}

// exec runs the plugin binary bin in the host namespace, as a runtime does.
func (f *fixture) exec(bin, cmd, netns string, stdin []byte) ([]byte, error) {
	var out []byte
	err := f.host.Do(func(ns.NetNS) error {
		var err error
		out, err = testutils.ExecPlugin(bin, testutils.PluginCall{
			Command: cmd, ContainerID: "c1", Netns: netns, IfName: "eth0", Stdin: stdin,
		})
		return err
	})
	return out, err
}

func (f *fixture) call(cmd string, stdin []byte) ([]byte, error) {
	return f.exec(filepath.Join(binDir, "bandwidth"), cmd, f.cont.Path(), stdin)
}

// tcText renders the host namespace's links with their qdiscs and ingress
// filters, one line each, in the kernel's units: the state the plugin
// leaves, with the ifb's index and MAC left out (they differ per run).
func (f *fixture) tcText() string {
	GinkgoHelper()
	var lines []string
	Expect(f.host.Do(func(ns.NetNS) error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		links, err := h.LinkList()
		if err != nil {
			return err
		}
		names := map[int]string{}
		for _, l := range links {
			names[l.Attrs().Index] = l.Attrs().Name
		}
		for _, l := range links {
			a := l.Attrs()
			if a.Name == "lo" {
				continue
			}
			lines = append(lines, fmt.Sprintf("link %s %s mtu %d up %t", a.Name, l.Type(), a.MTU, a.Flags&net.FlagUp != 0))
			qs, err := h.QdiscList(l)
			if err != nil {
				return err
			}
			for _, q := range qs {
				lines = append(lines, "  "+qdiscText(q))
			}
			fs, err := h.FilterList(l, ingressHandle)
			if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
				return err
			}
			for _, flt := range fs {
				lines = append(lines, "  "+filterText(flt, names))
			}
		}
		return nil
	})).To(Succeed())
	return strings.Join(lines, "\n")
}

func qdiscText(q netlink.Qdisc) string {
	a := q.Attrs()
	s := fmt.Sprintf("qdisc %s %s parent %s", q.Type(), netlink.HandleStr(a.Handle), netlink.HandleStr(a.Parent))
	if t, ok := q.(*netlink.Tbf); ok {
		s += fmt.Sprintf(" rate %d limit %d buffer %d", t.Rate, t.Limit, t.Buffer)
	}
	return s
}

func filterText(flt netlink.Filter, names map[int]string) string {
	a := flt.Attrs()
	s := fmt.Sprintf("filter %s parent %s prio %d protocol %#x", flt.Type(), netlink.HandleStr(a.Parent), a.Priority, a.Protocol)
	if u, ok := flt.(*netlink.U32); ok {
		s += fmt.Sprintf(" classid %s", netlink.HandleStr(u.ClassId))
		if u.Sel != nil {
			for _, k := range u.Sel.Keys {
				s += fmt.Sprintf(" match %08x/%08x at %d", k.Val, k.Mask, k.Off)
			}
		}
		for _, act := range u.Actions {
			if m, ok := act.(*netlink.MirredAction); ok {
				to, ok := names[m.Ifindex]
				if !ok {
					to = "(gone)"
				}
				s += fmt.Sprintf(" mirred %d to %s %s", m.MirredAction, to, m.Attrs().Action)
			} else {
				s += " action " + act.Type()
			}
		}
	}
	return s
}

// tbfLine is the qdiscText line of a tbf with p.
func tbfLine(p tbfParams) string {
	return fmt.Sprintf("  qdisc tbf 1:0 parent root rate %d limit %d buffer %d", p.rate, p.limit(), netlink.Xmittime(p.rate, p.burst))
}
