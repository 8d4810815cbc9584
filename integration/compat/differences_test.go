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

package compat_test

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// listing explains the differences of the cases whose name matches Cases
// (a path.Match pattern) in the given aspects ("result", or "ADD.result" for
// one step's label).
type listing struct {
	Cases   string
	Aspects []string
	// Key is the row of Documentation/compatibility.md (intended) or the
	// fix that will remove the difference (pendingFixes).
	Key string
	// Match, when set, must also accept the difference.
	Match func(d diff) bool
}

func (l *listing) coversDiff(name string, d diff) bool {
	if l.Match != nil && !l.Match(d) {
		return false
	}
	return l.covers(name, d.Label, d.Aspect)
}

func (l *listing) covers(name, label, aspect string) bool {
	if !matchName(l.Cases, name) {
		return false
	}
	for _, a := range l.Aspects {
		if ok, _ := path.Match(a, aspect); ok {
			return true
		}
		if ok, _ := path.Match(a, label+"."+aspect); ok {
			return true
		}
	}
	return false
}

// matchName reports whether a case name matches pattern, where "*"
// also matches across the "/" of case names.
func matchName(pattern, name string) bool {
	ok, _ := path.Match(strings.ReplaceAll(pattern, "/", ":"), strings.ReplaceAll(name, "/", ":"))
	return ok
}

func (l *listing) id() string {
	return fmt.Sprintf("%s %s %v", l.Key, l.Cases, l.Aspects)
}

// documented holds the keys of Documentation/compatibility.md's table.
var documented map[string]bool

var keyRE = regexp.MustCompile("^\\|\\s*`([a-z0-9-]+)`\\s*\\|")

// compatibilityKeys parses the table of compatibility.md: the key is the
// first cell of a row, in backticks.
func compatibilityKeys(file string) (map[string]bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keys := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := keyRE.FindStringSubmatch(sc.Text()); m != nil {
			if keys[m[1]] {
				return nil, fmt.Errorf("%s: key `%s` is in two rows: one difference, one row", file, m[1])
			}
			keys[m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no table rows with a `key`", file)
	}
	return keys, nil
}

// diff is one aspect of one step in which the sides differ.
type diff struct {
	Label, Aspect, Ours, Upstream string
}

func (d diff) String() string {
	o, u := strings.Split(d.Ours, "\n"), strings.Split(d.Upstream, "\n")
	if len(o) == 1 && len(u) == 1 {
		return fmt.Sprintf("%s %s: ours %q, upstream %q", d.Label, d.Aspect, d.Ours, d.Upstream)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:", d.Label, d.Aspect)
	onlyO, onlyU := minus(o, u), minus(u, o)
	if len(onlyO)+len(onlyU) == 0 {
		fmt.Fprintf(&b, " same lines, other order:\n  ours:     %s\n  upstream: %s", strings.Join(o, " | "), strings.Join(u, " | "))
		return b.String()
	}
	for _, l := range onlyO {
		fmt.Fprintf(&b, "\n  ours only:     %s", l)
	}
	for _, l := range onlyU {
		fmt.Fprintf(&b, "\n  upstream only: %s", l)
	}
	return b.String()
}

// minus returns the lines of a that b lacks.
func minus(a, b []string) []string {
	in := map[string]int{}
	for _, l := range b {
		in[l]++
	}
	var out []string
	for _, l := range a {
		if in[l] > 0 {
			in[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}

// compare returns every aspect of every step that differs.
func compare(ours, up []Observation) []diff {
	var ds []diff
	for i := range ours {
		if i >= len(up) {
			break
		}
		keys := map[string]bool{}
		for k := range ours[i].Aspects {
			keys[k] = true
		}
		for k := range up[i].Aspects {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, a := range sorted {
			o, okO := ours[i].Aspects[a]
			u, okU := up[i].Aspects[a]
			if !okO {
				o = "<absent>"
			}
			if !okU {
				u = "<absent>"
			}
			if o != u {
				ds = append(ds, diff{Label: ours[i].Label, Aspect: a, Ours: o, Upstream: u})
			}
		}
	}
	return ds
}

// classify sorts a case's differences into intended, pending and unlisted,
// and records which listings were used.
func classify(name string, ds []diff) (intended, pending, unlisted []diff) {
	for _, d := range ds {
		switch {
		case use(intendedDifferences, name, d):
			intended = append(intended, d)
		case use(pendingFixes, name, d):
			pending = append(pending, d)
		default:
			unlisted = append(unlisted, d)
		}
	}
	return
}

func use(ls []listing, name string, d diff) bool {
	for i := range ls {
		if ls[i].coversDiff(name, d) {
			tally.hit(ls[i].id(), ls[i].Key, name)
			return true
		}
	}
	return false
}

// tally counts the outcome of the cases that ran.
var tally = &counts{hits: map[string]int{}, matched: map[string]bool{}, casesByKey: map[string]map[string]bool{}}

type counts struct {
	mu                                   sync.Mutex
	identical, intended, pending, failed int
	guest                                int            // guest-only cases skipped here
	hits                                 map[string]int // by listing id
	casesByKey                           map[string]map[string]bool
	matched                              map[string]bool // listings whose pattern matched a case that ran
}

func (c *counts) hit(id, key, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits[id]++
	if c.casesByKey[key] == nil {
		c.casesByKey[key] = map[string]bool{}
	}
	c.casesByKey[key][name] = true
}

// byKey renders how many cases each key (of compatibility.md or
// pendingFixes) explained a difference in.
func (c *counts) byKey() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.casesByKey))
	for k := range c.casesByKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %3d cases: %s\n", len(c.casesByKey[k]), k)
	}
	return b.String()
}

// ran records a finished case; its listings become subject to the stale
// check.
func (c *counts) ran(name string, intended, pending, unlisted int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case unlisted > 0:
		c.failed++
	case pending > 0:
		c.pending++
	case intended > 0:
		c.intended++
	default:
		c.identical++
	}
	for _, ls := range [][]listing{intendedDifferences, pendingFixes} {
		for i := range ls {
			if matchName(ls[i].Cases, name) {
				c.matched[ls[i].id()] = true
			}
		}
	}
}

func (c *counts) skipGuest() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.guest++
}

func (c *counts) skippedGuest() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.guest
}

func (c *counts) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.identical + c.intended + c.pending + c.failed
}

func (c *counts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("compat against upstream %s: %d cases ran: %d identical, %d with intended differences only, %d with pending fixes, %d with unlisted differences",
		UpstreamRelease, c.identical+c.intended+c.pending+c.failed, c.identical, c.intended, c.pending, c.failed)
}

// staleEntries lists the listings whose cases ran without using them:
// the difference is gone (a fix was merged), so the entry must go too,
// or it would hide the difference coming back.
func staleEntries() []string {
	tally.mu.Lock()
	defer tally.mu.Unlock()
	var out []string
	for _, ls := range [][]listing{intendedDifferences, pendingFixes} {
		for i := range ls {
			id := ls[i].id()
			if tally.matched[id] && tally.hits[id] == 0 {
				out = append(out, id)
			}
		}
	}
	sort.Strings(out)
	return out
}
