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

package ip_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("link helpers", func() {
	var a, b ns.NetNS

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		a = testutils.NewNSForSpec()
		b = testutils.NewNSForSpec()
		addVethPair(a, "link0", b, "link1")
	})

	It("DelLinkByName deletes a link (and so its veth peer)", func() {
		Expect(a.Do(func(ns.NetNS) error {
			return ip.DelLinkByName(nil, "link0")
		})).To(Succeed())
		Expect(linkNames(a)).To(Equal([]string{"lo"}))
		Expect(linkNames(b)).To(Equal([]string{"lo"}))
	})

	It("DelLinkByName on a missing link wraps ErrLinkNotFound", func() {
		err := a.Do(func(ns.NetNS) error {
			h, err := netlinksafe.NewHandle()
			if err != nil {
				return err
			}
			defer h.Close()
			return ip.DelLinkByName(h, "missing0")
		})
		Expect(err).To(HaveOccurred())
		Expect(errors.Is(err, ip.ErrLinkNotFound)).To(BeTrue(), "errors.Is(%v, ErrLinkNotFound) = false", err)
		Expect(err.Error()).To(Equal("delete link missing0: link not found"))
		// The link of that name in the other namespace is not touched.
		Expect(linkNames(a)).To(ContainElement("link0"))
	})

	It("SetHWAddr sets the MAC of a link", func() {
		mac := mustMAC("02:00:00:00:00:42")
		Expect(a.Do(func(ns.NetNS) error {
			h, err := netlinksafe.NewHandle()
			if err != nil {
				return err
			}
			defer h.Close()
			return ip.SetHWAddr(h, "link0", mac)
		})).To(Succeed())
		Expect(linkIn(a, "link0").Attrs().HardwareAddr).To(Equal(mac))
	})

	It("SetHWAddr on a missing link wraps ErrLinkNotFound", func() {
		err := a.Do(func(ns.NetNS) error {
			return ip.SetHWAddr(nil, "missing0", mustMAC("02:00:00:00:00:42"))
		})
		Expect(errors.Is(err, ip.ErrLinkNotFound)).To(BeTrue(), "errors.Is(%v, ErrLinkNotFound) = false", err)
		Expect(err).To(MatchError(ContainSubstring("missing0")))
	})
})
