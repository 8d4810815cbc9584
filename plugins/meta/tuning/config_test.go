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
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("config", func() {
	resolve := func(stdin, cniArgs string) (*settings, error) {
		conf, _, err := loadConf([]byte(stdin))
		if err != nil {
			return nil, err
		}
		return conf.resolve(cniArgs, "eth0")
	}

	It("takes the MAC from args.cni, then runtimeConfig, then CNI_ARGS, then the config", func() {
		conf := `{"cniVersion":"1.0.0","name":"n","type":"tuning","mac":"02:00:00:00:00:01"`
		for _, c := range []struct{ stdin, cniArgs, want string }{
			{conf + `}`, "", "02:00:00:00:00:01"},
			{conf + `}`, "IgnoreUnknown=1;MAC=02:00:00:00:00:02", "02:00:00:00:00:02"},
			{conf + `,"runtimeConfig":{"mac":"02:00:00:00:00:04"}}`, "MAC=02:00:00:00:00:02", "02:00:00:00:00:04"},
			{conf + `,"runtimeConfig":{"mac":"02:00:00:00:00:04"},"args":{"cni":{"mac":"02:00:00:00:00:03"}}}`,
				"MAC=02:00:00:00:00:02", "02:00:00:00:00:03"},
		} {
			s, err := resolve(c.stdin, c.cniArgs)
			Expect(err).NotTo(HaveOccurred())
			Expect(s.mac.String()).To(Equal(c.want), "resolve(%s, %q)", c.stdin, c.cniArgs)
		}
	})

	It("lets args.cni override every field and merge into sysctl", func() {
		s, err := resolve(`{"cniVersion":"1.0.0","name":"n","type":"tuning","mtu":1400,"promisc":true,"txQLen":5,
			"sysctl":{"net.core.somaxconn":"123","net.ipv4.conf.IFNAME.arp_filter":"1"},
			"args":{"cni":{"mtu":1300,"promisc":false,"allmulti":true,"txQLen":77,"sysctl":{"net.core.somaxconn":"321"}}}}`, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(s.mtu).To(Equal(1300))
		Expect(s.promisc).To(BeFalse())
		Expect(*s.allMulti).To(BeTrue())
		Expect(*s.txQLen).To(Equal(77))
		Expect(s.sysctls).To(Equal([]sysctlSetting{
			{Key: "net.core.somaxconn", Path: "net/core/somaxconn", Value: "321"},
			{Key: "net.ipv4.conf.IFNAME.arp_filter", Path: "net/ipv4/conf/eth0/arp_filter", Value: "1"},
		}))
	})

	DescribeTable("sysctl keys",
		func(key, ifName, want string) {
			got, err := sysctlPath(key, ifName)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want), "sysctlPath(%q, %q)", key, ifName)
		},
		Entry("dots", "net.core.somaxconn", "eth0", "net/core/somaxconn"),
		Entry("slashes", "net/core/somaxconn", "eth0", "net/core/somaxconn"),
		Entry("IFNAME", "net.ipv4.conf.IFNAME.arp_filter", "eth0", "net/ipv4/conf/eth0/arp_filter"),
		Entry("IFNAME with a dot in the name", "net.ipv4.conf.IFNAME.arp_filter", "eth0.100", "net/ipv4/conf/eth0.100/arp_filter"),
		Entry("slashes keep dots", "net/ipv4/conf/eth0.100/arp_filter", "eth0", "net/ipv4/conf/eth0.100/arp_filter"),
	)

	DescribeTable("invalid configs",
		func(stdin, cniArgs string, wantCode uint, wantMsg string) {
			_, err := resolve(stdin, cniArgs)
			Expect(err).To(HaveOccurred())
			Expect(testutils.ErrCode(err)).To(Equal(wantCode), "error %v", err)
			Expect(err.Error()).To(ContainSubstring(wantMsg))
		},
		Entry("sysctl outside net", `{"cniVersion":"1.0.0","name":"n","type":"tuning","sysctl":{"kernel.shmmax":"1"}}`, "",
			uint(types.ErrInvalidNetworkConfig), `invalid sysctl key "kernel.shmmax": only net.*`),
		Entry("sysctl climbing out", `{"cniVersion":"1.0.0","name":"n","type":"tuning","sysctl":{"net/core/../../kernel/shmmax":"1"}}`, "",
			uint(types.ErrInvalidNetworkConfig), `empty, . or .. component`),
		Entry("the same sysctl twice", `{"cniVersion":"1.0.0","name":"n","type":"tuning","sysctl":{"net.core.somaxconn":"1","net/core/somaxconn":"2"}}`, "",
			uint(types.ErrInvalidNetworkConfig), `names the same file as`),
		Entry("a duplicated sysctl key", `{"cniVersion":"1.0.0","name":"n","type":"tuning","sysctl":{"net.core.somaxconn":"1","net.core.somaxconn":"2"}}`, "",
			uint(types.ErrDecodingFailure), `duplicated sysctl key "net.core.somaxconn"`),
		Entry("a sysctl value that is not a string", `{"cniVersion":"1.0.0","name":"n","type":"tuning","sysctl":{"net.core.somaxconn":1}}`, "",
			uint(types.ErrDecodingFailure), `value must be a string`),
		Entry("negative mtu", `{"cniVersion":"1.0.0","name":"n","type":"tuning","mtu":-1}`, "",
			uint(types.ErrInvalidNetworkConfig), "invalid mtu -1"),
		Entry("negative txQLen", `{"cniVersion":"1.0.0","name":"n","type":"tuning","txQLen":-1}`, "",
			uint(types.ErrInvalidNetworkConfig), "invalid txQLen -1"),
		Entry("bad mac", `{"cniVersion":"1.0.0","name":"n","type":"tuning","mac":"zz"}`, "",
			uint(types.ErrInvalidNetworkConfig), `invalid mac "zz" from config mac`),
		Entry("bad CNI_ARGS MAC", `{"cniVersion":"1.0.0","name":"n","type":"tuning"}`, "MAC=zz",
			uint(types.ErrInvalidNetworkConfig), `from CNI_ARGS MAC`),
		Entry("unknown CNI_ARGS key", `{"cniVersion":"1.0.0","name":"n","type":"tuning"}`, "FOO=1",
			uint(types.ErrInvalidNetworkConfig), `FOO`),
		Entry("null sysctl in args.cni is no sysctl", `{"cniVersion":"1.0.0","name":"n","type":"tuning","args":{"cni":{"sysctl":null}},"mtu":-2}`, "",
			uint(types.ErrInvalidNetworkConfig), "invalid mtu -2"),
	)

	Describe("the allowlist", func() {
		write := func(content string) string {
			p := filepath.Join(GinkgoT().TempDir(), "allowlist.conf")
			Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
			return p
		}
		keys := func(ks ...string) []sysctlSetting {
			var out []sysctlSetting
			for _, k := range ks {
				out = append(out, sysctlSetting{Key: k})
			}
			return out
		}

		It("allows everything when the file is absent", func() {
			Expect(checkAllowed(keys("net.ipv4.ip_forward"), filepath.Join(GinkgoT().TempDir(), "none"))).To(Succeed())
		})
		It("matches the key as written, IFNAME included, anywhere unless anchored", func() {
			p := write("^net\\.ipv4\\.conf\\.IFNAME\\.[a-z_]*$\n\nnet.core\n")
			Expect(checkAllowed(keys("net.ipv4.conf.IFNAME.arp_filter", "net.core.somaxconn"), p)).To(Succeed())
			err := checkAllowed(keys("net/ipv4/conf/IFNAME/arp_filter"), p)
			Expect(testutils.ErrCode(err)).To(Equal(uint(types.ErrInvalidNetworkConfig)), "error %v", err)
			Expect(err).To(MatchError(ContainSubstring(`sysctl "net/ipv4/conf/IFNAME/arp_filter" is not allowed by ` + p)))
		})
		It("allows nothing when the file is empty", func() {
			Expect(checkAllowed(keys("net.core.somaxconn"), write(""))).To(MatchError(ContainSubstring("is not allowed")))
		})
		It("refuses a bad expression, but only when there are sysctls", func() {
			p := write("[invalid\n")
			Expect(checkAllowed(keys("net.core.somaxconn"), p)).To(MatchError(ContainSubstring("missing closing ]")))
			Expect(checkAllowed(nil, p)).To(Succeed())
		})
	})
})
