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

package link_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/link"
)

var _ = Describe("Kind.ModeName", func() {
	// ModeName needs only the mode names.
	kind := link.Kind[*netlink.IPVlan, netlink.IPVlanMode]{Modes: map[string]netlink.IPVlanMode{
		"": netlink.IPVLAN_MODE_L2, "l2": netlink.IPVLAN_MODE_L2, "l3": netlink.IPVLAN_MODE_L3,
	}}
	DescribeTable("spells a mode as the config does",
		func(mode netlink.IPVlanMode, want string) {
			Expect(kind.ModeName(mode)).To(Equal(want), "ModeName(%d)", mode)
		},
		Entry("the default by its name, not the empty one", netlink.IPVLAN_MODE_L2, "l2"),
		Entry("another mode", netlink.IPVLAN_MODE_L3, "l3"),
		Entry("a mode the config cannot name, by number", netlink.IPVLAN_MODE_L3S, "mode 2"),
	)
})
