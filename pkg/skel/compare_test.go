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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

// pluginRun is what one run of the test binary as a plugin produced.
type pluginRun struct {
	stdout, stderr string
	exit           int
}

// runPlugin runs the test binary as the fake plugin on dispatcher impl
// ("ours" or "cni") with exactly inv's environment.
func runPlugin(impl string, inv invocation) (pluginRun, error) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(inv.envList(),
		envImpl+"="+impl,
		envVersions+"="+strings.Join(inv.supported(), ","),
		envAbout+"="+inv.about,
		envFail+"="+inv.fail,
	)
	if dir := os.Getenv("GOCOVERDIR"); dir != "" {
		cmd.Env = append(cmd.Env, "GOCOVERDIR="+dir)
	}
	cmd.Stdin = strings.NewReader(inv.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		err = nil
	}
	return pluginRun{stdout: stdout.String(), stderr: stderr.String(), exit: cmd.ProcessState.ExitCode()}, err
}

// runOurs runs inv through our Dispatcher.Run with buffers.
func runOurs(inv invocation) pluginRun {
	var stdout, stderr strings.Builder
	d := &skel.Dispatcher{
		Getenv: func(k string) string { return inv.env[k] },
		Stdin:  strings.NewReader(inv.stdin),
		Stdout: &stdout,
		Stderr: &stderr,
	}
	exit := d.Run(fakeFuncs(&stdout, inv.fail), version.PluginSupports(inv.supported()...), inv.about)
	return pluginRun{stdout: stdout.String(), stderr: stderr.String(), exit: exit}
}

// runCNIBatch runs every invocation through cni's skel in one process (see
// cniBatch).
func runCNIBatch(invs []invocation) []pluginRun {
	GinkgoHelper()
	calls := make([]batchCall, len(invs))
	for i, inv := range invs {
		calls[i] = inv.batchCall()
	}
	in, err := json.Marshal(calls)
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{envImpl + "=cni-batch"}
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	Expect(err).NotTo(HaveOccurred(), "cni-batch: %s", stderr.String())
	var results []batchResult
	Expect(json.Unmarshal(out, &results)).To(Succeed())
	Expect(results).To(HaveLen(len(invs)))
	runs := make([]pluginRun, len(results))
	for i, r := range results {
		runs[i] = pluginRun{stdout: r.Stdout, stderr: r.Stderr, exit: r.Exit}
	}
	return runs
}

// comparedInvocations are calls on which our dispatcher must print exactly
// what cni's skel v1.3.1 prints, to the byte, with the same exit status.
func comparedInvocations() []invocation {
	var invs []invocation
	add := func(inv invocation) { invs = append(invs, inv) }
	for _, cmd := range verbCmds {
		for _, v := range []string{"", "0.3.1", "0.4.0", "0.4.1", "1.0.0", "1.1.0", "1.2.0", "abc", "1.0.0.0"} {
			add(invocation{env: envFor(cmd), stdin: conf(v)})
		}
		add(invocation{env: envFor(cmd), stdin: conf("1.1.0"), versions: []string{"1.0.0"}})
		add(invocation{env: envFor(cmd), stdin: conf("0.4.1"), versions: []string{"0.4.0", "1.0.0"}})
		add(invocation{env: envFor(cmd), stdin: conf("1.0.0"), versions: []string{"x", "1.0.0"}})
		for _, k := range []string{"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"} {
			add(invocation{env: envFor(cmd, k+"="), stdin: conf("1.1.0")})
		}
		add(invocation{env: envFor(cmd, "CNI_CONTAINERID=", "CNI_NETNS=", "CNI_IFNAME=", "CNI_PATH="), stdin: conf("1.1.0")})
		for _, o := range []string{"CNI_CONTAINERID=-x", "CNI_CONTAINERID=a b", "CNI_IFNAME=a/b", "CNI_IFNAME=..",
			"CNI_IFNAME=abcdefghijklmnop", "CNI_IFNAME=a\u00a0b", "CNI_NETNS=/proc/self/ns/uts"} {
			add(invocation{env: envFor(cmd, o), stdin: conf("1.1.0")})
		}
		add(invocation{env: envFor(cmd, "CNI_CONTAINERID=-x", "CNI_IFNAME="), stdin: conf("1.1.0")})
		add(invocation{env: envFor(cmd, "CNI_CONTAINERID=", "CNI_IFNAME=a:b"), stdin: conf("1.1.0")})
		add(invocation{env: envFor(cmd, "CNI_NETNS=/proc/self/ns/net", "CNI_NETNS_OVERRIDE=true"), stdin: conf("1.1.0")})
		for _, stdin := range []string{"", "{", `{"name":"x",}`, `{"name":5,"cniVersion":"1.1.0"}`,
			`{"cniVersion":"1.1.0"}`, `{"cniVersion":"1.1.0","name":"-net"}`, `{"cniVersion":"1.1.0","name":"a b"}`, "[]", `"x"`, `{"name":"n","cniVersion":5}`, `{"cniVersion":5}`, `{"name":5,"cniVersion":5}`, `{"cniVersion":5,"name":5}`} {
			add(invocation{env: envFor(cmd), stdin: stdin})
		}
		for _, fail := range []string{failPlain, failTyped, failWrapped} {
			add(invocation{env: envFor(cmd), stdin: conf("1.1.0"), fail: fail})
		}
	}
	for _, cmd := range []string{"VERSION", "FOO", "add"} {
		add(invocation{env: envFor(cmd), stdin: conf("1.1.0")})
		add(invocation{env: envFor(cmd), stdin: "{", versions: []string{"0.4.0", "1.0.0"}})
		add(invocation{env: envFor(cmd), stdin: `{"name":"net","cniVersion":5}`})
		add(invocation{env: envFor(cmd), stdin: `[]`})
		add(invocation{env: envFor(cmd, "CNI_PATH=", "CNI_IFNAME=a/b"), stdin: conf("1.1.0"), about: "about"})
	}
	add(invocation{env: envFor(""), stdin: conf("1.1.0")})
	add(invocation{env: envFor(""), stdin: "{", about: "CNI fake plugin v0.0.1"})
	add(invocation{env: envFor("", "CNI_IFNAME=a/b"), about: "CNI fake plugin v0.0.1", versions: []string{"1.1.0"}})
	return invs
}

var _ = Describe("compared with cni's skel v1.3.1", func() {
	It("prints the same and exits the same", func() {
		invs := comparedInvocations()
		cni := runCNIBatch(invs)
		for i, inv := range invs {
			Expect(runOurs(inv)).To(Equal(cni[i]), "%s", inv)
		}
		AddReportEntry(fmt.Sprintf("%d invocations compared", len(invs)))
	})

	It("differs only in refusing ADD and DEL on the plugin's own namespace before calling them", func() {
		var invs []invocation
		for _, cmd := range []string{"ADD", "DEL"} {
			for _, override := range []string{"", "0", "false"} {
				invs = append(invs, invocation{env: envFor(cmd, "CNI_NETNS=/proc/self/ns/net", "CNI_NETNS_OVERRIDE="+override), stdin: conf("1.1.0")})
			}
		}
		cni := runCNIBatch(invs)
		for i, inv := range invs {
			ours := runOurs(inv)
			Expect(ours.stdout).To(HavePrefix("{\n    \"code\": 8,"), "%s", inv)
			Expect(ours.stdout).NotTo(ContainSubstring(" called"), "%s", inv)
			verb, _, _ := strings.Cut(cni[i].stdout, "\n")
			Expect(verb).To(HaveSuffix(fmt.Sprintf("override=%q stdin=%d", inv.env["CNI_NETNS_OVERRIDE"], len(inv.stdin))), "cni's skel called the verb first")
			Expect(cni[i]).To(Equal(pluginRun{stdout: verb + "\n" + ours.stdout, stderr: ours.stderr, exit: ours.exit}), "%s", inv)
		}
	})

	DescribeTable("PluginMainFuncs prints the same and exits the same as a process",
		func(inv invocation) {
			ours, err := runPlugin("ours", inv)
			Expect(err).NotTo(HaveOccurred())
			cni, err := runPlugin("cni", inv)
			Expect(err).NotTo(HaveOccurred())
			Expect(ours).To(Equal(cni))
		},
		// Two cases only: a process start costs up to 2 s here under -race.
		Entry("success", invocation{env: envFor("ADD"), stdin: conf("1.1.0")}),
		Entry("verb error", invocation{env: envFor("DEL"), stdin: conf("1.1.0"), fail: failPlain}),
	)
})
