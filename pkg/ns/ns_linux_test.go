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
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// lockedThreadNSInode is testutils.ThreadNSInode for a goroutine not yet locked.
func lockedThreadNSInode() (uint64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return testutils.ThreadNSInode()
}

// fdInode returns the inode of the namespace an open NetNS refers to.
func fdInode(n ns.NetNS) uint64 {
	GinkgoHelper()
	var st unix.Stat_t
	Expect(unix.Fstat(int(n.Fd()), &st)).To(Succeed())
	return st.Ino
}

var _ = Describe("NetNS", func() {
	var (
		target ns.NetNS
		hostIn uint64
	)

	BeforeEach(func() {
		testutils.SkipUnlessRoot()
		target = testutils.NewNSForSpec()
		var err error
		hostIn, err = lockedThreadNSInode()
		Expect(err).NotTo(HaveOccurred())
		Expect(fdInode(target)).NotTo(Equal(hostIn))
	})

	Describe("Do", func() {
		It("runs the closure inside the namespace and hands it the caller's", func() {
			var inside, handed uint64
			Expect(target.Do(func(hostNS ns.NetNS) error {
				var err error
				inside, err = testutils.ThreadNSInode()
				handed = fdInode(hostNS)
				return err
			})).To(Succeed())
			Expect(inside).To(Equal(fdInode(target)))
			Expect(handed).To(Equal(hostIn))
		})

		It("leaves the caller's locked thread where it was", func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			Expect(target.Do(func(ns.NetNS) error { return nil })).To(Succeed())
			Expect(testutils.ThreadNSInode()).To(Equal(hostIn))
		})

		It("lets the closure switch back with hostNS.Do", func() {
			var back uint64
			Expect(target.Do(func(hostNS ns.NetNS) error {
				return hostNS.Do(func(ns.NetNS) error {
					var err error
					back, err = testutils.ThreadNSInode()
					return err
				})
			})).To(Succeed())
			Expect(back).To(Equal(hostIn))
		})

		It("returns the closure's error unchanged", func() {
			sentinel := errors.New("sentinel")
			err := target.Do(func(ns.NetNS) error { return fmt.Errorf("inside: %w", sentinel) })
			Expect(err).To(MatchError(sentinel))
			Expect(err).To(MatchError("inside: sentinel"))
		})

		It("never hands back a thread it could not switch back", func() {
			// Closing hostNS inside the closure makes the switch back fail:
			// the thread is then still in target and must die, not return
			// to the pool.
			for range 8 {
				err := target.Do(func(hostNS ns.NetNS) error { return hostNS.Close() })
				Expect(err).To(MatchError(ContainSubstring("switch back to network namespace")))
			}
			var wg sync.WaitGroup
			inodes := make([]uint64, 64)
			for i := range inodes {
				wg.Go(func() {
					defer GinkgoRecover()
					in, err := lockedThreadNSInode()
					Expect(err).NotTo(HaveOccurred())
					inodes[i] = in
				})
			}
			wg.Wait()
			Expect(inodes).To(HaveEach(hostIn))
		})

		It("fails on a closed namespace without running the closure", func() {
			n, err := ns.GetNS(target.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(n.Close()).To(Succeed())
			ran := false
			err = n.Do(func(ns.NetNS) error { ran = true; return nil })
			Expect(err).To(MatchError(ContainSubstring("already closed")))
			Expect(ran).To(BeFalse())
			Expect(n.Set()).To(MatchError(ContainSubstring("already closed")))
		})
	})

	Describe("Set", func() {
		It("switches the locked thread, and hostNS.Set switches it back", func() {
			host, err := ns.GetCurrentNS()
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(host.Close)
			Expect(fdInode(host)).To(Equal(hostIn))

			errc := make(chan error, 1)
			go func() {
				runtime.LockOSThread()
				if err := target.Set(); err != nil {
					runtime.UnlockOSThread()
					errc <- err
					return
				}
				in, err := testutils.ThreadNSInode()
				if err == nil && in != fdInode(target) {
					err = fmt.Errorf("thread in namespace %d after Set, want %d", in, fdInode(target))
				}
				if serr := host.Set(); serr != nil {
					// Left locked: the runtime ends this thread.
					errc <- errors.Join(err, serr)
					return
				}
				if back, berr := testutils.ThreadNSInode(); berr == nil && back != hostIn {
					err = errors.Join(err, fmt.Errorf("thread in namespace %d after switching back, want %d", back, hostIn))
				}
				runtime.UnlockOSThread()
				errc <- err
			}()
			Expect(<-errc).To(Succeed())
		})
	})

	Describe("Close", func() {
		It("fails the second time", func() {
			n, err := ns.GetNS(target.Path())
			Expect(err).NotTo(HaveOccurred())
			Expect(n.Path()).To(Equal(target.Path()))
			Expect(n.Close()).To(Succeed())
			Expect(n.Close()).To(MatchError(ContainSubstring("already closed")))
		})
	})

	Describe("WithNetNSPath", func() {
		It("runs the closure in the namespace at the path", func() {
			var inside uint64
			Expect(ns.WithNetNSPath(target.Path(), func(ns.NetNS) error {
				var err error
				inside, err = testutils.ThreadNSInode()
				return err
			})).To(Succeed())
			Expect(inside).To(Equal(fdInode(target)))
		})

		It("reports a missing path", func() {
			err := ns.WithNetNSPath("/nonexistent/netns", func(ns.NetNS) error { return nil })
			var notExist *ns.PathNotExistError
			Expect(errors.As(err, &notExist)).To(BeTrue())
		})
	})

	Describe("GetCurrentNS", func() {
		It("opens the caller's namespace", func() {
			n, err := ns.GetCurrentNS()
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(n.Close)
			Expect(fdInode(n)).To(Equal(hostIn))
		})

		It("opens the namespace a closure runs in", func() {
			var inner uint64
			Expect(target.Do(func(ns.NetNS) error {
				n, err := ns.GetCurrentNS()
				if err != nil {
					return err
				}
				defer n.Close()
				var st unix.Stat_t
				if err := unix.Fstat(int(n.Fd()), &st); err != nil {
					return err
				}
				inner = st.Ino
				return nil
			})).To(Succeed())
			Expect(inner).To(Equal(fdInode(target)))
		})
	})
})

var _ = Describe("GetNS", func() {
	It("reports a missing path as *PathNotExistError and os.ErrNotExist", func() {
		_, err := ns.GetNS("/nonexistent/netns")
		var notExist *ns.PathNotExistError
		Expect(errors.As(err, &notExist)).To(BeTrue(), "err = %v", err)
		Expect(notExist.Path).To(Equal("/nonexistent/netns"))
		Expect(errors.Is(err, os.ErrNotExist)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring(`"/nonexistent/netns"`))
	})

	DescribeTable("reports what is not a network namespace as *NotNetNSError",
		func(path func() string) {
			p := path()
			_, err := ns.GetNS(p)
			var notNet *ns.NotNetNSError
			Expect(errors.As(err, &notNet)).To(BeTrue(), "err = %v", err)
			Expect(notNet.Path).To(Equal(p))
			Expect(errors.Is(err, os.ErrNotExist)).To(BeFalse())
		},
		Entry("a regular file", func() string {
			p := filepath.Join(GinkgoT().TempDir(), "file")
			Expect(os.WriteFile(p, []byte("x"), 0o600)).To(Succeed())
			return p
		}),
		Entry("a directory", func() string { return GinkgoT().TempDir() }),
		Entry("a mount namespace", func() string { return "/proc/self/ns/mnt" }),
		Entry("a UTS namespace", func() string { return "/proc/self/ns/uts" }),
		Entry("a procfs file", func() string { return "/proc/self/status" }),
	)

	It("opens /proc/self/ns/net", func() {
		n, err := ns.GetNS("/proc/self/ns/net")
		Expect(err).NotTo(HaveOccurred())
		Expect(n.Path()).To(Equal("/proc/self/ns/net"))
		Expect(n.Close()).To(Succeed())
	})
})
