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
	load := func(stdin string) (*NetConf, error) {
		conf, _, err := loadConf(&skel.CmdArgs{StdinData: []byte(stdin)})
		return conf, err
	}

	DescribeTable("modes",
		func(mode string, want netlink.IPVlanMode) {
			conf, err := load(`{"cniVersion":"1.1.0","name":"n","type":"ipvlan","mode":"` + mode + `"}`)
			Expect(err).NotTo(HaveOccurred())
			Expect(conf.mode).To(Equal(want), "mode %q", mode)
		},
		Entry("default is l2", "", netlink.IPVLAN_MODE_L2),
		Entry("l2", "l2", netlink.IPVLAN_MODE_L2),
		Entry("l3", "l3", netlink.IPVLAN_MODE_L3),
		Entry("l3s", "l3s", netlink.IPVLAN_MODE_L3S),
	)

	DescribeTable("invalid configs",
		func(stdin string, wantCode uint, wantMsg string) {
			_, err := load(stdin)
			Expect(err).To(HaveOccurred())
			Expect(testutils.ErrCode(err)).To(Equal(wantCode), "error %v", err)
			Expect(err.Error()).To(ContainSubstring(wantMsg))
		},
		Entry("unknown mode", `{"cniVersion":"1.1.0","name":"n","type":"ipvlan","mode":"l4"}`,
			uint(types.ErrInvalidNetworkConfig), `invalid mode "l4"`),
		Entry("negative mtu", `{"cniVersion":"1.1.0","name":"n","type":"ipvlan","mtu":-5}`,
			uint(types.ErrInvalidNetworkConfig), "invalid mtu -5"),
		Entry("undecodable", `{"cniVersion":"1.1.0","name":"n","type":"ipvlan","mode":7}`,
			uint(types.ErrDecodingFailure), "decode network config"),
		Entry("bad prevResult", `{"cniVersion":"1.1.0","name":"n","type":"ipvlan","prevResult":{"ips":7}}`,
			uint(types.ErrDecodingFailure), "prevResult"),
	)
})
