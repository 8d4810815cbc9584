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
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The guest's /init prints one marker line per event, each starting with
// markerPrefix (after an empty line, so a test's unterminated output cannot
// swallow it). The host reads them back from the serial console:
//
//	@@vmtest kernel <uname -r>
//	@@vmtest insmod-failed <module>
//	@@vmtest packed <n>
//	@@vmtest begin <import path> uptime=<seconds>
//	@@vmtest end <import path> exit=<status> uptime=<seconds>
//	@@vmtest summary ran=<n> failed=<n>
const markerPrefix = "@@vmtest "

// featureMissing is the text pkg/testutils.KernelFeatureMissing starts a skip
// message with. The guest kernel has every feature the tests probe for, so
// such a skip there means a module is missing from the initramfs or a probe
// is wrong: the run fails. (Not imported: that would make this package a
// kernel-test package and pull ginkgo into the tool.)
const featureMissing = "kernel feature missing:"

var (
	ginkgoTally = regexp.MustCompile(`(\d+) Passed \| (\d+) Failed \| (\d+) Pending \| (\d+) Skipped`)
	goTestTally = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): `)
)

// pkgResult is what the guest reported about one test binary.
type pkgResult struct {
	began, ended bool
	exit         int
	start, end   float64 // guest uptime at begin and end marker
	ginkgo       bool    // a ginkgo tally was seen: count specs, not Go tests
	specs        [3]int  // ginkgo specs passed, failed, skipped
	tests        [3]int  // Go tests (--- PASS/FAIL/SKIP lines) likewise
}

// counts returns passed, failed, skipped: ginkgo specs for a ginkgo suite
// (whose one Go test only wraps them), Go tests otherwise.
func (r *pkgResult) counts() [3]int {
	if r.ginkgo {
		return r.specs
	}
	return r.tests
}

// guestLog follows the guest's console output line by line and decides
// whether the run passed. It is pure (no I/O) so canned logs test it.
type guestLog struct {
	packed   []string // import paths packed into the initramfs, in run order
	results  map[string]*pkgResult
	current  string // package between its begin and end markers
	kernel   string
	summary  bool
	insmod   []string
	missing  []string // lines reporting a missing kernel feature
	guestCnt int      // count the guest says it packed; -1 when not seen
}

func newGuestLog(packed []string) *guestLog {
	g := &guestLog{packed: packed, results: map[string]*pkgResult{}, guestCnt: -1}
	for _, p := range packed {
		g.results[p] = &pkgResult{}
	}
	return g
}

// Line consumes one console line (CR already stripped) and returns the lines
// the host prints for it besides echoing it: go test style "ok"/"FAIL" lines
// when a package ends.
func (g *guestLog) Line(line string) []string {
	if strings.Contains(line, featureMissing) {
		where := g.current
		if where == "" {
			where = "guest"
		}
		g.missing = append(g.missing, where+": "+strings.TrimSpace(line))
	}
	i := strings.Index(line, markerPrefix)
	if i < 0 {
		g.tally(line)
		return nil
	}
	f := strings.Fields(line[i+len(markerPrefix):])
	if len(f) == 0 {
		return nil
	}
	switch f[0] {
	case "kernel":
		if len(f) > 1 {
			g.kernel = f[1]
		}
	case "insmod-failed":
		g.insmod = append(g.insmod, strings.Join(f[1:], " "))
	case "packed":
		if len(f) > 1 {
			if n, err := strconv.Atoi(f[1]); err == nil {
				g.guestCnt = n
			}
		}
	case "begin":
		if len(f) < 2 {
			return nil
		}
		r := g.result(f[1])
		r.began = true
		r.start = floatField(f[2:], "uptime")
		g.current = f[1]
	case "end":
		if len(f) < 2 {
			return nil
		}
		r := g.result(f[1])
		r.ended = true
		r.exit = intField(f[2:], "exit", -1)
		r.end = floatField(f[2:], "uptime")
		g.current = ""
		return []string{goTestLine(f[1], r)}
	case "summary":
		g.summary = true
	}
	return nil
}

func (g *guestLog) result(pkg string) *pkgResult {
	r, ok := g.results[pkg]
	if !ok {
		// A package the host did not pack: still tracked, so its
		// failure is not lost, and flagged by Problems.
		r = &pkgResult{}
		g.results[pkg] = r
	}
	return r
}

// tally counts specs (ginkgo's closing tally) or go tests (--- lines) of
// the package that is running.
func (g *guestLog) tally(line string) {
	if g.current == "" {
		return
	}
	r := g.results[g.current]
	if m := ginkgoTally.FindStringSubmatch(line); m != nil {
		r.ginkgo = true
		for i, j := range []int{1, 2, 4} {
			n, _ := strconv.Atoi(m[j])
			r.specs[i] += n
		}
		return
	}
	if m := goTestTally.FindStringSubmatch(line); m != nil {
		r.tests[strings.Index("PFS", m[1][:1])]++
	}
}

func goTestLine(pkg string, r *pkgResult) string {
	d := r.end - r.start
	if d < 0 {
		d = 0
	}
	if r.exit == 0 {
		return fmt.Sprintf("ok  \t%s\t%.3fs", pkg, d)
	}
	return fmt.Sprintf("FAIL\t%s\t%.3fs\t(exit status %d)", pkg, d, r.exit)
}

// Finish closes the log once QEMU is gone and returns the go test style
// lines for packages that never reported, then every reason the run failed
// (none when it passed).
func (g *guestLog) Finish(timedOut bool) (lines, problems []string) {
	for _, p := range g.packed {
		r := g.results[p]
		switch {
		case !r.began:
			lines = append(lines, fmt.Sprintf("FAIL\t%s\t[did not run in the guest]", p))
			problems = append(problems, "package never ran in the guest: "+p)
		case !r.ended:
			lines = append(lines, fmt.Sprintf("FAIL\t%s\t[no end marker: guest stopped or hung while it ran]", p))
			problems = append(problems, "package started but never finished: "+p)
		case r.exit != 0:
			problems = append(problems, fmt.Sprintf("package failed in the guest (exit status %d): %s", r.exit, p))
		}
	}
	var extra []string
	for p := range g.results {
		if !contains(g.packed, p) {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	for _, p := range extra {
		problems = append(problems, "guest reported a package that was not packed: "+p)
	}
	if g.kernel == "" {
		problems = append(problems, "guest never reported its kernel version (did it boot?)")
	}
	if g.guestCnt >= 0 && g.guestCnt != len(g.packed) {
		problems = append(problems, fmt.Sprintf("guest found %d test binaries, host packed %d", g.guestCnt, len(g.packed)))
	}
	for _, m := range g.insmod {
		problems = append(problems, "guest could not load module "+m)
	}
	for _, m := range g.missing {
		problems = append(problems, "a test skipped for a missing kernel feature in the guest: "+m)
	}
	if !g.summary {
		why := "guest printed no summary (crashed or powered off early)"
		if timedOut {
			why = "guest printed no summary before the host timeout"
		}
		problems = append(problems, why)
	}
	return lines, problems
}

// Counts returns packages passed/failed and tests (specs for ginkgo
// suites) passed/failed/skipped over all reported packages.
func (g *guestLog) Counts() (pkgOK, pkgFail, passed, failed, skipped int) {
	for _, p := range g.packed {
		r := g.results[p]
		if r.ended && r.exit == 0 {
			pkgOK++
		} else {
			pkgFail++
		}
		c := r.counts()
		passed += c[0]
		failed += c[1]
		skipped += c[2]
	}
	return
}

// Tally returns one line per packed package: what ran of it in the guest.
func (g *guestLog) Tally() []string {
	var out []string
	for _, p := range g.packed {
		r := g.results[p]
		unit := "tests"
		if r.ginkgo {
			unit = "specs"
		}
		c := r.counts()
		out = append(out, fmt.Sprintf("%s: %d %s passed, %d failed, %d skipped", p, c[0], unit, c[1], c[2]))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fieldValue(f []string, key string) (string, bool) {
	for _, kv := range f {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func floatField(f []string, key string) float64 {
	v, ok := fieldValue(f, key)
	if !ok {
		return 0
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return x
}

func intField(f []string, key string, def int) int {
	v, ok := fieldValue(f, key)
	if !ok {
		return def
	}
	x, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return x
}
