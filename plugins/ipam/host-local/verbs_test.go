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
	"path/filepath"
	"sort"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/skel"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// verbArgs returns the CmdArgs of one attachment.
func verbArgs(id, ifname string, stdin []byte) *skel.CmdArgs {
	return &skel.CmdArgs{ContainerID: id, IfName: ifname, Netns: "/nonexistent/netns", Path: "/nonexistent", StdinData: stdin}
}

// records lists the record files of network net1 under dataDir.
func records(dataDir string) []string {
	return networkRecords(filepath.Join(dataDir, "net1"))
}

// networkRecords lists the record files of the network directory dir.
func networkRecords(dir string) []string {
	entries, err := os.ReadDir(dir)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var out []string
	for _, e := range entries {
		// Record files are named by their address; the lock, the
		// last_reserved_ip.* hints and temporary files are not records.
		if net.ParseIP(e.Name()) != nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// withPrev adds prevResult to a network config.
func withPrev(conf []byte, prev *current.Result) []byte {
	var m map[string]any
	ExpectWithOffset(1, json.Unmarshal(conf, &m)).To(Succeed())
	data, err := json.Marshal(prev)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var p map[string]any
	ExpectWithOffset(1, json.Unmarshal(data, &p)).To(Succeed())
	m["prevResult"] = p
	out, err := json.Marshal(m)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return out
}

var _ = Describe("verbs", func() {
	var dataDir string
	BeforeEach(func() {
		dataDir = filepath.Join(GinkgoT().TempDir(), "networks")
	})

	dualStack := func(ver string) []byte {
		resolv := filepath.Join(GinkgoT().TempDir(), "resolv.conf")
		Expect(os.WriteFile(resolv, []byte("# test\nnameserver 192.0.2.53\nnameserver 2001:db8::53\ndomain example.test\nsearch a.example.test\nsearch b.example.test\noptions ndots:2 edns0\n"), 0o644)).To(Succeed())
		return netJSON(ver, "", fmt.Sprintf(`{"type":"host-local","dataDir":%q,"resolvConf":%q,
			"ranges":[[{"subnet":"192.0.2.0/24","rangeStart":"192.0.2.10"}],[{"subnet":"2001:db8::/64"}]],
			"routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1"},
			          {"dst":"198.51.100.0/24","gw":"192.0.2.254","mtu":1400,"advmss":1360,"priority":100,"table":100,"scope":0},
			          {"dst":"::/0"}]}`, dataDir, resolv))
	}

	for _, ver := range testutils.SpecVersions() {
		It("ADD prints one address per range set, routes and DNS in version "+ver, func() {
			conf := dualStack(ver)
			res, raw, err := testutils.CmdAdd(verbArgs("c1", "eth0", conf), cmdAdd)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Version()).To(Equal(ver))
			var printed struct {
				CNIVersion string `json:"cniVersion"`
			}
			Expect(json.Unmarshal(raw, &printed)).To(Succeed())
			Expect(printed.CNIVersion).To(Equal(ver), "printed %s", raw)
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			Expect(cur.IPs).To(HaveLen(2))
			Expect(cur.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
			Expect(cur.IPs[0].Gateway.String()).To(Equal("192.0.2.1"))
			Expect(cur.IPs[1].Address.String()).To(Equal("2001:db8::2/64"))
			Expect(cur.IPs[1].Gateway.String()).To(Equal("2001:db8::1"))
			Expect(cur.DNS).To(Equal(types.DNS{
				Nameservers: []string{"192.0.2.53", "2001:db8::53"}, Domain: "example.test",
				Search: []string{"a.example.test", "b.example.test"}, Options: []string{"ndots:2", "edns0"},
			}))
			Expect(cur.Routes).To(HaveLen(3))
			Expect(cur.Routes[0].String()).To(Equal("{Dst:{IP:0.0.0.0 Mask:00000000} GW:192.0.2.1 MTU:0 AdvMSS:0 Priority:0 Table:<nil> Scope:<nil>}"))
			if ok, _ := version.GreaterThanOrEqualTo(ver, "1.1.0"); ok {
				Expect(cur.Routes[1].String()).To(Equal("{Dst:{IP:198.51.100.0 Mask:ffffff00} GW:192.0.2.254 MTU:1400 AdvMSS:1360 Priority:100 Table:100 Scope:0}"))
			}
			Expect(records(dataDir)).To(Equal([]string{"192.0.2.10", "2001:db8::2"}))
		})
	}

	It("CHECK passes while the addresses are recorded, DEL releases and may repeat", func() {
		conf := dualStack("1.1.0")
		res, _, err := testutils.CmdAdd(verbArgs("c1", "eth0", conf), cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		cur, err := current.NewResultFromResult(res)
		Expect(err).NotTo(HaveOccurred())
		Expect(testutils.CmdCheck(verbArgs("c1", "eth0", withPrev(conf, cur)), cmdCheck)).To(Succeed())

		err = testutils.CmdCheck(verbArgs("c1", "eth1", withPrev(conf, cur)), cmdCheck)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrUnknownContainer), "error %v", err)

		Expect(testutils.CmdDel(verbArgs("c1", "eth0", conf), cmdDel)).To(Succeed())
		Expect(records(dataDir)).To(BeEmpty())
		Expect(testutils.CmdDel(verbArgs("c1", "eth0", conf), cmdDel)).To(Succeed())
		err = testutils.CmdCheck(verbArgs("c1", "eth0", withPrev(conf, cur)), cmdCheck)
		Expect(err).To(MatchError(ContainSubstring("no address recorded")))
	})

	It("CHECK fails on a null element of prevResult.ips instead of panicking", func() {
		conf := dualStack("1.1.0")
		_, _, err := testutils.CmdAdd(verbArgs("c1", "eth0", conf), cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		var m map[string]any
		Expect(json.Unmarshal(conf, &m)).To(Succeed())
		m["prevResult"] = map[string]any{"cniVersion": "1.1.0", "ips": []any{nil, map[string]any{"address": "192.0.2.10/24"}}}
		withNull, err := json.Marshal(m)
		Expect(err).NotTo(HaveOccurred())
		err = testutils.CmdCheck(verbArgs("c1", "eth0", withNull), cmdCheck)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig))
		Expect(err).To(MatchError("check: invalid prevResult.ips[0]: null"))
	})

	It("a repeated ADD of the same attachment fails as upstream's does and keeps the first allocation", func() {
		conf := dualStack("1.1.0")
		_, _, err := testutils.CmdAdd(verbArgs("c1", "eth0", conf), cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		_, _, err = testutils.CmdAdd(verbArgs("c1", "eth0", conf), cmdAdd)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInternal))
		Expect(err).To(MatchError("failed to allocate for range 0: 192.0.2.10 has been allocated to c1, duplicate allocation is not allowed"))
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.10", "2001:db8::2"}))
		_, _, err = testutils.CmdAdd(verbArgs("c1", "eth1", conf), cmdAdd)
		Expect(err).NotTo(HaveOccurred(), "another interface of the container is another attachment")
	})

	It("ADD honours requested addresses and reports taken ones", func() {
		conf := dualStack("1.1.0")
		args := verbArgs("c1", "eth0", conf)
		args.Args = "IP=192.0.2.77,2001:db8::77"
		res, _, err := testutils.CmdAdd(args, cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		cur, _ := current.NewResultFromResult(res)
		Expect(cur.IPs[0].Address.IP.String()).To(Equal("192.0.2.77"))
		Expect(cur.IPs[1].Address.IP.String()).To(Equal("2001:db8::77"))
		args = verbArgs("c2", "eth0", conf)
		args.Args = "IP=192.0.2.77"
		_, _, err = testutils.CmdAdd(args, cmdAdd)
		Expect(err).To(MatchError("requested address 192.0.2.77 is already allocated to container c1 interface eth0"))
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.77", "2001:db8::77"}), "nothing left by the failed ADD")
	})

	It("DEL releases the attachment with every config ADD refuses", func() {
		n := 0
		for _, c := range refusedConfigs {
			var ipam map[string]any
			if json.Unmarshal([]byte(c.ipam), &ipam) != nil || ipam == nil {
				continue // "not JSON" and "no ipam": nothing names the store
			}
			n++
			_, _, err := testutils.CmdAdd(verbArgs("c1", "eth0", dualStack("1.1.0")), cmdAdd)
			Expect(err).NotTo(HaveOccurred(), c.name)
			Expect(records(dataDir)).To(HaveLen(2), c.name)
			ipam["dataDir"] = dataDir
			edited, err := json.Marshal(ipam)
			Expect(err).NotTo(HaveOccurred())
			args := verbArgs("c1", "eth0", netJSON(c.ver, c.extra, string(edited)))
			args.Args = c.args
			_, _, err = testutils.CmdAdd(args, cmdAdd)
			Expect(testutils.ErrCode(err)).To(Equal(c.code), "%s: ADD refuses the config: %v", c.name, err)
			Expect(testutils.CmdDel(args, cmdDel)).To(Succeed(), c.name)
			Expect(records(dataDir)).To(BeEmpty(), c.name)
		}
		Expect(n).To(Equal(len(refusedConfigs) - 2))
	})

	It("GC releases exactly the attachments not listed as valid", func() {
		conf := dualStack("1.1.0")
		for _, id := range []string{"c1", "c2", "c3", "c4"} {
			_, _, err := testutils.CmdAdd(verbArgs(id, "eth0", conf), cmdAdd)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(records(dataDir)).To(HaveLen(8))
		var m map[string]any
		Expect(json.Unmarshal(conf, &m)).To(Succeed())
		m["cni.dev/valid-attachments"] = []map[string]string{
			{"containerID": "c1", "ifname": "eth0"}, {"containerID": "c3", "ifname": "eth0"},
			{"containerID": "c2", "ifname": "eth9"},
		}
		gcConf, err := json.Marshal(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(testutils.CmdGC(verbArgs("", "", gcConf), cmdGC)).To(Succeed())
		// c1 got .10/::2, c2 .11/::3, c3 .12/::4, c4 .13/::5
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.10", "192.0.2.12", "2001:db8::2", "2001:db8::4"}))
	})

	It("STATUS fails with code 50 while the range is exhausted", func() {
		conf := netJSON("1.1.0", "", fmt.Sprintf(`{"type":"host-local","dataDir":%q,"subnet":"192.0.2.0/29","rangeStart":"192.0.2.5"}`, dataDir))
		Expect(testutils.CmdStatus(verbArgs("", "", conf), cmdStatus)).To(Succeed())
		for _, id := range []string{"c1", "c2"} { // .5, .6
			_, _, err := testutils.CmdAdd(verbArgs(id, "eth0", conf), cmdAdd)
			Expect(err).NotTo(HaveOccurred())
		}
		err := testutils.CmdStatus(verbArgs("", "", conf), cmdStatus)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrPluginNotAvailable), "error %v", err)
		_, _, err = testutils.CmdAdd(verbArgs("c3", "eth0", conf), cmdAdd)
		Expect(err).To(MatchError(ContainSubstring("no free address in range set 0")))
		Expect(testutils.CmdDel(verbArgs("c1", "eth0", conf), cmdDel)).To(Succeed())
		Expect(testutils.CmdStatus(verbArgs("", "", conf), cmdStatus)).To(Succeed())
	})

	It("rejects a network name that escapes dataDir with code 7 and writes nothing", func() {
		parent := filepath.Dir(dataDir)
		conf := []byte(fmt.Sprintf(`{"cniVersion":"1.1.0","name":"../escaped","ipam":{"type":"host-local","dataDir":%q,"subnet":"192.0.2.0/24"}}`, dataDir))
		_, _, err := testutils.CmdAdd(verbArgs("c1", "eth0", conf), cmdAdd)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig), "error %v", err)
		for _, f := range []func(*skel.CmdArgs) error{cmdDel, cmdGC, cmdStatus} {
			Expect(testutils.ErrCode(f(verbArgs("c1", "eth0", conf)))).To(Equal(types.ErrInvalidNetworkConfig))
		}
		entries, err := os.ReadDir(parent)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(BeEmpty())
	})

	It("keeps serving other containers when a record is garbage", func() {
		conf := dualStack("1.1.0")
		dir := filepath.Join(dataDir, "net1")
		Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "192.0.2.10"), []byte(`{"ip":"192.0.2.10","conta`), 0o600)).To(Succeed())
		res, _, err := testutils.CmdAdd(verbArgs("c2", "eth0", conf), cmdAdd)
		Expect(err).NotTo(HaveOccurred())
		cur, _ := current.NewResultFromResult(res)
		Expect(cur.IPs[0].Address.IP.String()).To(Equal("192.0.2.11"))
		Expect(testutils.CmdDel(verbArgs("c2", "eth0", conf), cmdDel)).To(Succeed())
		Expect(records(dataDir)).To(Equal([]string{"192.0.2.10"}))
	})
})
