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
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils/upstream"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/disk"
)

// invocation is one run of a plugin binary.
type invocation struct {
	command, id, ifname, cniArgs string
	stdin                        []byte
}

// outcome is what a plugin process did: its exit status and stdout.
type outcome struct {
	status int
	stdout []byte
}

// errCode returns the code of the error object an outcome printed, 0 when
// it succeeded.
func (o outcome) errCode() int {
	if o.status == 0 {
		return 0
	}
	var e struct {
		Code int `json:"code"`
	}
	_ = json.Unmarshal(o.stdout, &e)
	return e.Code
}

// msg returns the message of the error object an outcome printed.
func (o outcome) msg() string {
	var e struct {
		Msg string `json:"msg"`
	}
	_ = json.Unmarshal(o.stdout, &e)
	return e.Msg
}

// ips returns the addresses of a successful ADD's result.
func (o outcome) ips() []string {
	var r struct {
		IPs []struct {
			Address string `json:"address"`
		} `json:"ips"`
	}
	ExpectWithOffset(1, json.Unmarshal(o.stdout, &r)).To(Succeed(), "result %s", o.stdout)
	var out []string
	for _, ip := range r.IPs {
		out = append(out, ip.Address)
	}
	return out
}

// run executes bin for inv and returns the outcome; a run that cannot start
// fails the spec.
func run(bin string, inv invocation) outcome {
	cmd := exec.Command(bin)
	ifname := inv.ifname
	if ifname == "" {
		ifname = "eth0"
	}
	cmd.Env = []string{
		"CNI_COMMAND=" + inv.command, "CNI_CONTAINERID=" + inv.id, "CNI_IFNAME=" + ifname,
		"CNI_NETNS=/nonexistent/netns", "CNI_PATH=/nonexistent", "CNI_ARGS=" + inv.cniArgs,
	}
	cmd.Stdin = bytes.NewReader(inv.stdin)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = GinkgoWriter
	err := cmd.Run()
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
	} else {
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
	}
	return outcome{status: status, stdout: stdout.Bytes()}
}

// ok runs bin for inv and expects success.
func ok(bin string, inv invocation) outcome {
	o := run(bin, inv)
	ExpectWithOffset(1, o.status).To(BeZero(), "%s %s: %s", inv.command, inv.id, o.stdout)
	return o
}

// storeFiles returns every file of network net1 under dataDir with its
// content, except the lock.
func storeFiles(dataDir string) map[string]string {
	dir := filepath.Join(dataDir, "net1")
	entries, err := os.ReadDir(dir)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	out := map[string]string{}
	for _, e := range entries {
		if e.Name() == "lock" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		out[e.Name()] = string(data)
	}
	return out
}

// withPrevJSON adds the JSON result prev to a network config as prevResult.
func withPrevJSON(conf, prev []byte) []byte {
	var m map[string]any
	ExpectWithOffset(1, json.Unmarshal(conf, &m)).To(Succeed())
	var p any
	ExpectWithOffset(1, json.Unmarshal(prev, &p)).To(Succeed())
	m["prevResult"] = p
	out, err := json.Marshal(m)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return out
}

// withValid adds cni.dev/valid-attachments to a network config.
func withValid(conf []byte, valid ...[2]string) []byte {
	var m map[string]any
	ExpectWithOffset(1, json.Unmarshal(conf, &m)).To(Succeed())
	list := []map[string]string{}
	for _, v := range valid {
		list = append(list, map[string]string{"containerID": v[0], "ifname": v[1]})
	}
	m["cni.dev/valid-attachments"] = list
	out, err := json.Marshal(m)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return out
}

var _ = Describe("the store shared with upstream's host-local "+upstream.Release, func() {
	var (
		theirs, dataDir string
		conf            []byte
	)
	BeforeEach(func() {
		theirs = upstream.RequireBin("host-local")
		dataDir = filepath.Join(GinkgoT().TempDir(), "networks")
		conf = netJSON("1.1.0", "", fmt.Sprintf(
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`, dataDir))
	})
	add := func(id string) invocation { return invocation{command: "ADD", id: id, stdin: conf} }

	It("writes byte for byte the files upstream writes", func() {
		otherDir := filepath.Join(GinkgoT().TempDir(), "networks")
		otherConf := bytes.ReplaceAll(conf, []byte(dataDir), []byte(otherDir))
		for _, id := range []string{"c1", "c2"} {
			ok(pluginBin, add(id))
			ok(theirs, invocation{command: "ADD", id: id, stdin: otherConf})
		}
		Expect(storeFiles(dataDir)).To(Equal(storeFiles(otherDir)))
		Expect(storeFiles(dataDir)).To(HaveKeyWithValue("192.0.2.3", "c2\r\neth0"))
		Expect(storeFiles(dataDir)).To(HaveKeyWithValue("last_reserved_ip.1", "2001:db8::3"))
	})

	It("upgrade: upstream's records are checked, refused twice, kept by GC and released by ours", func() {
		podA := ok(theirs, add("podA"))
		addrs := podA.ips()
		Expect(addrs).To(Equal([]string{"192.0.2.2/24", "2001:db8::2/64"}))

		ok(pluginBin, invocation{command: "CHECK", id: "podA", stdin: withPrevJSON(conf, podA.stdout)})
		again := run(pluginBin, add("podA"))
		Expect(again.errCode()).To(Equal(999))
		Expect(again.msg()).To(Equal("failed to allocate for range 0: 192.0.2.2 has been allocated to podA, duplicate allocation is not allowed"))

		ok(pluginBin, invocation{command: "GC", stdin: withValid(conf, [2]string{"podA", "eth0"})})
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.2", "2001:db8::2"}), "GC kept the valid pod's addresses")

		// The scenario: a second pod asking for podA's address.
		stolen := run(pluginBin, invocation{command: "ADD", id: "podB", cniArgs: "IP=192.0.2.2", stdin: conf})
		Expect(stolen.status).NotTo(BeZero())
		Expect(stolen.msg()).To(Equal("requested address 192.0.2.2 is already allocated to container podA interface eth0"))

		// Allocation continues after upstream's last reserved address.
		Expect(ok(pluginBin, add("podC")).ips()).To(Equal([]string{"192.0.2.3/24", "2001:db8::3/64"}))

		ok(pluginBin, invocation{command: "DEL", id: "podA", stdin: conf})
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.3", "2001:db8::3"}))
	})

	It("downgrade: our records are checked, refused twice, kept by GC and released by upstream", func() {
		podA := ok(pluginBin, add("podA"))
		ok(theirs, invocation{command: "CHECK", id: "podA", stdin: withPrevJSON(conf, podA.stdout)})
		again := run(theirs, add("podA"))
		Expect(again.msg()).To(ContainSubstring("duplicate allocation is not allowed"))
		stolen := run(theirs, invocation{command: "ADD", id: "podB", cniArgs: "IP=192.0.2.2", stdin: conf})
		Expect(stolen.status).NotTo(BeZero(), "upstream must not hand out podA's address: %s", stolen.stdout)
		ok(theirs, invocation{command: "GC", stdin: withValid(conf, [2]string{"podA", "eth0"})})
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.2", "2001:db8::2"}))
		Expect(ok(theirs, add("podC")).ips()).To(Equal([]string{"192.0.2.3/24", "2001:db8::3/64"}))
		ok(theirs, invocation{command: "DEL", id: "podA", stdin: conf})
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.3", "2001:db8::3"}))
	})

	It("GC of either plugin releases the other's records of attachments no longer valid", func() {
		ok(theirs, add("up1"))
		ok(pluginBin, add("our1"))
		ok(pluginBin, invocation{command: "GC", stdin: withValid(conf, [2]string{"our1", "eth0"})})
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.3", "2001:db8::3"}))
		ok(theirs, invocation{command: "GC", stdin: withValid(conf)})
		Expect(records(dataDir)).To(BeEmpty())
	})

	It("handles a container ID of 100,000 characters both ways", func() {
		long := strings.Repeat("f", 100_000)
		ok(theirs, add(long))
		ok(pluginBin, invocation{command: "CHECK", id: long, stdin: conf})
		ok(pluginBin, invocation{command: "DEL", id: long, stdin: conf})
		Expect(records(dataDir)).To(BeEmpty())
		ok(pluginBin, add(long))
		Expect(run(theirs, add(long)).msg()).To(ContainSubstring("duplicate allocation is not allowed"))
		ok(theirs, invocation{command: "DEL", id: long, stdin: conf})
		Expect(records(dataDir)).To(BeEmpty())
	})

	It("shares the lock file: upstream's ADD waits while ours holds the network's lock", func() {
		ok(pluginBin, add("c1")) // creates the store
		st, err := disk.New(dataDir, "net1")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(st.Close)
		Expect(st.Lock()).To(Succeed())
		cmd := exec.Command(theirs)
		cmd.Env = []string{"CNI_COMMAND=ADD", "CNI_CONTAINERID=c2", "CNI_IFNAME=eth0", "CNI_NETNS=/nonexistent/netns", "CNI_PATH=/nonexistent"}
		cmd.Stdin = bytes.NewReader(conf)
		Expect(cmd.Start()).To(Succeed())
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		Consistently(exited).WithTimeout(300 * time.Millisecond).WithPolling(20 * time.Millisecond).ShouldNot(Receive())
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.2", "2001:db8::2"}))
		Expect(st.Unlock()).To(Succeed())
		Eventually(exited).WithTimeout(10 * time.Second).WithPolling(20 * time.Millisecond).Should(Receive(BeNil()))
		Expect(records(dataDir)).To(HaveLen(4))
	})

	It("releases a legacy one-line record on DEL of any interface of its container, as upstream does", func() {
		for _, bin := range []string{pluginBin, theirs} {
			dir := filepath.Join(dataDir, "net1")
			Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, "192.0.2.50"), []byte("legacy\n"), 0o600)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, "192.0.2.51"), []byte("other"), 0o600)).To(Succeed())
			ok(bin, invocation{command: "GC", stdin: withValid(conf, [2]string{"legacy", "net9"})})
			Expect(records(dataDir)).To(Equal([]string{"192.0.2.50"}), bin)
			ok(bin, invocation{command: "DEL", id: "legacy", ifname: "net1", stdin: conf})
			Expect(records(dataDir)).To(BeEmpty(), bin)
		}
	})
})

// decoded returns a result's JSON decoded, for comparing results printed
// with different layouts.
func decoded(out []byte) any {
	var v any
	ExpectWithOffset(1, json.Unmarshal(out, &v)).To(Succeed(), "output %s", out)
	return v
}

var _ = Describe("ADD compared with upstream's host-local "+upstream.Release, func() {
	var theirs string
	BeforeEach(func() {
		theirs = upstream.RequireBin("host-local")
	})

	// Each case runs the same ADD through both plugins, each on a store of
	// its own, and compares the exit status and the result (or the error
	// code and message).
	DescribeTable("gives the same result",
		func(extra, ipam, cniArgs string) {
			resolv := filepath.Join(GinkgoT().TempDir(), "resolv.conf")
			Expect(os.WriteFile(resolv, []byte("nameserver 192.0.2.53\ndomain a.test\nsearch s1 s2\n# comment\nsearch s3\ndomain b.test\noptions ndots:2\noptions edns0\n"), 0o644)).To(Succeed())
			var outs []outcome
			for _, bin := range []string{pluginBin, theirs} {
				dataDir := filepath.Join(GinkgoT().TempDir(), "networks")
				conf := netJSON("1.1.0", extra, fmt.Sprintf(ipam, dataDir))
				conf = bytes.ReplaceAll(conf, []byte("RESOLV"), []byte(resolv))
				outs = append(outs, run(bin, invocation{command: "ADD", id: "c1", cniArgs: cniArgs, stdin: conf}))
			}
			ours, up := outs[0], outs[1]
			Expect(ours.status).To(Equal(up.status), "ours %s, upstream %s", ours.stdout, up.stdout)
			Expect(decoded(ours.stdout)).To(Equal(decoded(up.stdout)), "ours %s, upstream %s", ours.stdout, up.stdout)
		},
		Entry("dual stack", ``,
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`, ""),
		Entry("runtimeConfig.ipRanges come first, the configured ranges stay", `"runtimeConfig":{"ipRanges":[[{"subnet":"203.0.113.0/24"}]]},`,
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`, ""),
		Entry("args.cni.ips and CNI_ARGS IP both requested", `"args":{"cni":{"ips":["192.0.2.77"]}},`,
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`, "IP=2001:db8::77"),
		Entry("runtimeConfig.ips", `"runtimeConfig":{"ips":["192.0.2.78/24"]},`,
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`, ""),
		Entry("a requested prefix length other than the range's", ``,
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"192.0.2.0/24"}],[{"subnet":"2001:db8::/64"}]]}`, "IP=192.0.2.5/16"),
		Entry("IPv6 requested prefix length other than the range's", `"args":{"cni":{"ips":["2001:db8::6/48"]}},`,
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"2001:db8::/64"}]]}`, ""),
		Entry("resolvConf with several search and domain lines", ``,
			`{"type":"host-local","dataDir":%q,"resolvConf":"RESOLV","subnet":"192.0.2.0/24"}`, ""),
		Entry("legacy range fields with a gateway", ``,
			`{"type":"host-local","dataDir":%q,"subnet":"192.0.2.0/24","rangeStart":"192.0.2.100","rangeEnd":"192.0.2.110","gateway":"192.0.2.254"}`, ""),
		Entry("routes", ``,
			`{"type":"host-local","dataDir":%q,"subnet":"192.0.2.0/24","routes":[{"dst":"0.0.0.0/0"},{"dst":"198.51.100.0/24","gw":"192.0.2.254"}]}`, ""),
	)
})
