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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	pkgA = "example.com/m/pkg/a"
	pkgB = "example.com/m/plugins/b"
)

// feed runs a canned console log through a guestLog packed with pkgs and
// returns the go test style lines it printed along the way and at the end,
// and the problems.
func feed(log string, timedOut bool, pkgs ...string) (g *guestLog, lines, problems []string) {
	g = newGuestLog(pkgs)
	for _, l := range strings.Split(strings.ReplaceAll(log, "\r\n", "\n"), "\n") {
		lines = append(lines, g.Line(l)...)
	}
	end, problems := g.Finish(timedOut)
	return g, append(lines, end...), problems
}

const bootLines = "[    0.000000] Linux version 6.1.0-56-amd64\r\n" +
	"\r\n@@vmtest kernel 6.1.0-56-amd64\r\n" +
	"\r\n@@vmtest packed 2\r\n"

const ginkgoPass = "\r\n@@vmtest begin example.com/m/pkg/a uptime=3.50\r\n" +
	"=== RUN   TestA\r\n" +
	"Ran 3 of 4 Specs in 0.2 seconds\r\n" +
	"SUCCESS! -- 3 Passed | 0 Failed | 0 Pending | 1 Skipped\r\n" +
	"--- PASS: TestA (0.20s)\r\nPASS\r\n" +
	"\r\n@@vmtest end example.com/m/pkg/a exit=0 uptime=5.75\r\n"

const goTestPass = "\r\n@@vmtest begin example.com/m/plugins/b uptime=6.00\r\n" +
	"=== RUN   TestB\r\n--- PASS: TestB (0.00s)\r\n" +
	"=== RUN   TestC\r\n=== RUN   TestC/sub\r\n" +
	"    --- PASS: TestC/sub (0.00s)\r\n--- PASS: TestC (0.00s)\r\nPASS\r\n" +
	"\r\n@@vmtest end example.com/m/plugins/b exit=0 uptime=6.50\r\n"

const summaryOK = "\r\n@@vmtest summary ran=2 failed=0\r\n[   7.1] reboot: Power down\r\n"

var _ = Describe("guestLog", func() {
	It("passes when every packed package ran and passed", func() {
		g, lines, problems := feed(bootLines+ginkgoPass+goTestPass+summaryOK, false, pkgA, pkgB)
		Expect(problems).To(BeEmpty())
		Expect(lines).To(Equal([]string{
			"ok  \texample.com/m/pkg/a\t2.250s",
			"ok  \texample.com/m/plugins/b\t0.500s",
		}))
		Expect(g.kernel).To(Equal("6.1.0-56-amd64"))
		pkgOK, pkgFail, passed, failed, skipped := g.Counts()
		// 3 specs from the ginkgo tally (its TestA wrapper not counted)
		// plus TestB, TestC and TestC/sub.
		Expect([]int{pkgOK, pkgFail, passed, failed, skipped}).To(Equal([]int{2, 0, 6, 0, 1}))
		Expect(g.Tally()).To(Equal([]string{
			pkgA + ": 3 specs passed, 0 failed, 1 skipped",
			pkgB + ": 3 tests passed, 0 failed, 0 skipped",
		}))
	})

	It("fails when a package exits non-zero", func() {
		failing := strings.ReplaceAll(goTestPass, "--- PASS: TestB", "--- FAIL: TestB")
		failing = strings.ReplaceAll(failing, "exit=0", "exit=1")
		g, lines, problems := feed(bootLines+ginkgoPass+failing+
			"\r\n@@vmtest summary ran=2 failed=1\r\n", false, pkgA, pkgB)
		Expect(lines).To(ContainElement("FAIL\texample.com/m/plugins/b\t0.500s\t(exit status 1)"))
		Expect(problems).To(Equal([]string{"package failed in the guest (exit status 1): " + pkgB}))
		pkgOK, pkgFail, _, failed, _ := g.Counts()
		Expect([]int{pkgOK, pkgFail, failed}).To(Equal([]int{1, 1, 1}))
	})

	It("fails when a packed package never reported", func() {
		_, lines, problems := feed(bootLines+ginkgoPass+summaryOK, false, pkgA, pkgB)
		Expect(lines).To(ContainElement("FAIL\texample.com/m/plugins/b\t[did not run in the guest]"))
		Expect(problems).To(Equal([]string{"package never ran in the guest: " + pkgB}))
	})

	It("fails when the guest stops without a summary", func() {
		cut := bootLines + ginkgoPass + "\r\n@@vmtest begin example.com/m/plugins/b uptime=6.00\r\n=== RUN   TestB\r\n"
		_, lines, problems := feed(cut, true, pkgA, pkgB)
		Expect(lines).To(ContainElement(HavePrefix("FAIL\texample.com/m/plugins/b\t[no end marker")))
		Expect(problems).To(Equal([]string{
			"package started but never finished: " + pkgB,
			"guest printed no summary before the host timeout",
		}))
	})

	It("fails when the guest never boots", func() {
		_, _, problems := feed("qemu: could not load kernel\n", false, pkgA)
		Expect(problems).To(ContainElements(
			"package never ran in the guest: "+pkgA,
			"guest never reported its kernel version (did it boot?)",
			"guest printed no summary (crashed or powered off early)",
		))
	})

	It("fails when a test skipped for a missing kernel feature", func() {
		skip := strings.ReplaceAll(ginkgoPass, "=== RUN   TestA\r\n",
			"=== RUN   TestA\r\nS [SKIPPED] kernel feature missing: vrf: operation not supported\r\n")
		_, lines, problems := feed(bootLines+skip+goTestPass+summaryOK, false, pkgA, pkgB)
		Expect(lines).To(HaveLen(2)) // both packages still report ok
		Expect(problems).To(Equal([]string{"a test skipped for a missing kernel feature in the guest: " +
			pkgA + ": S [SKIPPED] kernel feature missing: vrf: operation not supported"}))
	})

	It("fails when a module did not load or the guest counted other binaries", func() {
		log := strings.Replace(bootLines, "packed 2", "packed 1", 1) +
			"\r\n@@vmtest insmod-failed vrf\r\n" + ginkgoPass + goTestPass + summaryOK
		_, _, problems := feed(log, false, pkgA, pkgB)
		Expect(problems).To(Equal([]string{
			"guest found 1 test binaries, host packed 2",
			"guest could not load module vrf",
		}))
	})

	It("finds a marker glued to output that lacked a newline", func() {
		glued := strings.Replace(ginkgoPass, "PASS\r\n\r\n@@vmtest end", "PASS@@vmtest end", 1)
		_, lines, problems := feed(bootLines+glued+goTestPass+summaryOK, false, pkgA, pkgB)
		Expect(problems).To(BeEmpty())
		Expect(lines).To(HaveLen(2))
	})

	It("flags a package it did not pack", func() {
		_, _, problems := feed(bootLines+ginkgoPass+goTestPass+summaryOK, false, pkgA)
		Expect(problems).To(ContainElement("guest reported a package that was not packed: " + pkgB))
	})
})
