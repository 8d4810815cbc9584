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
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cniskel "github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

// TestMain lets the test binary act as a plugin built on either dispatcher
// (see runAsPlugin), so that compare_test.go can run both side by side.
func TestMain(m *testing.M) {
	if runAsPlugin() {
		return
	}
	m.Run()
}

// cniFakeFuncs returns the verbs of fakeFuncs for cni's skel.
func cniFakeFuncs(out io.Writer, fail string) cniskel.CNIFuncs {
	verb := func(name string) func(*cniskel.CmdArgs) error {
		return func(a *cniskel.CmdArgs) error {
			return fakeVerb(out, fail, name, a.ContainerID, a.Netns, a.IfName, a.Args, a.Path, a.NetnsOverride, a.StdinData)
		}
	}
	return cniskel.CNIFuncs{Add: verb("ADD"), Del: verb("DEL"), Check: verb("CHECK"), GC: verb("GC"), Status: verb("STATUS")}
}

// Environment variables that turn the test binary into the fake plugin.
const (
	envImpl     = "SKEL_TEST_IMPL" // "ours", "cni" or "cni-batch"
	envVersions = "SKEL_TEST_VERSIONS"
	envAbout    = "SKEL_TEST_ABOUT"
	envFail     = "SKEL_TEST_FAIL"
)

// runAsPlugin runs the fake plugin on the dispatcher SKEL_TEST_IMPL names,
// with the process's own environment, stdin and stdout, and exits. It
// returns false when SKEL_TEST_IMPL is unset.
func runAsPlugin() bool {
	impl := os.Getenv(envImpl)
	if impl == "" {
		return false
	}
	if impl == "cni-batch" {
		if err := cniBatch(); err != nil {
			_, _ = fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	info := version.PluginSupports(strings.Split(os.Getenv(envVersions), ",")...)
	about, fail := os.Getenv(envAbout), os.Getenv(envFail)
	switch impl {
	case "ours":
		skel.PluginMainFuncs(fakeFuncs(os.Stdout, fail), info, about)
	case "cni":
		cniskel.PluginMainFuncs(cniFakeFuncs(os.Stdout, fail), info, about)
	default:
		_, _ = fmt.Fprintf(os.Stderr, "unknown %s %q\n", envImpl, impl)
		os.Exit(2)
	}
	os.Exit(0)
	return true
}

// batchCall and batchResult carry invocations to the cni-batch oracle and
// what cni's skel made of them back.
type batchCall struct {
	Env      map[string]string
	Stdin    string
	Versions []string
	About    string
	Fail     string
}

type batchResult struct {
	Stdout, Stderr string
	Exit           int
}

func (inv invocation) batchCall() batchCall {
	return batchCall{Env: inv.env, Stdin: inv.stdin, Versions: inv.supported(), About: inv.about, Fail: inv.fail}
}

// cniBatch reads a JSON list of batchCall from stdin, runs each through
// cni's skel.PluginMainFuncsWithError as PluginMainFuncs would (printing the
// error with types.Error.Print, exit status 1 on error), and writes the list
// of batchResult to stdout.
//
// cni's skel reads only the process's environment, stdin and stdout, so
// this swaps them for every call. That is why it runs in its own process,
// one process for all calls: a process per call costs ~45 ms here, and
// up to 2 s under -race.
func cniBatch() error {
	var calls []batchCall
	if err := json.NewDecoder(os.Stdin).Decode(&calls); err != nil {
		return fmt.Errorf("decode calls: %w", err)
	}
	dir, err := os.MkdirTemp("", "skel-cni-batch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	realStdout, realStderr := os.Stdout, os.Stderr
	defer func() { os.Stdout, os.Stderr = realStdout, realStderr }()

	results := make([]batchResult, len(calls))
	for i, c := range calls {
		if results[i], err = cniCall(dir, c); err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
	}
	return json.NewEncoder(realStdout).Encode(results)
}

// cniCall runs one batchCall through cni's skel with files for stdin,
// stdout and stderr.
func cniCall(dir string, c batchCall) (batchResult, error) {
	os.Clearenv()
	for k, v := range c.Env {
		if v != "" {
			if err := os.Setenv(k, v); err != nil {
				return batchResult{}, err
			}
		}
	}
	files := make([]*os.File, 3)
	for i, name := range []string{"stdin", "stdout", "stderr"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return batchResult{}, err
		}
		defer f.Close()
		files[i] = f
	}
	if _, err := files[0].WriteString(c.Stdin); err != nil {
		return batchResult{}, err
	}
	if _, err := files[0].Seek(0, 0); err != nil {
		return batchResult{}, err
	}
	os.Stdin, os.Stdout, os.Stderr = files[0], files[1], files[2]

	var res batchResult
	if e := cniskel.PluginMainFuncsWithError(cniFakeFuncs(os.Stdout, c.Fail), version.PluginSupports(c.Versions...), c.About); e != nil {
		if err := e.Print(); err != nil {
			return res, err
		}
		res.Exit = 1
	}
	out, err := os.ReadFile(files[1].Name())
	if err != nil {
		return res, err
	}
	errOut, err := os.ReadFile(files[2].Name())
	if err != nil {
		return res, err
	}
	res.Stdout, res.Stderr = string(out), string(errOut)
	return res, nil
}
