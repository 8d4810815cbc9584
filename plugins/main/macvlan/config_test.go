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
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("loadConf", func() {
	load := func(stdin, cniArgs string) (*NetConf, error) {
		conf, _, err := loadConf(&skel.CmdArgs{StdinData: []byte(stdin), Args: cniArgs})
		return conf, err
	}

	DescribeTable("modes",
		func(mode string, want netlink.MacvlanMode) {
			conf, err := load(`{"cniVersion":"1.1.0","name":"n","type":"macvlan","mode":"`+mode+`"}`, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(conf.mode).To(Equal(want), "mode %q", mode)
		},
		Entry("default is bridge", "", netlink.MACVLAN_MODE_BRIDGE),
		Entry("bridge", "bridge", netlink.MACVLAN_MODE_BRIDGE),
		Entry("private", "private", netlink.MACVLAN_MODE_PRIVATE),
		Entry("vepa", "vepa", netlink.MACVLAN_MODE_VEPA),
		Entry("passthru", "passthru", netlink.MACVLAN_MODE_PASSTHRU),
	)

	DescribeTable("invalid configs",
		func(stdin, cniArgs string, wantCode uint, wantMsg string) {
			_, err := load(stdin, cniArgs)
			Expect(err).To(HaveOccurred())
			Expect(testutils.ErrCode(err)).To(Equal(wantCode), "error %v", err)
			Expect(err.Error()).To(ContainSubstring(wantMsg))
		},
		Entry("unknown mode", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","mode":"source"}`, "",
			uint(types.ErrInvalidNetworkConfig), `invalid mode "source"`),
		Entry("negative mtu", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","mtu":-1}`, "",
			uint(types.ErrInvalidNetworkConfig), "invalid mtu -1"),
		Entry("bad config mac", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","mac":"zz"}`, "",
			uint(types.ErrInvalidNetworkConfig), `invalid mac "zz" from config mac`),
		Entry("multicast runtimeConfig mac", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","runtimeConfig":{"mac":"01:00:5e:00:00:01"}}`, "",
			uint(types.ErrInvalidNetworkConfig), "from runtimeConfig mac: multicast address"),
		Entry("bad CNI_ARGS mac", `{"cniVersion":"1.1.0","name":"n","type":"macvlan"}`, "MAC=nope",
			uint(types.ErrInvalidNetworkConfig), "from CNI_ARGS MAC"),
		Entry("unknown CNI_ARGS key", `{"cniVersion":"1.1.0","name":"n","type":"macvlan"}`, "FOO=bar",
			uint(types.ErrInvalidNetworkConfig), "FOO"),
		Entry("undecodable", `{"cniVersion":"1.1.0","name":"n","type":"macvlan","mtu":"big"}`, "",
			uint(types.ErrDecodingFailure), "decode network config"),
	)

	const (
		confMAC    = "02:00:00:00:00:01"
		envMAC     = "02:00:00:00:00:02"
		argsMAC    = "02:00:00:00:00:03"
		runtimeMAC = "02:00:00:00:00:04"
	)
	DescribeTable("MAC precedence: runtimeConfig, CNI_ARGS MAC, config; args.cni.mac ignored, as upstream",
		func(withConf, withEnv, withArgs, withRuntime bool, want string) {
			stdin := `{"cniVersion":"1.1.0","name":"n","type":"macvlan"`
			if withConf {
				stdin += `,"mac":"` + confMAC + `"`
			}
			if withArgs {
				stdin += `,"args":{"cni":{"mac":"` + argsMAC + `"}}`
			}
			if withRuntime {
				stdin += `,"runtimeConfig":{"mac":"` + runtimeMAC + `"}`
			}
			stdin += "}"
			cniArgs := "IgnoreUnknown=1;K8S_POD_NAME=p"
			if withEnv {
				cniArgs += ";MAC=" + envMAC
			}
			conf, err := load(stdin, cniArgs)
			Expect(err).NotTo(HaveOccurred())
			if want == "" {
				Expect(conf.mac).To(BeNil())
				return
			}
			Expect(conf.mac.String()).To(Equal(want))
		},
		Entry("none", false, false, false, false, ""),
		Entry("config only", true, false, false, false, confMAC),
		Entry("CNI_ARGS beats config", true, true, false, false, envMAC),
		Entry("args.cni.mac is ignored", true, true, true, false, envMAC),
		Entry("args.cni.mac alone is ignored", false, false, true, false, ""),
		Entry("runtimeConfig beats everything", true, true, true, true, runtimeMAC),
		Entry("runtimeConfig alone", false, false, false, true, runtimeMAC),
	)

	It("parses only the MAC source that wins", func() {
		conf, err := load(`{"cniVersion":"1.1.0","name":"n","type":"macvlan","mac":"zz","args":{"cni":{"mac":"ignored"}},"runtimeConfig":{"mac":"`+runtimeMAC+`"}}`, "MAC=bad")
		Expect(err).NotTo(HaveOccurred())
		Expect(conf.mac.String()).To(Equal(runtimeMAC))
	})
})
