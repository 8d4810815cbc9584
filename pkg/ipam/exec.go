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
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

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
	return p.Result()
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
type PendingAdd struct {
	plugin  string
	netconf []byte
	cmd     *exec.Cmd
	stdin   *os.File
	stdout  bytes.Buffer
}

// StartAdd starts the ADD of the IPAM plugin named plugin, found in
// CNI_PATH, without giving it its input yet. Exactly one of Result and
// Cancel must follow.
func StartAdd(plugin string, netconf []byte) (*PendingAdd, error) {
	p := &PendingAdd{plugin: plugin, netconf: netconf}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("run IPAM plugin %s ADD: %w", plugin, err)
	}
	p.stdin = w
	p.cmd, err = startPlugin("ADD", plugin, r, &p.stdout)
	r.Close() // the child holds its own copy
	if err != nil {
		w.Close()
		return nil, err
	}
	return p, nil
}

// Result gives the plugin its network config, waits for it to finish and
// returns its result, as ExecAdd describes.
func (p *PendingAdd) Result() (types.Result, error) {
	// The pipe is written here, not by a copying goroutine: a config larger
	// than the pipe's buffer blocks this write until the plugin reads, which
	// it does first thing. The write error, if any (the plugin died), is
	// secondary to what Wait reports.
	_, werr := p.stdin.Write(p.netconf)
	p.stdin.Close()
	out, err := finish(p.cmd, "ADD", p.plugin, &p.stdout)
	if err != nil {
		return nil, err
	}
	if werr != nil {
		return nil, fmt.Errorf("run IPAM plugin %s ADD: write network config: %w", p.plugin, werr)
	}
	return decodeResult(p.plugin, out, p.netconf)
}

// Cancel ends a plugin that was never given its config and reaps it.
func (p *PendingAdd) Cancel() {
	p.stdin.Close()
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// decodeResult decodes the stdout of a successful IPAM ADD.
func decodeResult(plugin string, out, netconf []byte) (types.Result, error) {
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
	var stdout bytes.Buffer
	cmd, err := startPlugin(verb, plugin, bytes.NewReader(netconf), &stdout)
	if err != nil {
		return nil, err
	}
	return finish(cmd, verb, plugin, &stdout)
}

// startPlugin starts the IPAM plugin with CNI_COMMAND=verb, stdin on its
// standard input and its standard output into stdout.
func startPlugin(verb, plugin string, stdin io.Reader, stdout *bytes.Buffer) (*exec.Cmd, error) {
	path, err := findPlugin(plugin, os.Getenv("CNI_PATH"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path)
	cmd.Env = withCommand(os.Environ(), verb)
	cmd.Stdin = stdin
	cmd.Stdout = stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run IPAM plugin %s %s: %w", plugin, verb, err)
	}
	return cmd, nil
}

// finish waits for a started plugin and returns its stdout, or the error
// object it printed, or an error naming the plugin and what it printed.
func finish(cmd *exec.Cmd, verb, plugin string, stdout *bytes.Buffer) ([]byte, error) {
	if err := cmd.Wait(); err != nil {
		var perr types.Error
		if jerr := json.Unmarshal(stdout.Bytes(), &perr); jerr == nil && (perr.Code != 0 || perr.Msg != "") {
			return nil, &perr
		}
		return nil, fmt.Errorf("run IPAM plugin %s %s: %w: %s", plugin, verb, err, strings.TrimSpace(stdout.String()))
	}
	return stdout.Bytes(), nil
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
