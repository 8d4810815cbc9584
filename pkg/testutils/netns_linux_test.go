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

package testutils_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

func nsInode(n ns.NetNS) uint64 {
	GinkgoHelper()
	var ino uint64
	Expect(n.Do(func(ns.NetNS) error {
		var err error
		ino, err = testutils.ThreadNSInode()
		return err
	})).To(Succeed())
	return ino
}

func isMountPoint(path string) bool {
	GinkgoHelper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	Expect(err).NotTo(HaveOccurred())
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}

var _ = Describe("NewNS", func() {
	BeforeEach(testutils.SkipUnlessRoot)

	It("creates a namespace of its own under a private temporary directory", func() {
		n := testutils.NewNSForSpec()
		Expect(n.Path()).To(HavePrefix(os.TempDir()))
		Expect(n.Path()).NotTo(HavePrefix("/run/netns"))
		Expect(isMountPoint(n.Path())).To(BeTrue())
		Expect(isMountPoint(filepath.Dir(n.Path()))).To(BeTrue())

		host, err := ns.GetCurrentNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(host.Close)
		Expect(nsInode(n)).NotTo(Equal(nsInode(host)))

		other := testutils.NewNSForSpec()
		Expect(nsInode(other)).NotTo(Equal(nsInode(n)))
	})

	It("holds only a loopback link", func() {
		n := testutils.NewNSForSpec()
		Expect(n.Do(func(ns.NetNS) error {
			links, err := netlinksafe.LinkList()
			if err != nil {
				return err
			}
			if len(links) != 1 || links[0].Attrs().Name != "lo" {
				return fmt.Errorf("links = %v, want only lo", links)
			}
			return nil
		})).To(Succeed())
	})

	It("is removed by UnmountNS, which is safe twice and after Close", func() {
		n, err := testutils.NewNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(testutils.UnmountNS, n)
		dir := filepath.Dir(n.Path())

		Expect(n.Close()).To(Succeed())
		Expect(testutils.UnmountNS(n)).To(Succeed())
		Expect(isMountPoint(n.Path())).To(BeFalse())
		Expect(isMountPoint(dir)).To(BeFalse())
		Expect(dir).NotTo(BeADirectory())
		Expect(testutils.UnmountNS(n)).To(Succeed())
		Expect(testutils.UnmountNS(nil)).To(Succeed())

		_, err = ns.GetNS(n.Path())
		var notExist *ns.PathNotExistError
		Expect(err).To(BeAssignableToTypeOf(notExist))
	})

	It("leaves the caller's thread in its own namespace", func() {
		before, err := ns.GetCurrentNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(before.Close)
		for range 5 {
			testutils.NewNSForSpec()
		}
		after, err := ns.GetCurrentNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(after.Close)
		Expect(nsInode(after)).To(Equal(nsInode(before)))
	})
})
