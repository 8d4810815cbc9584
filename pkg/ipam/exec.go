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

// Package ipam runs IPAM plugins and applies their results to the
// container's interface. It holds the project's one route path: PlanRoutes
// turns a result's routes into route groups (several gateways to one
// destination become one multipath route), InstallRoutes sends one netlink
// request per group, and CheckIface compares the kernel's routes against the
// plan for CHECK. See Documentation/ecmp.md.
package ipam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// The delegation below is written here rather than taken from the cni
// library's invoke package: invoke links net/http and OpenTelemetry for
// trace propagation, whose package initialisation every plugin process
// would pay on every ADD and DEL, for a feature no plugin here uses.

// ExecAdd runs ADD of the IPAM plugin named plugin, found in CNI_PATH, with
// netconf on its stdin and the CNI_* environment of this process. An error
// the plugin reports (a *types.Error) is returned unchanged, so its code
// reaches the runtime. The result is decoded in the version the plugin
// printed, or the config's when it printed none (results before 0.3.0
// carry no version).
func ExecAdd(plugin string, netconf []byte) (types.Result, error) {
	p, err := StartAdd(plugin, netconf)
	if err != nil {
		return nil, err
	}
	r, err := p.Result()
	if err != nil {
		return nil, err
	}
	if err := p.Exited(); err != nil {
		return nil, err
	}
	return r, nil
}

// PendingAdd is the ADD of an IPAM plugin whose process has started but has
// not been given its network config yet.
//
// Starting the process is most of the cost of delegating: on the machines
// measured in Documentation/performance.md a Go plugin takes longer to start
// than a link plugin takes to create its link. A link plugin therefore
// starts its IPAM plugin first, creates the link while the IPAM process
// starts, and only then hands over the config (Result) — or, when the link
// could not be created, ends the process with Cancel. Until Result writes
// the config, the IPAM plugin has nothing to act on: a plugin reads its
// network config before it allocates anything, so a cancelled ADD has no
// effect to undo and needs no IPAM DEL.
//
// For the same reason Result returns as soon as the plugin has closed its
// stdout, which the plugins here do right after printing (see
// skel.Dispatcher.PluginMainFuncs), before their process is torn down; Exited
// then says whether the plugin succeeded, and only then does the result
// count.
type PendingAdd struct {
	plugin  string
	netconf []byte
	proc    *proc
}

// StartAdd starts the ADD of the IPAM plugin named plugin, found in
// CNI_PATH, without giving it its input yet. Exactly one of Result and
// Cancel must follow, and Exited after Result.
func StartAdd(plugin string, netconf []byte) (*PendingAdd, error) {
	p, err := startPlugin("ADD", plugin)
	if err != nil {
		return nil, err
	}
	return &PendingAdd{plugin: plugin, netconf: netconf, proc: p}, nil
}

// Result gives the plugin its network config, waits until it has closed
// its stdout (at the latest when it exits) and decodes the result, as
// ExecAdd describes. The result stands only if Exited then returns nil. A
// plugin whose output is no result has failed: Result waits for it to
// exit and returns how it failed.
func (p *PendingAdd) Result() (types.Result, error) {
	out, err := p.proc.output(p.netconf)
	if err != nil {
		return nil, p.failed(err)
	}
	res, err := decodeResult(p.plugin, out, p.netconf)
	if err != nil {
		return nil, p.failed(err)
	}
	return res, nil
}

// failed returns the error with which the plugin ended, or err when it
// exited successfully.
func (p *PendingAdd) failed(err error) error {
	if xerr := p.Exited(); xerr != nil {
		return xerr
	}
	return err
}

// Exited waits for the plugin to exit after Result and returns nil when it
// succeeded, else its error object (a *types.Error, unchanged) or an error
// naming the plugin, how it ended and what it printed. It may be called
// more than once.
func (p *PendingAdd) Exited() error {
	_, err := p.proc.finish()
	return err
}

// Cancel ends a plugin that was never given its config and reaps it.
func (p *PendingAdd) Cancel() {
	p.proc.kill()
}

// decodeResult decodes the stdout of a successful IPAM ADD.
func decodeResult(plugin string, out, netconf []byte) (types.Result, error) {
	// A result of the current type, as plugins print it, is decoded in
	// one pass (decodeCurrent); anything else goes to the cni library,
	// which gives the same result or says what is wrong.
	if res, ok := decodeCurrent(out); ok {
		return res, nil
	}
	// Only the version is read here; the result itself is decoded once,
	// by its version's type.
	var head struct {
		CNIVersion string `json:"cniVersion"`
	}
	if err := json.Unmarshal(out, &head); err != nil {
		return nil, fmt.Errorf("decode result of IPAM plugin %s: %w", plugin, err)
	}
	ver := head.CNIVersion
	if ver == "" {
		// Results before 0.3.0 need not carry their version; the 0.x
		// result types then report 0.1.0. Stamp the config's version in.
		var err error
		if out, ver, err = stampVersion(out, netconf); err != nil {
			return nil, err
		}
	}
	res, err := version.NewResult(ver, out)
	if err != nil {
		return nil, fmt.Errorf("decode result of IPAM plugin %s: %w", plugin, err)
	}
	return res, nil
}

// stampVersion returns result with the cniVersion of netconf added.
func stampVersion(result, netconf []byte) ([]byte, string, error) {
	var conf struct {
		CNIVersion string `json:"cniVersion"`
	}
	if err := json.Unmarshal(netconf, &conf); err != nil {
		return nil, "", fmt.Errorf("decode network config: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(result, &raw); err != nil {
		return nil, "", fmt.Errorf("decode result: %w", err)
	}
	raw["cniVersion"] = conf.CNIVersion
	out, err := json.Marshal(raw)
	return out, conf.CNIVersion, err
}

// ExecCheck runs CHECK of the IPAM plugin, as ExecAdd does ADD.
func ExecCheck(plugin string, netconf []byte) error {
	_, err := execPlugin("CHECK", plugin, netconf)
	return err
}

// ExecDel runs DEL of the IPAM plugin, as ExecAdd does ADD.
func ExecDel(plugin string, netconf []byte) error {
	_, err := execPlugin("DEL", plugin, netconf)
	return err
}

// ExecGC runs GC of the IPAM plugin, as ExecAdd does ADD.
func ExecGC(plugin string, netconf []byte) error {
	_, err := execPlugin("GC", plugin, netconf)
	return err
}

// ExecStatus runs STATUS of the IPAM plugin, as ExecAdd does ADD.
func ExecStatus(plugin string, netconf []byte) error {
	_, err := execPlugin("STATUS", plugin, netconf)
	return err
}

// execPlugin runs the IPAM plugin with CNI_COMMAND=verb and the rest of
// this process's environment, and returns its stdout. The plugin's stderr
// goes to ours, so its diagnostics reach the runtime's log.
func execPlugin(verb, plugin string, netconf []byte) ([]byte, error) {
	p, err := startPlugin(verb, plugin)
	if err != nil {
		return nil, err
	}
	return p.run(netconf)
}

// proc is a started plugin process: its stdin is a pipe this process
// writes, its stdout a pipe read into out, its stderr ours.
//
// It is started with syscall.ForkExec rather than os/exec: os/exec checks,
// on its first use in a process, that pidfds work by starting and reaping
// a throwaway child, which costs about half a millisecond here on every
// plugin invocation, and it copies stdin through a goroutine of its own.
type proc struct {
	verb, plugin string
	pid          int
	stdin        *os.File
	out          bytes.Buffer
	// outDone is closed once stdout is read to its end, or readErr.
	outDone chan struct{}
	readErr error
	// writeErr is the error of writing stdin; reaped, result and err
	// what finish found.
	writeErr error
	reaped   bool
	result   []byte
	err      error
}

// startPlugin starts the IPAM plugin with CNI_COMMAND=verb, without input
// yet: run gives it its input, kill ends it without.
func startPlugin(verb, plugin string) (*proc, error) {
	path, err := findPlugin(plugin, os.Getenv("CNI_PATH"))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*proc, error) {
		return nil, fmt.Errorf("run IPAM plugin %s %s: %w", plugin, verb, err)
	}
	// os.Pipe opens both ends close-on-exec: the child gets only the
	// copies ForkExec puts on its fds 0 and 1.
	inR, inW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return fail(err)
	}
	pid, err := syscall.ForkExec(path, []string{path}, &syscall.ProcAttr{
		Env:   withCommand(os.Environ(), verb),
		Files: []uintptr{inR.Fd(), outW.Fd(), os.Stderr.Fd()},
	})
	// The child holds its own copies of these ends.
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return fail(err)
	}
	p := &proc{verb: verb, plugin: plugin, pid: pid, stdin: inW, outDone: make(chan struct{})}
	// Sized for a result with a thousand routes: growing from bytes.Buffer's
	// small start copies into fresh memory several times, and page faults
	// are what a plugin's time goes on. Untouched capacity costs nothing.
	p.out.Grow(64 << 10)
	// stdout is read while stdin is written, so that a plugin that writes
	// before it has read everything cannot block on a full pipe.
	go func() {
		_, p.readErr = p.out.ReadFrom(outR)
		outR.Close()
		close(p.outDone)
	}()
	return p, nil
}

// run writes input to the plugin's stdin, closes it and waits for the
// plugin to exit. It returns the plugin's stdout, or the error object the
// plugin printed (a *types.Error, passed through unchanged), or an error
// naming the plugin, how it ended and what it printed.
func (p *proc) run(input []byte) ([]byte, error) {
	if _, err := p.output(input); err != nil {
		return nil, err
	}
	return p.finish()
}

// output writes input to the plugin's stdin, closes it and returns the
// plugin's stdout once the plugin has closed it. A write error (the plugin
// exited without reading) is kept for finish: it is secondary to how the
// plugin ended.
func (p *proc) output(input []byte) ([]byte, error) {
	// A config larger than the pipe's buffer blocks this write until the
	// plugin reads it, which it does first thing.
	_, p.writeErr = p.stdin.Write(input)
	p.stdin.Close()
	<-p.outDone
	if p.readErr != nil {
		return nil, fmt.Errorf("run IPAM plugin %s %s: read stdout: %w", p.plugin, p.verb, p.readErr)
	}
	return p.out.Bytes(), nil
}

// finish reaps the plugin after output and returns its stdout when it
// succeeded, else its error as run describes. Later calls return the
// same.
func (p *proc) finish() ([]byte, error) {
	if !p.reaped {
		p.result, p.err = p.reap()
		p.reaped = true
	}
	return p.result, p.err
}

func (p *proc) reap() ([]byte, error) {
	status, err := p.wait()
	if err != nil {
		return nil, fmt.Errorf("run IPAM plugin %s %s: %w", p.plugin, p.verb, err)
	}
	out := p.out.Bytes()
	if !status.Exited() || status.ExitStatus() != 0 {
		var perr types.Error
		if jerr := json.Unmarshal(out, &perr); jerr == nil && (perr.Code != 0 || perr.Msg != "") {
			return nil, &perr
		}
		return nil, fmt.Errorf("run IPAM plugin %s %s: %s: %s", p.plugin, p.verb, describe(status), strings.TrimSpace(string(out)))
	}
	// A plugin that succeeded without reading all of its stdin (EPIPE) has
	// answered all the same, as os/exec also accepts.
	if p.writeErr != nil && !errors.Is(p.writeErr, syscall.EPIPE) {
		return nil, fmt.Errorf("run IPAM plugin %s %s: write network config: %w", p.plugin, p.verb, p.writeErr)
	}
	return out, nil
}

// kill ends a plugin that has not been given its input, and reaps it.
func (p *proc) kill() {
	// Killed before its stdin is closed, the plugin cannot even see an
	// empty config.
	_ = syscall.Kill(p.pid, syscall.SIGKILL)
	p.stdin.Close()
	<-p.outDone
	_, _ = p.wait()
}

// wait reaps the plugin.
func (p *proc) wait() (syscall.WaitStatus, error) {
	var status syscall.WaitStatus
	for {
		_, err := syscall.Wait4(p.pid, &status, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return status, fmt.Errorf("wait: %w", err)
		}
		return status, nil
	}
}

// describe says how a process that did not succeed ended, as os/exec does.
func describe(status syscall.WaitStatus) string {
	if status.Signaled() {
		return "signal: " + status.Signal().String()
	}
	return "exit status " + strconv.Itoa(status.ExitStatus())
}

// withCommand returns env with CNI_COMMAND set to verb, replacing the
// runtime's own.
func withCommand(env []string, verb string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "CNI_COMMAND=") {
			out = append(out, kv)
		}
	}
	return append(out, "CNI_COMMAND="+verb)
}

// errPluginNotFound is wrapped by findPlugin's error when no directory of
// CNI_PATH holds the plugin.
var errPluginNotFound = errors.New("not found")

// findPlugin returns the first executable file named plugin in the
// colon-separated directories of cniPath. A name with a slash is refused:
// the config names a plugin, not a path.
func findPlugin(plugin, cniPath string) (string, error) {
	if plugin == "" || strings.ContainsRune(plugin, '/') || plugin == "." || plugin == ".." {
		return "", fmt.Errorf("find IPAM plugin %q: not a plugin name", plugin)
	}
	for _, dir := range filepath.SplitList(cniPath) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, plugin)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("find IPAM plugin %q in CNI_PATH %q: %w", plugin, cniPath, errPluginNotFound)
}
