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
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// The user namespace test re-executes this test binary twice:
//
//	root (or the invoking user) -> stage "unprivileged": uid/gid 65534, no capabilities
//	  -> stage "userns": the same user, now root of a new user namespace
//	     owning a new network namespace (CLONE_NEWUSER|CLONE_NEWNET)
//
// The second stage is what a rootless container runtime does. Each stage
// runs only the spec registered for it, selected by stageEnv and the
// "userns-stage" focus.
const (
	stageEnv = "CNI_NS_TEST_USERNS_STAGE"
	// refusedMarker tells the parent that the kernel refused a user
	// namespace, so the spec is skipped rather than failed.
	refusedMarker = "USERNS-REFUSED:"
	okMarker      = "USERNS-OK"
	nobody        = 65534
)

// reexec runs this test binary at exe in stage, returning its output.
func reexec(exe, stage string, attr *syscall.SysProcAttr) (string, error) {
	cmd := exec.Command(exe, "-test.run=^TestNs$", "-ginkgo.focus=userns-stage", "-ginkgo.no-color")
	cmd.Dir = filepath.Dir(exe)
	cmd.Env = append(os.Environ(), stageEnv+"="+stage)
	cmd.SysProcAttr = attr
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// refused reports whether err from starting a process in a new user
// namespace means the kernel or a security module does not allow it.
func refused(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) ||
		errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EUSERS)
}

var _ = Describe("an unprivileged user", func() {
	switch os.Getenv(stageEnv) {
	case "":
		It("uses GetCurrentNS and Do inside a user namespace of its own", func() {
			// Copy the binary where nobody can execute it: the go build
			// cache is private to the user that built it.
			dir, err := os.MkdirTemp("", "cni-ns-userns-")
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(os.RemoveAll, dir)
			Expect(os.Chmod(dir, 0o755)).To(Succeed())
			exe := filepath.Join(dir, "ns.test")
			Expect(copyExecutable(exe)).To(Succeed())

			attr := &syscall.SysProcAttr{}
			if os.Geteuid() == 0 {
				attr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
			}
			out, err := reexec(exe, "unprivileged", attr)
			var perr *os.PathError
			if errors.As(err, &perr) && errors.Is(err, unix.EACCES) {
				Skip(fmt.Sprintf("cannot execute a copy of the test binary in %s (noexec?): %v", dir, err))
			}
			if i := strings.Index(out, refusedMarker); i >= 0 {
				line, _, _ := strings.Cut(out[i:], "\n")
				Skip("the kernel refuses unprivileged user namespaces here: " + line)
			}
			Expect(err).NotTo(HaveOccurred(), "unprivileged stage:\n%s", out)
			Expect(out).To(ContainSubstring(okMarker), "unprivileged stage:\n%s", out)
		})

	case "unprivileged":
		It("userns-stage unprivileged", func() {
			Expect(unix.Geteuid()).NotTo(BeZero())
			host, err := ns.GetCurrentNS()
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(host.Close)

			// Without CAP_SYS_ADMIN even entering its own namespace is
			// refused; the error reaches the caller and no thread moves.
			ran := false
			err = host.Do(func(ns.NetNS) error { ran = true; return nil })
			Expect(errors.Is(err, unix.EPERM)).To(BeTrue(), "Do without privileges: %v", err)
			Expect(ran).To(BeFalse())

			out, err := reexec(os.Args[0], "userns", &syscall.SysProcAttr{
				Cloneflags:  unix.CLONE_NEWUSER | unix.CLONE_NEWNET,
				UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
			})
			if err != nil && !strings.Contains(out, "Ran ") && refused(err) {
				fmt.Fprintln(os.Stderr, refusedMarker, "clone(CLONE_NEWUSER|CLONE_NEWNET):", err)
				return
			}
			fmt.Fprint(os.Stderr, out)
			Expect(err).NotTo(HaveOccurred(), "user namespace stage")
		})

	case "userns":
		It("userns-stage inside", func() {
			host, err := ns.GetCurrentNS()
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(host.Close)
			hostIn := fdInode(host)

			target, err := unshareNetNS()
			if errors.Is(err, unix.EPERM) {
				// Some security modules hand out user namespaces without
				// the capabilities that normally come with them.
				fmt.Fprintln(os.Stderr, refusedMarker, "new network namespace inside the user namespace:", err)
				return
			}
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(target.Close)
			Expect(fdInode(target)).NotTo(Equal(hostIn))

			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var inside, handed uint64
			var links int
			Expect(target.Do(func(hostNS ns.NetNS) error {
				var err error
				if inside, err = testutils.ThreadNSInode(); err != nil {
					return err
				}
				handed = fdInode(hostNS)
				l, err := netlinksafe.LinkList()
				links = len(l)
				return err
			})).To(Succeed())
			Expect(inside).To(Equal(fdInode(target)))
			Expect(handed).To(Equal(hostIn))
			Expect(links).To(Equal(1), "only lo in a new namespace")
			Expect(testutils.ThreadNSInode()).To(Equal(hostIn))

			Expect(ns.WithNetNSPath("/proc/self/ns/net", func(ns.NetNS) error { return nil })).To(Succeed())
			fmt.Fprintln(os.Stderr, okMarker)
		})
	}
})

// unshareNetNS creates a network namespace without mounting it (mounting
// needs a mount namespace of our own): a thread unshares and we keep an
// open reference. That thread stays locked, so the runtime ends it.
func unshareNetNS() (ns.NetNS, error) {
	type result struct {
		n   ns.NetNS
		err error
	}
	c := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			c <- result{err: fmt.Errorf("unshare network namespace: %w", err)}
			return
		}
		n, err := ns.GetNS(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		c <- result{n, err}
	}()
	r := <-c
	return r.n, r.err
}

// copyExecutable copies the running test binary to dst, mode 0755.
func copyExecutable(dst string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	in, err := os.Open(self)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
