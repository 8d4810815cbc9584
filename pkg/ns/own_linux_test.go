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

package ns_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("RefuseOwn", func() {
	// refuseOwn runs RefuseOwn on a locked thread, whose namespace file is
	// named by its thread id.
	refuseOwn := func(path func() string, override string) error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		return ns.RefuseOwn(path(), override)
	}
	own := func() string { return "/proc/self/task/" + strconv.Itoa(unix.Gettid()) + "/ns/net" }
	fixed := func(p string) func() string { return func() string { return p } }

	It("refuses the calling thread's namespace with code 4", func() {
		err := refuseOwn(own, "")
		var e *types.Error
		Expect(errors.As(err, &e)).To(BeTrue(), "want a CNI error, got %v", err)
		Expect(e.Code).To(Equal(uint(types.ErrInvalidNetNS)))
	})

	DescribeTable("allows it when CNI_NETNS_OVERRIDE says so", func(override string) {
		Expect(refuseOwn(own, override)).To(Succeed())
	}, Entry("1", "1"), Entry("true", "true"), Entry("TRUE", "TRUE"))

	It("does not refuse an empty or missing path (DEL after the namespace is gone)", func() {
		Expect(refuseOwn(fixed(""), "")).To(Succeed())
		Expect(refuseOwn(fixed(filepath.Join(GinkgoT().TempDir(), "gone")), "")).To(Succeed())
	})

	It("does not refuse another namespace", func() {
		if os.Geteuid() != 0 {
			Skip("needs root to create a network namespace")
		}
		other, err := testutils.NewNS()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(testutils.UnmountNS, other)
		Expect(refuseOwn(fixed(other.Path()), "")).To(Succeed())
		Expect(refuseOwn(own, "0")).NotTo(Succeed(), "only 1 and true override")
	})
})
