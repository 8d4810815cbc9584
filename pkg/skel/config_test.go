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
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

var _ = Describe("Dispatcher.Main configuration", func() {
	errDecode := func(msg string) *types.Error { return types.NewError(types.ErrDecodingFailure, msg, "") }
	errConfig := func(msg, details string) *types.Error {
		return types.NewError(types.ErrInvalidNetworkConfig, msg, details)
	}

	var configEntries []TableEntry
	for _, cmd := range verbCmds {
		for _, c := range []struct {
			stdin string
			want  *types.Error
		}{
			{"", errDecode("error unmarshall network config: unexpected end of JSON input")},
			{"{", errDecode("error unmarshall network config: unexpected end of JSON input")},
			{`{"name":"x",}`, errDecode("error unmarshall network config: invalid character '}' looking for beginning of object key string")},
			{`{"name":5,"cniVersion":"1.1.0"}`, errDecode("error unmarshall network config: json: cannot unmarshal number into Go struct field .name of type string")},
			{`[]`, errDecode(`error unmarshall network config: json: cannot unmarshal array into Go value of type struct { Name string "json:\"name\"" }`)},
			{`{"name":"net","cniVersion":5}`, errDecode("decoding version from network config: json: cannot unmarshal number into Go struct field .cniVersion of type string")},
			{`{"cniVersion":5,"name":5}`, errDecode("error unmarshall network config: json: cannot unmarshal number into Go struct field .name of type string")},
			{`{"cniVersion":5}`, errConfig("missing network name", "")},
			{`{"cniVersion":5,"name":"-net"}`, errConfig("invalid characters found in network name", "-net")},
			{`{"cniVersion":"1.1.0"}`, errConfig("missing network name", "")},
			{`{"cniVersion":"1.1.0","name":""}`, errConfig("missing network name", "")},
			{`{"cniVersion":"1.1.0","name":null}`, errConfig("missing network name", "")},
			{`{"cniVersion":"1.1.0","name":"-net"}`, errConfig("invalid characters found in network name", "-net")},
			{`{"cniVersion":"1.1.0","name":"my net"}`, errConfig("invalid characters found in network name", "my net")},
			{`{"cniVersion":"1.1.0","name":"net/1"}`, errConfig("invalid characters found in network name", "net/1")},
			{`{"cniVersion":"1.1.0","name":"nét"}`, errConfig("invalid characters found in network name", "nét")},
		} {
			configEntries = append(configEntries, Entry(fmt.Sprintf("%s %s", cmd, c.stdin), cmd, c.stdin, c.want))
		}
	}
	DescribeTable("refuses a configuration that does not decode or has no valid name", func(cmd, stdin string, want *types.Error) {
		expectRefused(dispatch(invocation{env: envFor(cmd), stdin: stdin}), want)
	}, configEntries)

	DescribeTable("accepts network names matching [a-zA-Z0-9][a-zA-Z0-9_.-]*", func(name string) {
		stdin := fmt.Sprintf(`{"cniVersion":"1.1.0","name":%q}`, name)
		expectCalled(dispatch(invocation{env: envFor("ADD"), stdin: stdin}), "ADD")
	},
		Entry(nil, "a"), Entry(nil, "9"), Entry(nil, "net.1_x-y"), Entry(nil, "net-"), Entry(nil, strings.Repeat("n", 200)),
	)

	It("reports a stdin read failure with code 5", func() {
		env := envFor("ADD")
		d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdin: errReader{}}
		Expect(d.Main(skel.CNIFuncs{}, version.All, "")).To(Equal(
			types.NewError(types.ErrIOFailure, "error reading from stdin: disk on fire", "")))
	})
})

var _ = Describe("Dispatcher.Main version negotiation", func() {
	all := version.All.SupportedVersions()
	DescribeTable("calls the verb only for a configuration version it allows",
		func(cmd, confVersion string, supported []string, want *types.Error) {
			o := dispatch(invocation{env: envFor(cmd), stdin: conf(confVersion), versions: supported})
			if want == nil {
				expectCalled(o, cmd)
				return
			}
			expectRefused(o, want)
		},
		// ADD and DEL: the configuration's version must be one the plugin lists.
		Entry(nil, "ADD", "1.1.0", all, nil),
		Entry(nil, "ADD", "0.3.1", all, nil),
		Entry(nil, "ADD", "", all, nil), // no cniVersion is 0.1.0
		Entry(nil, "ADD", "", []string{"1.0.0"}, errIncompatible("incompatible CNI versions", `config is "0.1.0", plugin supports ["1.0.0"]`)),
		Entry(nil, "ADD", "0.3.1", []string{"1.0.0", "1.1.0"}, errIncompatible("incompatible CNI versions", `config is "0.3.1", plugin supports ["1.0.0" "1.1.0"]`)),
		Entry(nil, "ADD", "abc", all, errIncompatible("incompatible CNI versions", `config is "abc", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]`)),
		Entry(nil, "DEL", "0.3.1", all, nil),
		Entry(nil, "DEL", "1.1.0", []string{"0.4.0", "1.0.0"}, errIncompatible("incompatible CNI versions", `config is "1.1.0", plugin supports ["0.4.0" "1.0.0"]`)),

		// CHECK: since 0.4.0.
		Entry(nil, "CHECK", "", all, errIncompatible("config version does not allow CHECK", "")),
		Entry(nil, "CHECK", "0.3.1", all, errIncompatible("config version does not allow CHECK", "")),
		Entry(nil, "CHECK", "0.4.0", all, nil),
		Entry(nil, "CHECK", "1.0.0", all, nil),
		Entry(nil, "CHECK", "1.1.0", all, nil),
		Entry(nil, "CHECK", "1.1.0", []string{"0.4.0", "1.0.0"}, errIncompatible("plugin version does not allow CHECK", "")),
		Entry(nil, "CHECK", "0.4.1", []string{"0.4.0", "1.0.0"}, errIncompatible("incompatible CNI versions", `config is "0.4.1", plugin supports ["0.4.0" "1.0.0"]`)),
		Entry(nil, "CHECK", "abc", all, types.NewError(types.ErrDecodingFailure, `failed to convert major version part "abc": strconv.Atoi: parsing "abc": invalid syntax`, "")),
		Entry(nil, "CHECK", "1.0.0.0", all, types.NewError(types.ErrDecodingFailure, `invalid version "1.0.0.0": too many parts`, "")),
		Entry(nil, "CHECK", "1.0.0", []string{"x", "1.0.0"}, types.NewError(types.ErrDecodingFailure, `failed to convert major version part "x": strconv.Atoi: parsing "x": invalid syntax`, "")),

		// GC and STATUS: since 1.1.0.
		Entry(nil, "GC", "0.3.1", all, errIncompatible("config version does not allow GC", "")),
		Entry(nil, "GC", "0.4.0", all, errIncompatible("config version does not allow GC", "")),
		Entry(nil, "GC", "1.0.0", all, errIncompatible("config version does not allow GC", "")),
		Entry(nil, "GC", "1.1.0", all, nil),
		Entry(nil, "GC", "1.1.0", []string{"0.4.0", "1.0.0"}, errIncompatible("plugin version does not allow GC", "")),
		Entry(nil, "GC", "1.2.0", all, errIncompatible("plugin version does not allow GC", "")),
		Entry(nil, "STATUS", "0.3.1", all, errIncompatible("config version does not allow STATUS", "")),
		Entry(nil, "STATUS", "0.4.0", all, errIncompatible("config version does not allow STATUS", "")),
		Entry(nil, "STATUS", "1.0.0", all, errIncompatible("config version does not allow STATUS", "")),
		Entry(nil, "STATUS", "1.1.0", all, nil),
		Entry(nil, "STATUS", "1.1.0", []string{"1.0.0"}, errIncompatible("plugin version does not allow STATUS", "")),
		Entry(nil, "STATUS", "v1", all, types.NewError(types.ErrDecodingFailure, `failed to convert major version part "v1": strconv.Atoi: parsing "v1": invalid syntax`, "")),
	)
})

var _ = Describe("Dispatcher.Main VERSION", func() {
	It("prints the plugin's version info and ignores stdin", func() {
		env := envFor("VERSION")
		var stdout strings.Builder
		d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdin: errReader{}, Stdout: &stdout}
		Expect(d.Main(skel.CNIFuncs{}, version.PluginSupports("0.4.0", "1.0.0"), "")).To(BeNil())
		Expect(stdout.String()).To(Equal(`{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0"]}` + "\n"))
	})

	It("ignores an invalid configuration", func() {
		o := dispatch(invocation{env: envFor("VERSION"), stdin: "{", versions: []string{"1.1.0"}})
		Expect(o.err).To(BeNil())
		Expect(o.stdout).To(Equal(`{"cniVersion":"1.1.0","supportedVersions":["1.1.0"]}` + "\n"))
	})

	It("reports a failure to write with code 5", func() {
		env := envFor("VERSION")
		d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdout: errWriter{}}
		Expect(d.Main(skel.CNIFuncs{}, version.All, "")).To(Equal(types.NewError(types.ErrIOFailure, "pipe closed", "")))
	})
})

var _ = Describe("Dispatcher.Main verb errors", func() {
	var entries []TableEntry
	for _, cmd := range verbCmds {
		entries = append(entries,
			Entry(cmd+" plain error", cmd, failPlain, types.NewError(types.ErrInternal, "boom", "")),
			Entry(cmd+" *types.Error", cmd, failTyped, typedErr()),
			Entry(cmd+" wrapped *types.Error", cmd, failWrapped, typedErr()),
		)
	}
	DescribeTable("passes a *types.Error through and turns any other error into code 999",
		func(cmd, fail string, want *types.Error) {
			o := dispatch(invocation{env: envFor(cmd), stdin: conf("1.1.0"), fail: fail})
			Expect(o.err).To(Equal(want))
			Expect(o.stdout).To(HavePrefix(cmd + " called"))
		}, entries)

	It("succeeds without calling anything for a nil verb", func() {
		for _, cmd := range verbCmds {
			env := envFor(cmd)
			var stdout strings.Builder
			d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(conf("1.1.0")), Stdout: &stdout}
			Expect(d.Main(skel.CNIFuncs{}, version.All, "")).To(BeNil(), cmd)
			Expect(stdout.String()).To(BeEmpty(), cmd)
		}
	})
})

var _ = Describe("Dispatcher.Run", func() {
	run := func(inv invocation, stdout *strings.Builder, stderr *strings.Builder) int {
		d := &skel.Dispatcher{Getenv: func(k string) string { return inv.env[k] }, Stdin: strings.NewReader(inv.stdin), Stdout: stdout, Stderr: stderr}
		return d.Run(fakeFuncs(stdout, inv.fail), version.All, inv.about)
	}

	It("prints the error object indented and returns 1", func() {
		var stdout, stderr strings.Builder
		Expect(run(invocation{env: envFor("ADD"), stdin: conf("1.1.0"), fail: failTyped}, &stdout, &stderr)).To(Equal(1))
		Expect(stdout.String()).To(HaveSuffix("\n{\n    \"code\": 11,\n    \"msg\": \"try again\",\n    \"details\": \"busy\"\n}"))
		Expect(stderr.String()).To(BeEmpty())
	})

	It("returns 0 and prints nothing of its own on success", func() {
		var stdout, stderr strings.Builder
		Expect(run(invocation{env: envFor("DEL"), stdin: conf("1.1.0")}, &stdout, &stderr)).To(Equal(0))
		Expect(stdout.String()).To(HavePrefix("DEL called"))
		Expect(strings.Count(stdout.String(), "\n")).To(Equal(1))
	})

	It("reports on stderr when the error cannot be written", func() {
		env := envFor("ADD", "CNI_PATH=")
		var stderr strings.Builder
		d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(""), Stdout: errWriter{}, Stderr: &stderr}
		Expect(d.Run(skel.CNIFuncs{}, version.All, "")).To(Equal(1))
		Expect(stderr.String()).To(Equal("Error writing error JSON to stdout: pipe closed\n"))
	})
})
