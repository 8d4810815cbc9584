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
	"errors"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// netnsSpecs check that ADD and DEL refuse a CNI_NETNS that is the
// plugin's own namespace before they change anything (cni's skel checks
// only after the verb has run).
func netnsSpecs(newFixture func() *Fixture) {
	var f *Fixture
	BeforeEach(func() { f = newFixture() })

	refused := func(err error) {
		GinkgoHelper()
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "want a CNI error, got %v", err)
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetNS)))
		Expect(e.Msg).To(Equal("plugin's netns and netns from CNI_NETNS should not be the same"))
	}

	It("refuses an ADD into the plugin's own namespace and changes nothing", func() {
		host, cont := f.Snapshots()
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": StaticIPAM(V4Addr, nil)}), "")
		args.Netns = f.HostNS.Path()
		_, err := f.Add(args)
		refused(err)
		h, c := f.Snapshots()
		Expect(h).To(Equal(host))
		Expect(c).To(Equal(cont))
	})

	It("refuses a DEL in the plugin's own namespace before deleting anything", func() {
		// Named like the master, the interface the DEL would delete is
		// the host's own.
		host, _ := f.Snapshots()
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": StaticIPAM(V4Addr, nil)}), "")
		args.Netns, args.IfName = f.HostNS.Path(), MasterName
		refused(f.Del(args))
		h, _ := f.Snapshots()
		Expect(h).To(Equal(host))
	})

	It("lets CNI_NETNS_OVERRIDE allow the plugin's own namespace", func() {
		args := f.Args(f.Conf("1.1.0", map[string]any{"master": MasterName, "ipam": StaticIPAM(V4Addr, nil)}), "")
		args.Netns, args.IfName, args.NetnsOverride = f.HostNS.Path(), "ovr0", "true"
		Expect(f.Del(args)).To(Succeed(), "a DEL of a missing link succeeds")
	})
}
