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

package testutils

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// stdoutMu serializes the in-process verbs: they all swap os.Stdout.
var stdoutMu sync.Mutex

// captureStdout runs f(args) with os.Stdout redirected into a pipe and
// returns what f printed. os.Stdout is restored even when f panics. skel's
// dispatcher is not exported, so a plugin's cmdAdd can only be run as
// written, printing its result to os.Stdout.
func captureStdout(args *skel.CmdArgs, f func(*skel.CmdArgs) error) ([]byte, error) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()

	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create stdout pipe: %w", err)
	}
	var buf bytes.Buffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(&buf, r)
		r.Close()
	}()

	saved := os.Stdout
	os.Stdout = w
	restore := sync.OnceFunc(func() {
		os.Stdout = saved
		w.Close()
		<-copied
	})
	defer restore()
	ferr := f(args)
	restore()
	return buf.Bytes(), ferr
}

// configVersion returns the cniVersion of a network configuration, or
// "0.1.0" when it names none (as the spec's oldest version implies).
func configVersion(stdin []byte) (string, error) {
	var c struct {
		CNIVersion string `json:"cniVersion"`
	}
	if err := json.Unmarshal(stdin, &c); err != nil {
		return "", fmt.Errorf("decode cniVersion of network configuration: %w", err)
	}
	if c.CNIVersion == "" {
		return "0.1.0", nil
	}
	return c.CNIVersion, nil
}

// CmdAdd runs a plugin's ADD function f in-process and returns the result
// it printed, decoded in the cniVersion of args.StdinData, and the raw
// output. An error of f is returned unchanged, so a *types.Error survives
// errors.As. CNI_ARGS come from args.Args.
func CmdAdd(args *skel.CmdArgs, f func(*skel.CmdArgs) error) (types.Result, []byte, error) {
	out, err := captureStdout(args, f)
	if err != nil {
		return nil, out, err
	}
	ver, err := configVersion(args.StdinData)
	if err != nil {
		return nil, out, err
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, out, errors.New("decode ADD result: plugin printed nothing")
	}
	res, err := version.NewResult(ver, out)
	if err != nil {
		return nil, out, fmt.Errorf("decode ADD result as version %s: %w", ver, err)
	}
	return res, out, nil
}

// runSilent runs a verb that must print nothing on success.
func runSilent(verb string, args *skel.CmdArgs, f func(*skel.CmdArgs) error) error {
	out, err := captureStdout(args, f)
	if err != nil {
		return err
	}
	if len(out) != 0 {
		return fmt.Errorf("run %s: plugin succeeded but printed %q", verb, out)
	}
	return nil
}

// CmdCheck runs a plugin's CHECK function in-process. An error of f is
// returned unchanged; output on success is an error.
func CmdCheck(args *skel.CmdArgs, f func(*skel.CmdArgs) error) error {
	return runSilent("CHECK", args, f)
}

// CmdDel runs a plugin's DEL function in-process. An error of f is
// returned unchanged; output on success is an error.
func CmdDel(args *skel.CmdArgs, f func(*skel.CmdArgs) error) error {
	return runSilent("DEL", args, f)
}

// CmdGC runs a plugin's GC function in-process. An error of f is returned
// unchanged; output on success is an error.
func CmdGC(args *skel.CmdArgs, f func(*skel.CmdArgs) error) error {
	return runSilent("GC", args, f)
}

// CmdStatus runs a plugin's STATUS function in-process. An error of f is
// returned unchanged; output on success is an error.
func CmdStatus(args *skel.CmdArgs, f func(*skel.CmdArgs) error) error {
	return runSilent("STATUS", args, f)
}
