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

package linktest

import (
	"os"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// Refused is a config ADD refuses: Fields laid over a good config (a
// master and host-local IPAM, or no IPAM with NoIPAM), with CNI_ARGS
// CNIArgs; ADD fails with Code and a message containing Msg.
type Refused struct {
	Name    string
	Fields  map[string]any
	CNIArgs string
	Code    uint
	Msg     string
	// NoIPAM leaves IPAM out: the IPAM plugin's own DEL reads what it
	// reads of the config.
	NoIPAM bool
	// Version is the config's cniVersion; empty is 1.1.0.
	Version string
}

// CommonRefused are configs every link plugin's ADD refuses.
var CommonRefused = []Refused{
	{"unknown mode", map[string]any{"mode": "bogus"}, "", uint(types.ErrInvalidNetworkConfig), `invalid mode "bogus"`, false, ""},
	{"negative mtu", map[string]any{"mtu": -1}, "", uint(types.ErrInvalidNetworkConfig), "invalid mtu -1", false, ""},
	{"mtu larger than the master's", map[string]any{"mtu": 9000}, "", uint(types.ErrInvalidNetworkConfig), "invalid mtu 9000", false, ""},
	{"unknown master", map[string]any{"master": "nosuch0"}, "", uint(types.ErrInvalidNetworkConfig), `master "nosuch0" not found`, false, ""},
	{"undecodable mtu", map[string]any{"mtu": "big"}, "", uint(types.ErrDecodingFailure), "decode network config", false, ""},
	{"undecodable prevResult", map[string]any{"prevResult": map[string]any{"cniVersion": "1.1.0", "ips": 7}}, "",
		uint(types.ErrDecodingFailure), "prevResult", true, ""},
	{"null element of a 0.4.0 prevResult", map[string]any{"prevResult": map[string]any{"cniVersion": "0.4.0", "interfaces": []any{nil}}}, "",
		uint(types.ErrInvalidNetworkConfig), "prevResult: interfaces[0] is null", true, "0.4.0"},
}

// HostLocalIPAM is a host-local ipam block on 192.0.2.0/24 whose records
// live in dataDir.
func HostLocalIPAM(dataDir string) map[string]any {
	return map[string]any{"type": "host-local", "subnet": "192.0.2.0/24", "dataDir": dataDir}
}

// Reservations returns the names of host-local's reservation files in
// dataDir for the fixture's network: its lock and last_reserved_ip files
// are not reservations.
func Reservations(dataDir string) []string {
	GinkgoHelper()
	entries, err := os.ReadDir(dataDir + "/testnet")
	if os.IsNotExist(err) {
		return nil
	}
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, e := range entries {
		if e.Name() != "lock" && !strings.HasPrefix(e.Name(), "last_reserved_ip") {
			out = append(out, e.Name())
		}
	}
	return out
}

// with returns base with fields laid over it.
func with(base, fields map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(fields))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// RefusedSpecs registers, for each config of refused, the specs of DEL's
// leniency: ADD refuses the config and leaves nothing; the runtime's
// cleanup DEL of that config succeeds, and so do GC and STATUS; DEL of that config after a good
// ADD (the config was edited since) deletes the link and releases the
// host-local reservation; and DEL succeeds again as containerd repeats
// it, without CNI_NETNS or prevResult. Call it inside the plugin's
// Describe.
func RefusedSpecs(newFixture func() *Fixture, refused []Refused) {
	var (
		f   *Fixture
		dir string
	)
	BeforeEach(func() {
		f = newFixture()
		dir = GinkgoT().TempDir()
	})
	for _, r := range refused {
		It("deletes with a config ADD refuses: "+r.Name, func() {
			good := map[string]any{"master": MasterName}
			if !r.NoIPAM {
				good["ipam"] = HostLocalIPAM(dir)
			}
			ver := r.Version
			if ver == "" {
				ver = "1.1.0"
			}
			bad := f.Args(f.Conf(ver, with(good, r.Fields)), r.CNIArgs)

			host, cont := f.Snapshots()
			_, err := f.Add(bad)
			Expect(err).To(MatchError(ContainSubstring(r.Msg)))
			Expect(testutils.ErrCode(err)).To(Equal(r.Code), "ADD error %v", err)
			h, c := f.Snapshots()
			Expect(h).To(Equal(host))
			Expect(c).To(Equal(cont))
			Expect(Reservations(dir)).To(BeEmpty())
			Expect(f.Del(bad)).To(Succeed(), "cleanup DEL after the refused ADD")
			// GC and STATUS read what DEL reads, as upstream's; the spec
			// gives them no CNI_ARGS.
			gc := *bad
			gc.Args = ""
			Expect(f.GCAndStatus(&gc)).To(Succeed())

			args := f.Args(f.Conf("1.1.0", good), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			if !r.NoIPAM {
				Expect(Reservations(dir)).To(HaveLen(1))
			}
			// The runtime sends the config as it is now, and its args.
			edited := *bad
			edited.StdinData = WithPrev(bad, res).StdinData
			if _, ok := r.Fields["prevResult"]; ok {
				edited.StdinData = bad.StdinData
			}
			Expect(f.Del(&edited)).To(Succeed())
			f.ContHasNoLink()
			Expect(Reservations(dir)).To(BeEmpty())
			h, c = f.Snapshots()
			Expect(h).To(Equal(host))
			Expect(c).To(Equal(cont))

			again := *bad
			again.Netns = ""
			Expect(f.Del(&again)).To(Succeed(), "repeated DEL without CNI_NETNS")
		})
	}
}

// compatSpecs check behaviors that follow upstream's plugins.
func compatSpecs(newFixture func() *Fixture) {
	var f *Fixture
	BeforeEach(func() { f = newFixture() })

	It("refuses a CNI_IFNAME with % with code 4 and leaves nothing", func() {
		dir := GinkgoT().TempDir()
		host, cont := f.Snapshots()
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": HostLocalIPAM(dir)}), "")
		args.IfName = "eth%d"
		_, err := f.Add(args)
		Expect(err).To(MatchError(ContainSubstring(`invalid interface name "eth%d"`)))
		Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidEnvironmentVariables)))
		h, c := f.Snapshots()
		Expect(h).To(Equal(host))
		Expect(c).To(Equal(cont))
		Expect(Reservations(dir)).To(BeEmpty())
		Expect(f.Del(args)).To(Succeed())
	})

	It("gives the link the kernel's default txqueuelen, 1000", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.ContLink().Attrs().TxQLen).To(Equal(1000))
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})

	ipamDNS := map[string]any{"nameservers": []string{"198.51.100.53"}, "search": []string{"ipam.example"}}
	DescribeTable("takes the config's dns unless it is empty, then the IPAM plugin's",
		func(dns map[string]any, want types.DNS) {
			ipam := StaticIPAM(V4Addr, nil)
			ipam["dns"] = ipamDNS
			fields := map[string]any{"master": MasterName, "ipam": ipam}
			if dns != nil {
				fields["dns"] = dns
			}
			args := f.Args(f.Conf("1.1.0", fields), "")
			res, err := f.Add(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(AsCurrent(res).DNS).To(Equal(want))
			Expect(f.Del(WithPrev(args, res))).To(Succeed())
		},
		Entry("no config dns", nil, types.DNS{Nameservers: []string{"198.51.100.53"}, Search: []string{"ipam.example"}}),
		Entry("empty config dns", map[string]any{}, types.DNS{Nameservers: []string{"198.51.100.53"}, Search: []string{"ipam.example"}}),
		Entry("config nameservers", map[string]any{"nameservers": []string{"192.0.2.53"}}, types.DNS{Nameservers: []string{"192.0.2.53"}}),
		Entry("config domain only", map[string]any{"domain": "example.com"}, types.DNS{Domain: "example.com"}),
		Entry("config options only", map[string]any{"options": []string{"ndots:2"}}, types.DNS{Options: []string{"ndots:2"}}),
	)
}

// noIPSpecs check ADD with an IPAM plugin that succeeds without an IP
// configuration, or with null list elements: ADD fails and leaves
// nothing, and the IPAM plugin's DEL was called.
func noIPSpecs(newFixture func() *Fixture) {
	var (
		f   *Fixture
		dir string
	)
	BeforeEach(func() {
		f = newFixture()
		dir = GinkgoT().TempDir()
		GinkgoT().Setenv("CNI_PATH", dir+":"+os.Getenv("CNI_PATH"))
	})
	DescribeTable("fails ADD and cleans up when the IPAM plugin succeeds with",
		func(output, msg string) {
			script := "#!/bin/sh\ncat >/dev/null\necho \"$CNI_COMMAND\" >> \"$(dirname \"$0\")/log\"\n" +
				"[ \"$CNI_COMMAND\" = ADD ] && cat <<'EOF'\n" + output + "\nEOF\nexit 0\n"
			Expect(os.WriteFile(dir+"/fake", []byte(script), 0o755)).To(Succeed())
			host, cont := f.Snapshots()
			args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": map[string]any{"type": "fake"}}), "")
			_, err := f.Add(args)
			Expect(err).To(MatchError(ContainSubstring(msg)))
			h, c := f.Snapshots()
			Expect(h).To(Equal(host))
			Expect(c).To(Equal(cont))
			log, err := os.ReadFile(dir + "/log")
			Expect(err).NotTo(HaveOccurred())
			Expect(string(log)).To(Equal("ADD\nDEL\n"))
		},
		Entry("an error object", `{"code":7,"msg":"nope"}`, "IPAM plugin returned missing IP config"),
		Entry("an empty object", `{}`, "IPAM plugin returned missing IP config"),
		Entry("a 0.1.0 result without version", `{"ip4":{"ip":"192.0.2.10/24"}}`, "IPAM plugin returned missing IP config"),
		Entry("routes only", `{"cniVersion":"1.1.0","routes":[{"dst":"0.0.0.0/0"}]}`, "IPAM plugin returned missing IP config"),
		Entry("a null ips element", `{"cniVersion":"1.1.0","ips":[null]}`, "result of ipam plugin fake: ips[0] is null"),
		Entry("a null routes element", `{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24"}],"routes":[null]}`,
			"result of ipam plugin fake: routes[0] is null"),
		Entry("a null 0.4.0 interfaces element", `{"cniVersion":"0.4.0","interfaces":[null],"ips":[{"version":"4","address":"192.0.2.10/24"}]}`,
			"result of ipam plugin fake: interfaces[0] is null"),
	)

	It("fails CHECK on a prevResult with null elements with code 7", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName}), "")
		res, err := f.Add(args)
		Expect(err).NotTo(HaveOccurred())
		for _, prev := range []map[string]any{
			{"cniVersion": "1.1.0", "interfaces": []any{nil}},
			{"cniVersion": "1.1.0", "ips": []any{nil}},
			{"cniVersion": "0.4.0", "routes": []any{nil}},
		} {
			check := &skel.CmdArgs{}
			*check = *args
			check.StdinData = f.Conf(prev["cniVersion"].(string), map[string]any{"master": MasterName, "prevResult": prev})
			err := f.Check(check)
			Expect(err).To(MatchError(ContainSubstring("is null")), "prevResult %v", prev)
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		}
		Expect(f.Del(WithPrev(args, res))).To(Succeed())
	})
}
