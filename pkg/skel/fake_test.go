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
	"io"
	"sort"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

// The fake plugin: every verb writes one line naming itself and the
// arguments it got to out, then fails as fail says.
const (
	failNone    = ""
	failPlain   = "plain"   // errors.New("boom")
	failTyped   = "typed"   // *types.Error code 11
	failWrapped = "wrapped" // the code 11 error wrapped by fmt.Errorf
)

func typedErr() *types.Error {
	return types.NewError(types.ErrTryAgainLater, "try again", "busy")
}

func fakeVerb(out io.Writer, fail, name, id, netns, ifName, args, path, override string, stdin []byte) error {
	_, _ = fmt.Fprintf(out, "%s called: id=%q netns=%q ifname=%q args=%q path=%q override=%q stdin=%d\n",
		name, id, netns, ifName, args, path, override, len(stdin))
	switch fail {
	case failPlain:
		return errors.New("boom")
	case failTyped:
		return typedErr()
	case failWrapped:
		return fmt.Errorf("wrap: %w", typedErr())
	}
	return nil
}

// fakeFuncs returns the fake plugin's verbs for our dispatcher.
func fakeFuncs(out io.Writer, fail string) skel.CNIFuncs {
	verb := func(name string) func(*skel.CmdArgs) error {
		return func(a *skel.CmdArgs) error {
			return fakeVerb(out, fail, name, a.ContainerID, a.Netns, a.IfName, a.Args, a.Path, a.NetnsOverride, a.StdinData)
		}
	}
	return skel.CNIFuncs{Add: verb("ADD"), Del: verb("DEL"), Check: verb("CHECK"), GC: verb("GC"), Status: verb("STATUS")}
}

// invocation is one call of a plugin.
type invocation struct {
	env      map[string]string // unset and empty are the same to a plugin
	stdin    string
	versions []string // nil: version.All
	about    string
	fail     string
}

func (inv invocation) supported() []string {
	if inv.versions == nil {
		return version.All.SupportedVersions()
	}
	return inv.versions
}

// envList is inv.env as KEY=VALUE lines in a stable order.
func (inv invocation) envList() []string {
	var l []string
	for k, v := range inv.env {
		if v != "" {
			l = append(l, k+"="+v)
		}
	}
	sort.Strings(l)
	return l
}

func (inv invocation) String() string {
	return fmt.Sprintf("env %q stdin %q versions %q about %q fail %q",
		inv.envList(), inv.stdin, inv.supported(), inv.about, inv.fail)
}

// absentNetNS is a CNI_NETNS that does not exist, so the netns check
// passes without root or namespaces.
const absentNetNS = "/nonexistent/skel-test-netns"

// envFor returns a complete, valid environment for cmd, changed by
// overrides given as "KEY=VALUE" ("KEY=" unsets KEY).
func envFor(cmd string, overrides ...string) map[string]string {
	env := map[string]string{
		"CNI_COMMAND":     cmd,
		"CNI_CONTAINERID": "ctr-1",
		"CNI_NETNS":       absentNetNS,
		"CNI_IFNAME":      "eth0",
		"CNI_ARGS":        "IgnoreUnknown=1",
		"CNI_PATH":        "/opt/cni/bin",
	}
	for _, o := range overrides {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			panic("override without '=': " + o)
		}
		env[k] = v
	}
	return env
}

// conf returns a network configuration of the given cniVersion ("" leaves
// the field out).
func conf(cniVersion string) string {
	if cniVersion == "" {
		return `{"name":"test-net","type":"fake"}`
	}
	return fmt.Sprintf(`{"cniVersion":%q,"name":"test-net","type":"fake"}`, cniVersion)
}

// outcome is what a plugin call produced.
type outcome struct {
	err            *types.Error
	stdout, stderr string
}

// dispatch runs inv through our Dispatcher with buffers.
func dispatch(inv invocation) outcome {
	var stdout, stderr strings.Builder
	d := &skel.Dispatcher{
		Getenv: func(k string) string { return inv.env[k] },
		Stdin:  strings.NewReader(inv.stdin),
		Stdout: &stdout,
		Stderr: &stderr,
	}
	e := d.Main(fakeFuncs(&stdout, inv.fail), version.PluginSupports(inv.supported()...), inv.about)
	return outcome{err: e, stdout: stdout.String(), stderr: stderr.String()}
}
