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

package sysctl_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

var _ = DescribeTable("Path",
	func(key, want, wantErr string) {
		got, err := sysctl.Path(key)
		if wantErr != "" {
			Expect(err).To(MatchError(ContainSubstring(wantErr)), "Path(%q) = %q", key, got)
			return
		}
		Expect(err).NotTo(HaveOccurred(), "Path(%q)", key)
		Expect(got).To(Equal(want), "Path(%q)", key)
	},
	Entry("dotted", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", ""),
	Entry("slashed", "net/ipv4/ip_forward", "/proc/sys/net/ipv4/ip_forward", ""),
	Entry("leading slash", "/net/ipv4/ip_forward", "/proc/sys/net/ipv4/ip_forward", ""),
	Entry("surrounding space", " net.ipv6.conf.all.forwarding\n", "/proc/sys/net/ipv6/conf/all/forwarding", ""),
	Entry("slashed interface name with a dot", "net/ipv4/conf/eth0.100/forwarding",
		"/proc/sys/net/ipv4/conf/eth0.100/forwarding", ""),
	Entry("slashed interface name with two dots", "net/ipv6/conf/bond0.10.20/accept_ra",
		"/proc/sys/net/ipv6/conf/bond0.10.20/accept_ra", ""),
	// A dotted key cannot name such an interface: every dot is a separator.
	Entry("dotted interface name splits", "net.ipv4.conf.eth0.100.forwarding",
		"/proc/sys/net/ipv4/conf/eth0/100/forwarding", ""),
	Entry("empty", "", "", "is empty"),
	Entry("blank", "  ", "", "is empty"),
	Entry("parent escape", "../../etc/passwd", "", "leaves /proc/sys"),
	Entry("escape after a component", "net/../../etc/shadow", "", "leaves /proc/sys"),
	Entry("dots only", "..", "", "leaves /proc/sys"),
	Entry("the root itself", "net/..", "", "leaves /proc/sys"),
	Entry("a sibling with a common prefix", "../sysrq", "", "leaves /proc/sys"),
)
