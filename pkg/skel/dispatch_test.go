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
	"errors"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

// verbCmds are the commands that call a plugin function.
var verbCmds = []string{"ADD", "CHECK", "DEL", "GC", "STATUS"}

func errEnv(msg string) *types.Error {
	return types.NewError(types.ErrInvalidEnvironmentVariables, msg, "")
}

func missingEnv(names string) *types.Error {
	return errEnv("required env variables [" + names + "] missing")
}

func errIncompatible(msg, details string) *types.Error {
	return types.NewError(types.ErrIncompatibleCNIVersion, msg, details)
}

// expectRefused asserts that o is exactly want and that no verb ran.
func expectRefused(o outcome, want *types.Error) {
	GinkgoHelper()
	Expect(o.err).To(Equal(want))
	Expect(o.stdout).NotTo(ContainSubstring(" called"), "a verb ran")
}

// expectCalled asserts that o succeeded after calling cmd exactly once.
func expectCalled(o outcome, cmd string) {
	GinkgoHelper()
	Expect(o.err).To(BeNil())
	Expect(strings.Count(o.stdout, " called")).To(Equal(1), "stdout %q", o.stdout)
	Expect(o.stdout).To(HavePrefix(cmd + " called"))
}

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }

var _ = Describe("Dispatcher.Main", func() {
	DescribeTable("refuses a call without a required variable, naming all missing ones in order",
		func(cmd string, unset []string, want string) {
			env := envFor(cmd)
			for _, k := range unset {
				delete(env, k)
			}
			expectRefused(dispatch(invocation{env: env, stdin: conf("1.1.0")}), missingEnv(want))
		},
		Entry(nil, "ADD", []string{"CNI_CONTAINERID"}, "CNI_CONTAINERID"),
		Entry(nil, "ADD", []string{"CNI_NETNS"}, "CNI_NETNS"),
		Entry(nil, "ADD", []string{"CNI_IFNAME"}, "CNI_IFNAME"),
		Entry(nil, "ADD", []string{"CNI_PATH"}, "CNI_PATH"),
		Entry(nil, "ADD", []string{"CNI_PATH", "CNI_IFNAME", "CNI_NETNS", "CNI_CONTAINERID"}, "CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH"),
		Entry(nil, "CHECK", []string{"CNI_CONTAINERID"}, "CNI_CONTAINERID"),
		Entry(nil, "CHECK", []string{"CNI_NETNS"}, "CNI_NETNS"),
		Entry(nil, "CHECK", []string{"CNI_IFNAME"}, "CNI_IFNAME"),
		Entry(nil, "CHECK", []string{"CNI_PATH"}, "CNI_PATH"),
		Entry(nil, "CHECK", []string{"CNI_PATH", "CNI_IFNAME", "CNI_NETNS", "CNI_CONTAINERID"}, "CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH"),
		Entry(nil, "DEL", []string{"CNI_CONTAINERID"}, "CNI_CONTAINERID"),
		Entry(nil, "DEL", []string{"CNI_IFNAME"}, "CNI_IFNAME"),
		Entry(nil, "DEL", []string{"CNI_PATH"}, "CNI_PATH"),
		Entry(nil, "DEL", []string{"CNI_PATH", "CNI_NETNS", "CNI_IFNAME", "CNI_CONTAINERID"}, "CNI_CONTAINERID,CNI_IFNAME,CNI_PATH"),
		Entry(nil, "GC", []string{"CNI_PATH"}, "CNI_PATH"),
		Entry(nil, "GC", []string{"CNI_PATH", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}, "CNI_PATH"),
		Entry(nil, "STATUS", []string{"CNI_PATH"}, "CNI_PATH"),
		Entry(nil, "STATUS", []string{"CNI_PATH", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}, "CNI_PATH"),
	)

	DescribeTable("does not require or validate variables a command does not use",
		func(cmd string, overrides ...string) {
			env := envFor(cmd, overrides...)
			o := dispatch(invocation{env: env, stdin: conf("1.1.0")})
			if cmd == "VERSION" {
				Expect(o.err).To(BeNil())
				Expect(o.stdout).To(HavePrefix(`{"cniVersion":`))
				return
			}
			expectCalled(o, cmd)
		},
		Entry(nil, "ADD", "CNI_ARGS="),
		Entry(nil, "CHECK", "CNI_ARGS="),
		Entry(nil, "DEL", "CNI_NETNS=", "CNI_ARGS="),
		Entry(nil, "GC", "CNI_CONTAINERID=", "CNI_NETNS=", "CNI_IFNAME=", "CNI_ARGS="),
		Entry(nil, "GC", "CNI_CONTAINERID=-bad id", "CNI_IFNAME=a/b"),
		Entry(nil, "STATUS", "CNI_CONTAINERID=", "CNI_NETNS=", "CNI_IFNAME=", "CNI_ARGS="),
		Entry(nil, "STATUS", "CNI_CONTAINERID=-bad id", "CNI_IFNAME=a/b"),
		Entry(nil, "VERSION", "CNI_CONTAINERID=", "CNI_NETNS=", "CNI_IFNAME=", "CNI_PATH="),
		Entry(nil, "VERSION", "CNI_CONTAINERID=-bad id", "CNI_IFNAME=a/b"),
	)

	It("passes the environment and stdin to the verb unchanged", func() {
		stdin := " {\"name\":\"test-net\", \"cniVersion\":\"1.0.0\", \"extra\":[1,2]}\n"
		var got *skel.CmdArgs
		env := envFor("ADD", "CNI_NETNS_OVERRIDE=false")
		d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(stdin)}
		funcs := skel.CNIFuncs{Add: func(a *skel.CmdArgs) error { got = a; return nil }}
		Expect(d.Main(funcs, version.All, "")).To(BeNil())
		Expect(got).To(Equal(&skel.CmdArgs{
			ContainerID: "ctr-1", Netns: absentNetNS, IfName: "eth0", Args: "IgnoreUnknown=1",
			Path: "/opt/cni/bin", NetnsOverride: "false", StdinData: []byte(stdin),
		}))
	})

	Describe("CNI_CONTAINERID", func() {
		invalid := []string{"-ctr", "_ctr", ".ctr", "ctr 1", "ctr/1", "ctr:1", "ctr\n", "ctré", "ctr*", "é"}
		valid := []string{"a", "0", "Z", "A-b_c.d", "ctr-", "x..y", strings.Repeat("f", 64)}
		var bad, good []TableEntry
		for _, cmd := range []string{"ADD", "CHECK", "DEL"} {
			for _, id := range invalid {
				bad = append(bad, Entry(fmt.Sprintf("%s %q", cmd, id), cmd, id))
			}
			for _, id := range valid {
				good = append(good, Entry(fmt.Sprintf("%s %q", cmd, id), cmd, id))
			}
		}
		DescribeTable("refuses an ID outside [a-zA-Z0-9][a-zA-Z0-9_.-]*", func(cmd, id string) {
			o := dispatch(invocation{env: envFor(cmd, "CNI_CONTAINERID="+id), stdin: conf("1.1.0")})
			expectRefused(o, types.NewError(types.ErrInvalidEnvironmentVariables, "invalid characters in containerID", id))
		}, bad)
		DescribeTable("accepts", func(cmd, id string) {
			expectCalled(dispatch(invocation{env: envFor(cmd, "CNI_CONTAINERID="+id), stdin: conf("1.1.0")}), cmd)
		}, good)
	})

	Describe("CNI_IFNAME", func() {
		const (
			whitespace = "interface name contains / or : or whitespace characters"
			tooLong    = "interface name is too long"
		)
		type bad struct{ name, msg, details string }
		invalid := []bad{
			{"abcdefghijklmnop", tooLong, "interface name should be less than 16 characters"},
			{"ääääääää", tooLong, "interface name should be less than 16 characters"}, // 16 bytes
			{".", "interface name is . or ..", ""},
			{"..", "interface name is . or ..", ""},
			{"a/b", whitespace, ""},
			{"a:b", whitespace, ""},
			{"a b", whitespace, ""},
			{"a\tb", whitespace, ""},
			{"eth0\n", whitespace, ""},
			{"a\u00a0b", whitespace, ""}, // no-break space
			{"a\u2003b", whitespace, ""}, // em space
			{"\u0085a", whitespace, ""},  // next line
		}
		valid := []string{"abcdefghijklmno", "eth0.100", "ä", "-x", "...", "a@b", "net1_2"}
		var badEntries, goodEntries []TableEntry
		for _, cmd := range []string{"ADD", "CHECK", "DEL"} {
			for _, b := range invalid {
				badEntries = append(badEntries, Entry(fmt.Sprintf("%s %q", cmd, b.name), cmd, b))
			}
			for _, name := range valid {
				goodEntries = append(goodEntries, Entry(fmt.Sprintf("%s %q", cmd, name), cmd, name))
			}
		}
		DescribeTable("refuses a name the kernel would refuse", func(cmd string, b bad) {
			o := dispatch(invocation{env: envFor(cmd, "CNI_IFNAME="+b.name), stdin: conf("1.1.0")})
			expectRefused(o, types.NewError(types.ErrInvalidEnvironmentVariables, b.msg, b.details))
		}, badEntries)
		DescribeTable("accepts", func(cmd, name string) {
			expectCalled(dispatch(invocation{env: envFor(cmd, "CNI_IFNAME="+name), stdin: conf("1.1.0")}), cmd)
		}, goodEntries)
	})

	It("reports an invalid variable at once, before later missing ones", func() {
		o := dispatch(invocation{env: envFor("ADD", "CNI_CONTAINERID=-x", "CNI_IFNAME=", "CNI_PATH="), stdin: conf("1.1.0")})
		expectRefused(o, types.NewError(types.ErrInvalidEnvironmentVariables, "invalid characters in containerID", "-x"))
		o = dispatch(invocation{env: envFor("ADD", "CNI_CONTAINERID=", "CNI_IFNAME=a:b"), stdin: conf("1.1.0")})
		expectRefused(o, errEnv("interface name contains / or : or whitespace characters"))
	})

	It("checks the environment before reading stdin", func() {
		env := envFor("ADD", "CNI_PATH=")
		d := &skel.Dispatcher{Getenv: func(k string) string { return env[k] }, Stdin: errReader{}}
		Expect(d.Main(skel.CNIFuncs{}, version.All, "")).To(Equal(missingEnv("CNI_PATH")))
	})

	It("prints the about text and supported versions to stderr when CNI_COMMAND is unset", func() {
		o := dispatch(invocation{
			env:      envFor("", "CNI_IFNAME=a/b"),
			stdin:    "not json",
			versions: []string{"0.4.0", "1.0.0", "1.1.0"},
			about:    "CNI fake plugin v1.2.3",
		})
		Expect(o.err).To(BeNil())
		Expect(o.stdout).To(BeEmpty())
		Expect(o.stderr).To(Equal("CNI fake plugin v1.2.3\nCNI protocol versions supported: 0.4.0, 1.0.0, 1.1.0\n"))
	})

	It("reports CNI_COMMAND missing when it is unset and there is no about text", func() {
		o := dispatch(invocation{env: envFor(""), stdin: conf("1.1.0")})
		expectRefused(o, missingEnv("CNI_COMMAND"))
		Expect(o.stderr).To(BeEmpty())
	})

	DescribeTable("refuses an unknown CNI_COMMAND after checking the configuration",
		func(cmd, stdin string, want *types.Error) {
			expectRefused(dispatch(invocation{env: envFor(cmd), stdin: stdin, about: "about"}), want)
		},
		Entry(nil, "FOO", conf("1.1.0"), errEnv("unknown CNI_COMMAND: FOO")),
		Entry(nil, "add", conf("1.1.0"), errEnv("unknown CNI_COMMAND: add")),
		Entry(nil, "version", conf("1.1.0"), errEnv("unknown CNI_COMMAND: version")),
		Entry(nil, "FOO", "{", types.NewError(types.ErrDecodingFailure, "error unmarshall network config: unexpected end of JSON input", "")),
		Entry(nil, "FOO", `{"cniVersion":"1.1.0"}`, types.NewError(types.ErrInvalidNetworkConfig, "missing network name", "")),
		Entry(nil, "FOO", `{"name":"net","cniVersion":5}`, errEnv("unknown CNI_COMMAND: FOO")),
	)
})
