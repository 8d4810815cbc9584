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

package skel_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

var _ = Describe("Dispatcher.EarlyAdd", func() {
	// run dispatches inv with an EarlyAdd hook that logs what it saw and
	// when its done function ran, relative to the verb.
	run := func(inv invocation) (outcome, []string) {
		var stdout, stderr strings.Builder
		var events []string
		d := &skel.Dispatcher{
			Getenv: func(k string) string { return inv.env[k] },
			Stdin:  strings.NewReader(inv.stdin),
			Stdout: &stdout,
			Stderr: &stderr,
			EarlyAdd: func(stdin []byte) func() {
				events = append(events, "early "+string(stdin))
				return func() { events = append(events, "done") }
			},
		}
		funcs := fakeFuncs(&stdout, inv.fail)
		add := funcs.Add
		funcs.Add = func(a *skel.CmdArgs) error {
			events = append(events, "add")
			return add(a)
		}
		e := d.Main(funcs, version.All, "")
		return outcome{err: e, stdout: stdout.String(), stderr: stderr.String()}, events
	}

	It("sees the config of an ADD before Add runs, and ends after it", func() {
		o, events := run(invocation{env: envFor("ADD"), stdin: conf("1.1.0")})
		expectCalled(o, "ADD")
		Expect(events).To(Equal([]string{"early " + conf("1.1.0"), "add", "done"}))
	})

	It("ends also when the ADD is refused before Add runs", func() {
		// An unsupported version is refused after the config is read.
		o, events := run(invocation{env: envFor("ADD"), stdin: conf("9.9.9")})
		Expect(o.err).NotTo(BeNil())
		Expect(o.err.Code).To(Equal(uint(types.ErrIncompatibleCNIVersion)))
		Expect(events).To(Equal([]string{"early " + conf("9.9.9"), "done"}))

		o, events = run(invocation{env: envFor("ADD"), stdin: `{"cniVersion":"1.1.0"}`})
		Expect(o.err).To(Equal(types.NewError(types.ErrInvalidNetworkConfig, "missing network name", "")))
		Expect(events).To(Equal([]string{"early " + `{"cniVersion":"1.1.0"}`, "done"}))
	})

	It("is not called for other commands, or before the environment is valid", func() {
		for _, cmd := range []string{"CHECK", "DEL", "GC", "STATUS", "VERSION"} {
			_, events := run(invocation{env: envFor(cmd), stdin: conf("1.1.0")})
			Expect(events).To(BeEmpty(), cmd)
		}
		env := envFor("ADD")
		delete(env, "CNI_IFNAME")
		_, events := run(invocation{env: env, stdin: conf("1.1.0")})
		Expect(events).To(BeEmpty())
	})
})
