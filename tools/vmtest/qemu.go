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
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// vmConfig is how QEMU runs the guest. No KVM on these machines: software
// emulation (TCG). "-cpu max" offers RDRAND, so the guest's random pool is
// ready at once instead of stalling crypto/rand.
type vmConfig struct {
	Memory  int // MiB
	CPUs    int
	Timeout time.Duration
}

func (v vmConfig) args(kernel, initrd string) []string {
	return []string{
		"-machine", "q35,accel=tcg", "-cpu", "max",
		"-m", strconv.Itoa(v.Memory), "-smp", strconv.Itoa(v.CPUs),
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-serial", "stdio", "-monitor", "none",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-kernel", kernel, "-initrd", initrd,
		"-append", "console=ttyS0 quiet panic=-1",
	}
}

// boot runs QEMU until the guest powers off or the timeout passes, echoing
// the serial console to out with CRLF turned into LF, copying it raw to
// rawLog, and feeding each line to g. It reports whether the timeout hit.
func boot(v vmConfig, kernel, initrd string, g *guestLog, out, rawLog io.Writer) (timedOut bool, err error) {
	// An interrupted run still stops QEMU and reports what it saw.
	sctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, v.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", v.args(kernel, initrd)...)
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 10 * time.Second
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return false, fmt.Errorf("start qemu: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("start qemu: %w", err)
	}
	stream(pipe, g, out, rawLog)
	werr := cmd.Wait()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true, nil
	}
	if sctx.Err() != nil {
		_, _ = fmt.Fprintln(out, "vmtest: interrupted; stopped the guest")
		return false, nil
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		// isa-debug-exit and some shutdown paths exit non-zero; the
		// markers, not QEMU's status, say how the tests went.
		_, _ = fmt.Fprintf(out, "vmtest: qemu exited with %v\n", werr)
		return false, nil
	}
	return false, werr
}

// stream copies console lines until EOF.
func stream(r io.Reader, g *guestLog, out, rawLog io.Writer) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			if rawLog != nil {
				_, _ = io.WriteString(rawLog, line)
			}
			line = strings.TrimRight(line, "\r\n")
			line = strings.ReplaceAll(line, "\r", "")
			_, _ = fmt.Fprintln(out, line)
			for _, l := range g.Line(line) {
				_, _ = fmt.Fprintln(out, l)
			}
		}
		if err != nil {
			return
		}
	}
}
