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

//go:build linux

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// variant is one set of plugin binaries in a comparison.
type variant struct {
	name, dir string
	hello     []time.Duration
	add, del  []time.Duration
	add1000   []time.Duration
}

// parseVariants reads "name=dir,name=dir,...".
func parseVariants(s string) ([]*variant, error) {
	var vs []*variant
	for _, f := range strings.Split(s, ",") {
		name, dir, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok || name == "" || dir == "" {
			return nil, fmt.Errorf("parse -compare %q: want name=dir,name=dir", s)
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		vs = append(vs, &variant{name: name, dir: abs})
	}
	return vs, nil
}

// compareTable runs the sets of binaries in vs alternately, one round at a
// time (a hello-world start, then for each set in turn an IPv4 ADD and DEL
// and a 1,000-route ADD and DEL), so that load from elsewhere on the
// machine falls on every set alike. The figures are also given as
// multiples of the hello-world median of all rounds.
func compareTable(o options, e *env, hello string, vs []*variant) error {
	ipv4 := latencyScenarios(true)[0].config("1.1.0")
	routes := routeCountScenario(1000).config("1.1.0")
	for i := 0; i < o.warmup+o.runs; i++ {
		for _, v := range vs {
			h, err := timeExec(hello, nil, nil)
			if err != nil {
				return err
			}
			e.binDir = v.dir
			a, d, _, err := e.attachment(ipv4, false, nil)
			if err != nil {
				return fmt.Errorf("%s: IPv4: %w", v.name, err)
			}
			a1000, _, _, err := e.attachment(routes, false, nil)
			if err != nil {
				return fmt.Errorf("%s: 1000 routes: %w", v.name, err)
			}
			if i >= o.warmup {
				v.hello = append(v.hello, h)
				v.add, v.del = append(v.add, a), append(v.del, d)
				v.add1000 = append(v.add1000, a1000)
			}
		}
	}
	fmt.Printf("## Alternating runs: macvlan + static, direct exec\n\n")
	var all []time.Duration
	for _, v := range vs {
		all = append(all, v.hello...)
	}
	h := summarize(all).median
	fmt.Printf("%d rounds after %d warm-up rounds; in each round every set ran once, in the\n", o.runs, o.warmup)
	fmt.Printf("order listed, each after a hello-world start of its own. Medians; the\n")
	fmt.Printf("multiples are of the hello-world median of all rounds, %s.\n\n", ms(h))
	fmt.Printf("| binaries | hello | IPv4 ADD | IPv4 DEL | 1,000-route ADD |\n|---|---|---|---|---|\n")
	for _, v := range vs {
		cell := func(d []time.Duration) string {
			m := summarize(d).median
			return fmt.Sprintf("%s (%.2fx)", ms(m), float64(m)/float64(h))
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", v.name, ms(summarize(v.hello).median), cell(v.add), cell(v.del), cell(v.add1000))
	}
	fmt.Println()
	return nil
}
