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
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// run is one execution of the static binary.
type run struct {
	stdout, stderr []byte
	exitCode       int
}

// runStatic runs the built binary with exactly the CNI environment given
// (no CNI_* variable leaks in from the test's own environment) and stdin.
func runStatic(command, cniArgs string, stdin []byte) run {
	GinkgoHelper()
	return runBin(staticBin, command, cniArgs, stdin)
}

// runBin runs the plugin binary bin as runStatic does.
func runBin(bin, command, cniArgs string, stdin []byte) run {
	GinkgoHelper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if command != "" {
		// static never enters the namespace; a path that does not
		// exist also passes skel's "not the plugin's own netns" check.
		cmd.Env = append(cmd.Env,
			"CNI_COMMAND="+command,
			"CNI_CONTAINERID=static-binary-test",
			"CNI_NETNS="+filepath.Join(GinkgoT().TempDir(), "netns"),
			"CNI_IFNAME=eth0",
			"CNI_PATH="+filepath.Dir(bin))
	}
	if cniArgs != "" {
		cmd.Env = append(cmd.Env, "CNI_ARGS="+cniArgs)
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.exitCode = exit.ExitCode()
	} else {
		Expect(err).NotTo(HaveOccurred(), "run %s", bin)
	}
	return r
}

// oneObject asserts that out is exactly one JSON object (whitespace
// around it allowed) and returns it decoded.
func oneObject(out []byte) map[string]any {
	GinkgoHelper()
	dec := json.NewDecoder(bytes.NewReader(out))
	var obj map[string]any
	Expect(dec.Decode(&obj)).To(Succeed(), "stdout %q is not a JSON object", out)
	Expect(obj).NotTo(BeNil(), "stdout %q is not a JSON object", out)
	var extra json.RawMessage
	Expect(dec.Decode(&extra)).To(MatchError(io.EOF), "stdout %q holds more than one JSON value", out)
	return obj
}

var _ = Describe("the static binary", func() {
	const ipam = `{"type": "static",
		"addresses": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}],
		"routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.2"}]}`

	DescribeTable("ADD prints one result object and exits 0",
		func(v string) {
			r := runStatic("ADD", "", netConf(v, ipam))
			Expect(r.exitCode).To(Equal(0), "stderr: %s", r.stderr)
			obj := oneObject(r.stdout)
			Expect(obj).To(HaveKeyWithValue("cniVersion", v))
			if atLeast(v, "0.3.0") {
				Expect(obj).To(HaveKey("ips"))
				Expect(obj["routes"]).To(HaveLen(2))
			} else {
				Expect(obj).To(HaveKey("ip4"))
			}
		},
		versionEntries(),
	)

	It("ADD applies CNI_ARGS", func() {
		r := runStatic("ADD", "IgnoreUnknown=1;K8S_POD_NAME=web;IP=198.51.100.5/24;GATEWAY=198.51.100.1", netConf("1.1.0", `{}`))
		Expect(r.exitCode).To(Equal(0), "stderr: %s", r.stderr)
		Expect(r.stdout).To(MatchJSON(`{"cniVersion": "1.1.0", "ips": [{"address": "198.51.100.5/24", "gateway": "198.51.100.1"}]}`))
	})

	DescribeTable("errors print one error object and exit non-zero",
		func(command, cniArgs string, stdin []byte, code float64, msg string) {
			r := runStatic(command, cniArgs, stdin)
			Expect(r.exitCode).NotTo(Equal(0))
			obj := oneObject(r.stdout)
			Expect(obj).To(HaveKeyWithValue("code", code))
			Expect(obj).To(HaveKeyWithValue("msg", HavePrefix(msg)))
		},
		Entry("ADD with an invalid address", "ADD", "",
			netConf("1.1.0", `{"addresses": [{"address": "192.0.2.300/24"}]}`),
			7.0, `invalid ipam.addresses[0].address "192.0.2.300/24": not a CIDR`),
		Entry("ADD with an invalid route", "ADD", "",
			netConf("0.4.0", `{"routes": [{"dst": "0.0.0.0/0", "gw": "2001:db8::1"}]}`),
			7.0, `invalid ipam.routes[0].gw "2001:db8::1": IPv6 gateway for IPv4 destination 0.0.0.0/0`),
		Entry("ADD without ipam", "ADD", "", netConf("1.1.0", ""),
			7.0, "missing ipam"),
		Entry("ADD with unknown CNI_ARGS", "ADD", "FOO=bar", netConf("1.1.0", `{}`),
			7.0, `invalid CNI_ARGS "FOO=bar"`),
		Entry("ADD with two IPv4 addresses on 0.2.0", "ADD", "",
			netConf("0.2.0", `{"addresses": [{"address": "192.0.2.10/24"}, {"address": "192.0.2.11/24"}]}`),
			7.0, `invalid addresses for cniVersion "0.2.0": 2 IPv4 addresses`),
		Entry("ADD with undecodable JSON", "ADD", "", []byte(`{"cniVersion": "1.1.0", "name": `),
			6.0, ""),
		Entry("CHECK with an invalid config", "CHECK", "",
			netConf("1.1.0", `{"addresses": [{"address": "192.0.2.10/24", "gateway": "banana"}]}`),
			7.0, `invalid ipam.addresses[0].gateway "banana": not an IP`),
		Entry("CHECK without prevResult", "CHECK", "", netConf("1.1.0", ipam),
			7.0, "check: no prevResult; CHECK needs the result of ADD"),
		Entry("GC with a version that has no GC", "GC", "", netConf("1.0.0", ipam),
			1.0, "config version does not allow GC"),
		Entry("an unknown command", "FROB", "", netConf("1.1.0", ipam),
			4.0, "unknown CNI_COMMAND: FROB"),
	)

	DescribeTable("DEL, CHECK, GC and STATUS succeed silently",
		func(command string, stdin []byte) {
			r := runStatic(command, "", stdin)
			Expect(r.exitCode).To(Equal(0), "stdout %s stderr %s", r.stdout, r.stderr)
			Expect(r.stdout).To(BeEmpty())
		},
		Entry("DEL", "DEL", netConf("1.1.0", ipam)),
		Entry("DEL of an invalid config", "DEL", netConf("1.1.0", `{"addresses": [{"address": "bad"}]}`)),
		Entry("CHECK", "CHECK", netConf("1.1.0", ipam, `"prevResult": {"cniVersion": "1.1.0", "ips": [{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}]}`)),
		Entry("GC", "GC", netConf("1.1.0", ipam)),
		Entry("STATUS", "STATUS", netConf("1.1.0", ipam)),
	)

	It("VERSION prints one object listing every spec version", func() {
		r := runStatic("VERSION", "", nil)
		Expect(r.exitCode).To(Equal(0))
		obj := oneObject(r.stdout)
		want := []any{}
		for _, v := range testutils.SpecVersions() {
			want = append(want, v)
		}
		Expect(obj).To(HaveKeyWithValue("supportedVersions", Equal(want)))
	})

	It("without CNI_COMMAND prints the about string on stderr only", func() {
		r := runStatic("", "", nil)
		Expect(r.exitCode).To(Equal(0))
		Expect(r.stdout).To(BeEmpty())
		Expect(string(r.stderr)).To(HavePrefix("CNI static plugin "))
	})
})
