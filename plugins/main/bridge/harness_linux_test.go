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
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// env is one spec's world: a host namespace (where the bridge lives), a
// container namespace, and a host-local data directory.
type env struct {
	host, ctr ns.NetNS
	dataDir   string
	// bin and cniPath, when set, replace our bridge binary and the plugin
	// directory (the differential specs run upstream's bridge).
	bin, cniPath string
}

func newEnv() *env {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	bin := filepath.Join(testutils.PluginBinDir(), "bridge")
	if _, err := os.Stat(bin); err != nil {
		Fail(fmt.Sprintf("%s missing: run ./build_linux.sh first", bin))
	}
	e := &env{host: testutils.NewNSForSpec(), ctr: testutils.NewNSForSpec(), dataDir: GinkgoT().TempDir()}
	Expect(e.host.Do(func(ns.NetNS) error {
		l, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		return netlink.LinkSetUp(l)
	})).To(Succeed())
	return e
}

// call is one plugin invocation.
type call struct {
	verb, conf, ifName, id, netns, cniArgs string
}

// run execs the bridge binary in the host namespace and returns its
// stdout; a non-zero exit returns the CNI error it printed.
func (e *env) run(c call) ([]byte, error) {
	GinkgoHelper()
	if c.ifName == "" {
		c.ifName = "eth0"
	}
	if c.id == "" {
		c.id = "ctr1"
	}
	var stdout, stderr bytes.Buffer
	var runErr error
	Expect(e.host.Do(func(ns.NetNS) error {
		bin, cniPath := filepath.Join(testutils.PluginBinDir(), "bridge"), testutils.PluginBinDir()
		if e.bin != "" {
			bin, cniPath = e.bin, e.cniPath
		}
		cmd := exec.Command(bin)
		cmd.Env = []string{
			"CNI_COMMAND=" + c.verb,
			"CNI_CONTAINERID=" + c.id,
			"CNI_NETNS=" + c.netns,
			"CNI_IFNAME=" + c.ifName,
			"CNI_PATH=" + cniPath,
			"CNI_ARGS=" + c.cniArgs,
			"PATH=" + os.Getenv("PATH"),
		}
		cmd.Stdin = strings.NewReader(c.conf)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		runErr = cmd.Run()
		return nil
	})).To(Succeed())
	if runErr != nil {
		var cniErr types.Error
		if json.Unmarshal(stdout.Bytes(), &cniErr) == nil && cniErr.Code != 0 {
			return stdout.Bytes(), &cniErr
		}
		return stdout.Bytes(), fmt.Errorf("bridge %s: %w: stdout %q stderr %q", c.verb, runErr, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}

// add runs ADD of conf for container id on ifName and returns the result
// converted to the current version.
func (e *env) add(conf, id, ifName string) (*current.Result, []byte, error) {
	GinkgoHelper()
	out, err := e.run(call{verb: "ADD", conf: conf, id: id, ifName: ifName, netns: e.ctr.Path()})
	if err != nil {
		return nil, out, err
	}
	var probe struct {
		CNIVersion string `json:"cniVersion"`
	}
	Expect(json.Unmarshal([]byte(conf), &probe)).To(Succeed())
	res, err := resultOf(probe.CNIVersion, out)
	Expect(err).NotTo(HaveOccurred(), "result %s", out)
	return res, out, nil
}

func resultOf(ver string, out []byte) (*current.Result, error) {
	r, err := version.NewResult(ver, out)
	if err != nil {
		return nil, err
	}
	return current.NewResultFromResult(r)
}

// withPrev returns conf with prevResult (raw result JSON) added, for CHECK.
func withPrev(conf string, result []byte) string {
	var m map[string]any
	Expect(json.Unmarshal([]byte(conf), &m)).To(Succeed())
	var r any
	Expect(json.Unmarshal(result, &r)).To(Succeed())
	m["prevResult"] = r
	b, err := json.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// inNS runs f in n and returns its error.
func inNS(n ns.NetNS, f func() error) error {
	return n.Do(func(ns.NetNS) error { return f() })
}

// routes returns the routes of ifName in n as iproute2-style text.
func routes(n ns.NetNS, ifName string, family int) string {
	GinkgoHelper()
	var text string
	Expect(inNS(n, func() error {
		var err error
		text, err = testutils.RouteText(ifName, family, 0)
		return err
	})).To(Succeed())
	return text
}

// addrs returns the global addresses of ifName in n, as "a/len" strings.
func addrs(n ns.NetNS, ifName string) []string {
	GinkgoHelper()
	var out []string
	Expect(inNS(n, func() error {
		l, err := netlink.LinkByName(ifName)
		if err != nil {
			return err
		}
		as, err := netlink.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		for _, a := range as {
			if !a.IP.IsLinkLocalUnicast() {
				out = append(out, a.IPNet.String())
			}
		}
		return nil
	})).To(Succeed())
	return out
}

// links returns the names of the links in n other than lo.
func links(n ns.NetNS) []string {
	GinkgoHelper()
	var out []string
	Expect(inNS(n, func() error {
		ls, err := netlink.LinkList()
		if err != nil {
			return err
		}
		for _, l := range ls {
			if l.Attrs().Name != "lo" {
				out = append(out, l.Attrs().Name)
			}
		}
		return nil
	})).To(Succeed())
	return out
}

// records returns the files host-local keeps under its data directory for
// network, without its lock and last-reserved files.
func (e *env) records(network string) []string {
	GinkgoHelper()
	ents, err := os.ReadDir(filepath.Join(e.dataDir, network))
	if os.IsNotExist(err) {
		return nil
	}
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, d := range ents {
		if d.Name() != "lock" && !strings.HasPrefix(d.Name(), "last_reserved_ip") {
			out = append(out, d.Name())
		}
	}
	return out
}

// errCode returns the CNI error code of err, 0 when it is not a CNI error.
func errCode(err error) uint { return testutils.ErrCode(err) }
