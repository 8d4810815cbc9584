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
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("daemon flags", func() {
	It("has upstream's defaults", func() {
		c, err := parseDaemonFlags(nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(*c).To(Equal(daemonConfig{socketPath: "/run/cni/dhcp.sock", timeout: 10 * time.Second,
			resendMax: 62 * time.Second, resendTimeout: 208 * time.Second}))
	})

	It("puts the default socket under -hostprefix", func() {
		c, err := parseDaemonFlags([]string{"-hostprefix", "/host", "-broadcast", "-timeout", "3s", "-pidfile", "/p"})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.socketPath).To(Equal("/host/run/cni/dhcp.sock"))
		Expect(c.broadcast).To(BeTrue())
		Expect(c.timeout).To(Equal(3 * time.Second))
		Expect(c.pidFile).To(Equal("/p"))
	})

	DescribeTable("refuses",
		func(argv []string, want string) {
			_, err := parseDaemonFlags(argv)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("a zero timeout", []string{"-timeout", "0s"}, "must be positive"),
		Entry("stray arguments", []string{"extra"}, `unexpected arguments ["extra"]`),
		Entry("an unknown flag", []string{"-nope"}, "not defined: -nope"),
	)
})

var _ = Describe("daemon", func() {
	var bin string
	BeforeEach(func() {
		var err error
		bin, err = testutils.BuildPlugins(GinkgoT().TempDir(), "dhcp")
		Expect(err).NotTo(HaveOccurred())
	})

	status := func(sock string) error {
		_, err := testutils.ExecPlugin(filepath.Join(bin, "dhcp"), testutils.PluginCall{
			Command: "STATUS", Path: bin,
			Stdin: []byte(fmt.Sprintf(`{"cniVersion":"1.1.0","name":"n","ipam":{"type":"dhcp","daemonSocketPath":%q}}`, sock)),
		})
		return err
	}

	It("uses the socket systemd passes (LISTEN_FDS, fd 3) and writes its pidfile", func() {
		dir := GinkgoT().TempDir()
		sock := filepath.Join(dir, "activated.sock")
		l, err := net.Listen("unix", sock)
		Expect(err).NotTo(HaveOccurred())
		f, err := l.(*net.UnixListener).File()
		Expect(err).NotTo(HaveOccurred())
		// The daemon owns the socket now: closing our copy must not
		// remove its file.
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		Expect(l.Close()).To(Succeed())
		// systemd sets LISTEN_PID to the daemon's own PID; exec keeps the
		// shell's PID, so $$ is it.
		unused := filepath.Join(dir, "unused.sock")
		pidFile := filepath.Join(dir, "pid")
		cmd := exec.Command("sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" daemon -socketpath "$1" -pidfile "$2"`,
			filepath.Join(bin, "dhcp"), unused, pidFile)
		cmd.ExtraFiles = []*os.File{f}
		cmd.Stderr = GinkgoWriter
		Expect(cmd.Start()).To(Succeed())
		Expect(f.Close()).To(Succeed())
		DeferCleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		Eventually(func() error { return status(sock) }, 10*time.Second, 50*time.Millisecond).Should(Succeed())
		Expect(unused).NotTo(BeAnExistingFile())
		b, err := os.ReadFile(pidFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.TrimSpace(string(b))).To(Equal(strconv.Itoa(cmd.Process.Pid)))
	})

	It("replaces a stale socket file but refuses to start next to a live daemon", func() {
		dir := GinkgoT().TempDir()
		sock := filepath.Join(dir, "d.sock")
		l, err := net.Listen("unix", sock)
		Expect(err).NotTo(HaveOccurred())
		out, err := exec.Command(filepath.Join(bin, "dhcp"), "daemon", "-socketpath", sock).CombinedOutput()
		Expect(err).To(HaveOccurred())
		Expect(string(out)).To(ContainSubstring("another daemon is listening"))
		// Closing a unix listener removes its file; leave a stale one.
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		Expect(l.Close()).To(Succeed())
		Expect(sock).To(BeAnExistingFile())

		cmd := exec.Command(filepath.Join(bin, "dhcp"), "daemon", "-socketpath", sock)
		cmd.Stderr = GinkgoWriter
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		Eventually(func() error { return status(sock) }, 10*time.Second, 50*time.Millisecond).Should(Succeed())
	})
})
