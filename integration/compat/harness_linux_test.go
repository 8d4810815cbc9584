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

package compat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/version"
	"github.com/onsi/ginkgo/v2"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The harness execs the plugin binaries directly with the CNI_* variables,
// as a runtime does, rather than through libcni: the exit status and the raw
// stdout are part of what is compared, and a step can send what libcni never
// would (a DEL without CNI_NETNS, an edited config).

// Case is one differential case: a plugin chain (like a conflist's
// "plugins"), the runtime inputs, setup hooks and the verbs to run.
type Case struct {
	Name    string // unique; "<plugin>/<what>/<cniVersion>"
	Version string // cniVersion of the config
	// Plugins are the chain's plugin objects as JSON, without cniVersion and
	// name. {{dataDir}} and {{dir}} are replaced by the side's host-local
	// data directory and a scratch directory.
	Plugins []string
	CNIArgs string
	IfName  string // default eth0
	// Setup runs before the first step, for each side.
	Setup func(s *Side) error
	// Steps default to defaultSteps(Version).
	Steps []Step
	// GuestOnly cases need a kernel feature this host may lack (ipvlan);
	// they skip where it is missing.
	GuestOnly string
	// Sysctls are more per-link sysctls to compare ("ipv4/conf/%s/arp_filter"),
	// for plugins that set them (tuning).
	Sysctls []string
	// HostRules compares the host namespace's iptables and ip6tables rules
	// (iptables-save without counters) after every step, for plugins that
	// write them (ptp's ipMasq, portmap, firewall).
	HostRules bool
}

// Step is one invocation of the chain.
type Step struct {
	Label string // how differences name the step; default Verb
	Verb  string // ADD, CHECK, DEL, GC, STATUS
	// Impl pins the implementation ("ours" or "upstream") for both sides:
	// cross-store cases run one step with the other side's binaries.
	Impl         string
	NoNetNS      bool   // empty CNI_NETNS, as containerd's second DEL
	NetNS        string // CNI_NETNS instead of the container's ({{dir}} expanded)
	NoPrevResult bool
	ContainerID  string   // default ctr-1
	IfName       string   // default the case's
	CNIArgs      *string  // default the case's
	Plugins      []string // default the case's (an edited config)
	// Extra is merged into every plugin object (e.g. GC's valid attachments).
	Extra map[string]any
	// PrevFrom takes prevResult from the ADD step with this label instead
	// of the latest successful ADD.
	PrevFrom string
}

func defaultSteps(v string) []Step {
	var steps []Step
	atLeast := func(min string) bool {
		ok, err := version.GreaterThanOrEqualTo(v, min)
		return err == nil && ok
	}
	if atLeast("1.1.0") {
		steps = append(steps, Step{Verb: "STATUS"})
	}
	steps = append(steps, Step{Verb: "ADD"})
	if atLeast("0.4.0") {
		steps = append(steps, Step{Verb: "CHECK"})
	}
	steps = append(steps, Step{Verb: "DEL"}, Step{Label: "DEL2", Verb: "DEL", NoNetNS: true, NoPrevResult: true})
	if atLeast("1.1.0") {
		steps = append(steps, Step{Verb: "GC", Extra: map[string]any{"cni.dev/valid-attachments": []any{}}})
	}
	return steps
}

// Side is one implementation's run of a case: its own namespaces and
// directories.
type Side struct {
	Impl    string // ours or upstream
	HostNS  ns.NetNS
	ContNS  ns.NetNS
	Dir     string // scratch directory ({{dir}})
	DataDir string // host-local's dataDir ({{dataDir}})
}

func (s *Side) binDir(impl string) string {
	if impl == "upstream" {
		return upstreamDir
	}
	return oursDir
}

// Observation is what one step showed, rendered as comparable text by
// aspect: "exit", "code", "result", "links" (names), "link.<name>.<field>",
// "addrs", "routes", "sysctl.<key with dots>", "hostlinks", "recordnames",
// "records" (with contents).
type Observation struct {
	Label   string
	Aspects map[string]string
}

// newSide makes the namespaces and directories of one side; the host
// namespace gets a veth pair eth1/eth1p (up) to serve as master.
func newSide(impl, tmp string) (*Side, error) {
	s := &Side{Impl: impl, Dir: filepath.Join(tmp, impl), DataDir: filepath.Join(tmp, impl, "ipam")}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, err
	}
	var err error
	if s.HostNS, err = testutils.NewNS(); err != nil {
		return nil, err
	}
	if s.ContNS, err = testutils.NewNS(); err != nil {
		return s, err
	}
	err = s.HostNS.Do(func(ns.NetNS) error {
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth1", MTU: 1500}, PeerName: "eth1p"}
		if err := netlink.LinkAdd(v); err != nil {
			return fmt.Errorf("add veth eth1: %w", err)
		}
		for _, n := range []string{"eth1", "eth1p"} {
			l, err := netlinksafe.LinkByName(n)
			if err != nil {
				return err
			}
			if err := netlink.LinkSetUp(l); err != nil {
				return fmt.Errorf("set %s up: %w", n, err)
			}
		}
		return nil
	})
	return s, err
}

func (s *Side) close() error {
	return errors.Join(testutils.UnmountNS(s.ContNS), testutils.UnmountNS(s.HostNS))
}

func (s *Side) expand(text string) string {
	return strings.NewReplacer("{{dataDir}}", s.DataDir, "{{dir}}", s.Dir).Replace(text)
}

// runCase runs every step of c on one side and returns what each showed.
func runCase(c *Case, s *Side) ([]Observation, error) {
	if c.Setup != nil {
		if err := c.Setup(s); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
	}
	steps := c.Steps
	if steps == nil {
		steps = defaultSteps(c.Version)
	}
	results := map[string]json.RawMessage{}
	var last json.RawMessage
	var obs []Observation
	addFailed := false
	for _, st := range steps {
		label := st.Label
		if label == "" {
			label = st.Verb
		}
		impl := s.Impl
		if st.Impl != "" {
			impl = st.Impl
		}
		prev := last
		if st.PrevFrom != "" {
			prev = results[st.PrevFrom]
		}
		if st.NoPrevResult {
			prev = nil
		}
		if st.Verb == "CHECK" && addFailed {
			// A runtime never checks an attachment whose ADD failed.
			o := Observation{Label: label, Aspects: map[string]string{"exit": "not run: ADD failed"}}
			if err := s.snapshot(c, o.Aspects); err != nil {
				return nil, fmt.Errorf("step %s: %w", label, err)
			}
			obs = append(obs, o)
			continue
		}
		out, exit, err := runChain(c, &st, s, impl, prev)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", label, err)
		}
		if st.Verb == "ADD" {
			addFailed = exit != 0
		}
		o := Observation{Label: label, Aspects: map[string]string{"exit": fmt.Sprint(exit)}}
		if exit != 0 {
			// Messages are not compared (error-wording), but say why.
			fmt.Fprintf(ginkgo.GinkgoWriter, "%s %s: exit %d: %s\n", impl, label, exit, bytes.Join(bytes.Fields(out), []byte(" ")))
			o.Aspects["code"] = errorCode(out)
		} else if st.Verb == "ADD" {
			results[label] = out
			last = out
			o.Aspects["result"] = normaliseResult(out, c)
		} else if len(bytes.TrimSpace(out)) != 0 {
			o.Aspects["result"] = string(out)
		}
		if err := s.snapshot(c, o.Aspects); err != nil {
			return nil, fmt.Errorf("step %s: %w", label, err)
		}
		obs = append(obs, o)
	}
	return obs, nil
}

// runChain runs one verb through the chain as a runtime would: ADD in
// order, each plugin getting the previous one's result; CHECK in order and
// DEL in reverse, all with the final ADD result as prevResult. It returns
// the output of the last plugin run (or of the one that failed).
func runChain(c *Case, st *Step, s *Side, impl string, prev json.RawMessage) (json.RawMessage, int, error) {
	plugins := c.Plugins
	if st.Plugins != nil {
		plugins = st.Plugins
	}
	order := make([]int, len(plugins))
	for i := range order {
		order[i] = i
	}
	if st.Verb == "DEL" {
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	var out json.RawMessage
	for _, i := range order {
		conf := map[string]any{}
		if err := json.Unmarshal([]byte(s.expand(plugins[i])), &conf); err != nil {
			return nil, 0, fmt.Errorf("decode plugin %d of the case: %w", i, err)
		}
		conf["cniVersion"] = c.Version
		conf["name"] = "compatnet"
		p := prev
		if st.Verb == "ADD" && i > 0 {
			p = out
		}
		if p != nil && st.Verb != "STATUS" && st.Verb != "GC" {
			conf["prevResult"] = p
		}
		for k, v := range st.Extra {
			conf[k] = v
		}
		stdin, err := json.Marshal(conf)
		if err != nil {
			return nil, 0, err
		}
		var exit int
		out, exit, err = s.exec(c, st, impl, conf["type"].(string), stdin)
		if err != nil || exit != 0 {
			return out, exit, err
		}
	}
	return out, 0, nil
}

// exec runs one plugin binary in the side's host namespace.
func (s *Side) exec(c *Case, st *Step, impl, plugin string, stdin []byte) (json.RawMessage, int, error) {
	netns := s.ContNS.Path()
	if st.NetNS != "" {
		netns = s.expand(st.NetNS)
	}
	if st.NoNetNS {
		netns = ""
	}
	id := st.ContainerID
	if id == "" {
		id = "ctr-1"
	}
	ifname := st.IfName
	if ifname == "" {
		ifname = c.IfName
	}
	if ifname == "" {
		ifname = "eth0"
	}
	args := c.CNIArgs
	if st.CNIArgs != nil {
		args = *st.CNIArgs
	}
	var stdout, stderr bytes.Buffer
	exit := 0
	err := s.HostNS.Do(func(ns.NetNS) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(s.binDir(impl), plugin))
		cmd.Env = []string{
			"CNI_COMMAND=" + st.Verb,
			"CNI_CONTAINERID=" + id,
			"CNI_NETNS=" + netns,
			"CNI_IFNAME=" + ifname,
			"CNI_ARGS=" + args,
			// {{dir}}/cni-bin holds the fake plugins of setup hooks.
			"CNI_PATH=" + s.binDir(impl) + ":" + filepath.Join(s.Dir, "cni-bin"),
			"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		}
		cmd.Stdin = bytes.NewReader(stdin)
		cmd.Stdout = &stdout
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			exit = ee.ExitCode()
			return nil
		}
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("run %s %s %s: %w", impl, plugin, st.Verb, err)
	}
	return stdout.Bytes(), exit, nil
}

// errorCode renders the code of a CNI error object, or the raw output when
// it is not one. Messages are not compared: their wording is ours
// (compatibility.md, error-wording).
func errorCode(out []byte) string {
	var e struct {
		Code *uint `json:"code"`
	}
	if err := json.Unmarshal(out, &e); err != nil || e.Code == nil {
		return fmt.Sprintf("not an error object: %q", firstLine(out))
	}
	return fmt.Sprint(*e.Code)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

var macRE = regexp.MustCompile(`(?i)\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b`)

// normaliseMACs replaces MAC addresses that do not appear in the case's
// inputs (the kernel's random ones) by a placeholder.
func normaliseMACs(text string, c *Case) string {
	inputs := strings.ToLower(strings.Join(c.Plugins, " ") + " " + c.CNIArgs)
	for _, st := range c.Steps {
		inputs += strings.ToLower(strings.Join(st.Plugins, " "))
	}
	return macRE.ReplaceAllStringFunc(text, func(m string) string {
		if strings.Contains(inputs, strings.ToLower(m)) {
			return m
		}
		return "<mac>"
	})
}

// normaliseResult re-encodes a result with sorted keys, the sandbox path
// and random MACs replaced: they differ between the sides by construction.
func normaliseResult(out []byte, c *Case) string {
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Sprintf("not JSON: %q", firstLine(out))
	}
	if m, ok := v.(map[string]any); ok {
		// An empty dns object and none mean the same to every decoder.
		if d, ok := m["dns"].(map[string]any); ok && len(d) == 0 {
			delete(m, "dns")
		}
		if ifs, ok := m["interfaces"].([]any); ok {
			for _, i := range ifs {
				if im, ok := i.(map[string]any); ok {
					if sb, ok := im["sandbox"].(string); ok && sb != "" {
						im["sandbox"] = "<sandbox>"
					}
				}
			}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep "<sandbox>" readable
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("re-encode: %v", err)
	}
	return normaliseVeths(normaliseMACs(strings.TrimSpace(b.String()), c))
}

// vethRE matches the host end of a veth pair named by the kernel-side
// plugin at random (ptp, bridge: "veth" and 8 hex digits).
var vethRE = regexp.MustCompile(`\bveth[0-9a-f]{8}\b`)

// normaliseVeths replaces random host veth names by a placeholder.
func normaliseVeths(text string) string {
	return vethRE.ReplaceAllString(text, "<veth>")
}

// sysctls read for each container link; net-wide ones are read once.
var (
	linkSysctls = []string{
		"ipv4/conf/%s/arp_notify",
		"ipv6/conf/%s/accept_dad",
		"ipv6/conf/%s/accept_ra",
		"ipv6/conf/%s/addr_gen_mode",
		"ipv6/conf/%s/disable_ipv6",
		"ipv6/conf/%s/keep_addr_on_down",
		"ipv6/conf/%s/ndisc_notify",
		"ipv6/conf/%s/router_solicitation_delay",
		"ipv6/conf/%s/router_solicitations",
	}
	netSysctls = []string{
		"ipv4/fib_multipath_use_neigh",
	}
)

// snapshot renders the container's links, addresses, routes and sysctls,
// the host namespace's links and host-local's records into aspects.
func (s *Side) snapshot(c *Case, a map[string]string) error {
	err := s.ContNS.Do(func(ns.NetNS) error {
		links, err := netlinksafe.LinkList()
		if err != nil {
			return err
		}
		names := map[int]string{}
		var ls, addrs []string
		for _, l := range links {
			at := l.Attrs()
			names[at.Index] = at.Name
			ls = append(ls, at.Name)
			for field, v := range linkFields(l) {
				a["link."+at.Name+"."+field] = normaliseMACs(v, c)
			}
			as, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
			if err != nil {
				return err
			}
			for _, ad := range as {
				if ad.IP.IsLinkLocalUnicast() && ad.IP.To4() == nil {
					continue // derived from the random MAC
				}
				addrs = append(addrs, at.Name+" "+ad.IPNet.String())
			}
			for _, f := range append(linkSysctls[:len(linkSysctls):len(linkSysctls)], c.Sysctls...) {
				key := fmt.Sprintf(f, at.Name)
				a["sysctl."+strings.ReplaceAll(key, "/", ".")] = readSysctl(key)
			}
		}
		for _, key := range netSysctls {
			a["sysctl."+strings.ReplaceAll(key, "/", ".")] = readSysctl(key)
		}
		routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return err
		}
		var rs []string
		for _, r := range routes {
			if r.Table == unix.RT_TABLE_LOCAL {
				continue
			}
			// The kernel adds fe80::/64 when a link comes up, in an order
			// that depends on timing; no plugin installs it.
			if r.Protocol == unix.RTPROT_KERNEL && r.Dst != nil && r.Dst.String() == "fe80::/64" {
				continue
			}
			rs = append(rs, testutils.FormatRoute(r, names))
		}
		a["links"] = strings.Join(ls, " ")
		a["addrs"] = strings.Join(addrs, "\n")
		a["routes"] = strings.Join(rs, "\n")
		return nil
	})
	if err != nil {
		return fmt.Errorf("snapshot container: %w", err)
	}
	err = s.HostNS.Do(func(ns.NetNS) error {
		links, err := netlinksafe.LinkList()
		if err != nil {
			return err
		}
		names := map[int]string{}
		var ls, addrs []string
		for _, l := range links {
			at := l.Attrs()
			names[at.Index] = at.Name
			ls = append(ls, at.Name+" "+l.Type())
			as, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
			if err != nil {
				return err
			}
			for _, ad := range as {
				if ad.IP.IsLinkLocalUnicast() && ad.IP.To4() == nil {
					continue // derived from a random MAC
				}
				addrs = append(addrs, at.Name+" "+ad.IPNet.String())
			}
		}
		sort.Strings(ls)
		sort.Strings(addrs)
		a["hostlinks"] = normaliseVeths(strings.Join(ls, "\n"))
		a["hostaddrs"] = normaliseVeths(strings.Join(addrs, "\n"))
		routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return err
		}
		var rs []string
		for _, r := range routes {
			if r.Table == unix.RT_TABLE_LOCAL || (r.Protocol == unix.RTPROT_KERNEL && r.Dst != nil && r.Dst.String() == "fe80::/64") {
				continue
			}
			rs = append(rs, testutils.FormatRoute(r, names))
		}
		sort.Strings(rs)
		a["hostroutes"] = normaliseVeths(strings.Join(rs, "\n"))
		if c.HostRules {
			a["hostrules"] = normaliseVeths(hostRules())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("snapshot host: %w", err)
	}
	a["recordnames"], a["records"], err = records(s.DataDir, c)
	return err
}

// linkFields renders the attributes of a link that are compared, by name.
func linkFields(l netlink.Link) map[string]string {
	at := l.Attrs()
	f := map[string]string{
		"type":   l.Type(),
		"mtu":    fmt.Sprint(at.MTU),
		"txqlen": fmt.Sprint(at.TxQLen),
		// The administrative state only: the operational state follows
		// the carrier asynchronously.
		"state": fmt.Sprintf("up=%t", at.Flags&net.FlagUp != 0),
		"mac":   at.HardwareAddr.String(),
		// tuning's promisc and allmulti.
		"promisc":  fmt.Sprint(at.Promisc),
		"allmulti": fmt.Sprint(at.Allmulti),
	}
	switch v := l.(type) {
	case *netlink.Macvlan:
		f["mode"] = fmt.Sprint(v.Mode)
	case *netlink.IPVlan:
		f["mode"] = fmt.Sprintf("%d flag %d", v.Mode, v.Flag)
	}
	return f
}

// hostRules renders the current namespace's iptables and ip6tables rules as
// iptables-save prints them, without comments and counters, or why it
// cannot.
func hostRules() string {
	var out []string
	for _, tool := range []string{"iptables-save", "ip6tables-save"} {
		b, err := exec.Command(tool).CombinedOutput()
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v: %s", tool, err, firstLine(b)))
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if strings.HasPrefix(l, ":") { // ":CHAIN POLICY [packets:bytes]"
				if i := strings.LastIndex(l, " ["); i > 0 {
					l = l[:i]
				}
			}
			out = append(out, tool+" "+l)
		}
	}
	return strings.Join(out, "\n")
}

func readSysctl(key string) string {
	b, err := os.ReadFile("/proc/sys/net/" + key)
	if err != nil {
		return "<unreadable>"
	}
	return strings.TrimSpace(string(b))
}

// records lists host-local's data directory: the files' paths, and each
// file's path and content.
func records(dir string, c *Case) (names, contents string, err error) {
	var ns, cs []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() || d.Name() == "lock" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		ns = append(ns, rel)
		cs = append(cs, fmt.Sprintf("%s: %q", rel, normaliseMACs(string(b), c)))
		return nil
	})
	return strings.Join(ns, "\n"), strings.Join(cs, "\n"), err
}

// containerVeth is a Setup hook for linkInContainer: a veth pair name/
// name+"p" in the container namespace, both up.
func (s *Side) containerVeth(name string) error {
	return s.ContNS.Do(func(ns.NetNS) error {
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: 1500}, PeerName: name + "p"}
		if err := netlink.LinkAdd(v); err != nil {
			return fmt.Errorf("add veth %s: %w", name, err)
		}
		for _, n := range []string{name, name + "p"} {
			l, err := netlinksafe.LinkByName(n)
			if err != nil {
				return err
			}
			if err := netlink.LinkSetUp(l); err != nil {
				return fmt.Errorf("set %s up: %w", n, err)
			}
		}
		return nil
	})
}

// fakeIPAM is a Setup hook installing an IPAM plugin named name in
// {{dir}}/cni-bin that answers ADD by printing out and exiting with
// status exit, and succeeds silently on every other verb.
func fakeIPAM(name, out string, exit int) func(*Side) error {
	return func(s *Side) error {
		dir := filepath.Join(s.Dir, "cni-bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		script := fmt.Sprintf("#!/bin/sh\ncat >/dev/null\nif [ \"$CNI_COMMAND\" = ADD ]; then\n\tprintf '%%s' '%s'\n\texit %d\nfi\nexit 0\n", out, exit)
		return os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755)
	}
}

// hostDefaultRoute is a Setup hook giving the host namespace a default
// route through eth1, for configs without master.
func hostDefaultRoute(s *Side) error {
	return s.HostNS.Do(func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName("eth1")
		if err != nil {
			return err
		}
		addr, err := netlink.ParseAddr("203.0.113.2/24")
		if err != nil {
			return err
		}
		if err := netlink.AddrAdd(l, addr); err != nil {
			return fmt.Errorf("add address to eth1: %w", err)
		}
		gw := net.ParseIP("203.0.113.1")
		if err := netlink.RouteAdd(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw}); err != nil {
			return fmt.Errorf("add default route via eth1: %w", err)
		}
		return nil
	})
}

// hostPeerAddress is a Setup hook putting addr on eth1p, the far end of
// the master's veth in the host namespace, so that a container address
// equal to it is a duplicate on the link.
func hostPeerAddress(addr string) func(*Side) error {
	return func(s *Side) error {
		return s.HostNS.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName("eth1p")
			if err != nil {
				return err
			}
			a, err := netlink.ParseAddr(addr)
			if err != nil {
				return err
			}
			a.Flags = unix.IFA_F_NODAD
			if err := netlink.AddrAdd(l, a); err != nil {
				return fmt.Errorf("add %s to eth1p: %w", addr, err)
			}
			return nil
		})
	}
}

// hostNATRules is a Setup hook adding a rule to each built-in chain of the
// host namespace's IPv4 nat table, as another tool would have.
func hostNATRules(s *Side) error {
	return s.HostNS.Do(func(ns.NetNS) error {
		for _, chain := range []string{"PREROUTING", "OUTPUT", "POSTROUTING"} {
			out, err := exec.Command("iptables", "-w", "-t", "nat", "-A", chain, "-d", "198.51.100.99/32", "-j", "RETURN").CombinedOutput()
			if err != nil {
				return fmt.Errorf("iptables -t nat -A %s: %w: %s", chain, err, out)
			}
		}
		return nil
	})
}
