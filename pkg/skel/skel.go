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

// Package skel dispatches a CNI plugin invocation: it reads the CNI_*
// environment and the network configuration on stdin, validates them, and
// calls the plugin's ADD, CHECK, DEL, GC or STATUS function. It has the same
// API shape, error codes and messages as
// github.com/containernetworking/cni/pkg/skel v1.3.1, so a plugin switches by
// changing its import line only.
//
// It differs from cni's skel on purpose:
//
//   - No regexp and no package-level initialisation: no init functions and
//     no package-level variables. Container IDs and network names are checked
//     by a byte loop. (cni's skel imports cni/pkg/utils, whose
//     regexp.MustCompile runs at every plugin start.)
//   - The configuration's name and cniVersion are decoded once, by one
//     json.Unmarshal into a two-field struct; cni decodes the whole document
//     two (ADD, DEL) or three times before the plugin decodes it again. Only a
//     configuration that fails to decode is decoded again, field by field,
//     to report cni's exact error message.
//   - The check that CNI_NETNS is not the plugin's own network namespace runs
//     before Add and Del are called, not after, so a refused call changes
//     nothing and prints only the error. It compares device and inode of
//     stat(CNI_NETNS) and stat(/proc/thread-self/ns/net).
//   - PluginMainFuncs closes the process's stdout once the plugin has
//     printed its result or error, before the process exits (see
//     Dispatcher.PluginMainFuncs).
//
// The deprecated PluginMain and PluginMainWithError are not provided.
package skel

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// CmdArgs holds the arguments of one plugin invocation: the CNI_* environment
// variables and the network configuration read from stdin.
type CmdArgs struct {
	ContainerID   string
	Netns         string
	IfName        string
	Args          string
	Path          string
	NetnsOverride string
	StdinData     []byte
}

// CNIFuncs names the plugin's function for each CNI command. A nil function
// makes that command succeed without doing anything once the configuration
// has been validated.
type CNIFuncs struct {
	Add    func(*CmdArgs) error
	Del    func(*CmdArgs) error
	Check  func(*CmdArgs) error
	GC     func(*CmdArgs) error
	Status func(*CmdArgs) error
}

// Dispatcher runs one plugin invocation against the environment lookup,
// stdin, stdout and stderr in its fields, so that tests can use buffers
// instead of the process's own. A nil field means the process's own
// (os.Getenv, os.Stdin, os.Stdout, os.Stderr).
type Dispatcher struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// The CNI commands.
const (
	cmdAdd     = "ADD"
	cmdCheck   = "CHECK"
	cmdDel     = "DEL"
	cmdGC      = "GC"
	cmdStatus  = "STATUS"
	cmdVersion = "VERSION"
)

// The minimum configuration version for the commands that were added to the
// spec after 0.1.0.
const (
	minVersionCheck  = "0.4.0"
	minVersionGC     = "1.1.0"
	minVersionStatus = "1.1.0"
)

// PluginMainFuncs runs the plugin for the process's environment, stdin and
// stdout. On error it prints the error object as JSON to stdout and exits
// with status 1. When CNI_COMMAND is unset and about is not empty, it prints
// about and the supported spec versions to stderr and returns. It closes
// stdout before it returns or exits.
func PluginMainFuncs(funcs CNIFuncs, versionInfo version.PluginInfo, about string) {
	(&Dispatcher{}).PluginMainFuncs(funcs, versionInfo, about)
}

// PluginMainFuncs is the package's PluginMainFuncs with d's fields: it
// runs the plugin as Run does, then closes the process's stdout (when
// d.Stdout is nil) and, on error, exits with Run's status. Closing stdout
// lets whoever reads it — the runtime, or a link plugin that delegated to
// this IPAM plugin — have the whole output before the process is torn
// down, which takes about a millisecond on the machine
// Documentation/performance.md measures (see ipam.PendingAdd).
func (d *Dispatcher) PluginMainFuncs(funcs CNIFuncs, versionInfo version.PluginInfo, about string) {
	code := d.Run(funcs, versionInfo, about)
	if d.Stdout == nil {
		_ = os.Stdout.Close()
	}
	if code != 0 {
		os.Exit(code)
	}
}

// PluginMainFuncsWithError runs the plugin for the process's environment,
// stdin and stdout, and returns the error instead of printing it. To comply
// with the CNI spec the caller must print it as JSON to stdout and exit with
// a nonzero status.
func PluginMainFuncsWithError(funcs CNIFuncs, versionInfo version.PluginInfo, about string) *types.Error {
	return (&Dispatcher{}).Main(funcs, versionInfo, about)
}

// Run is Main followed by what the CNI spec asks of a failing plugin: it
// writes the error object, indented as cni's types.Error.Print does, to
// d.Stdout and returns the exit status (1 on error, else 0).
func (d *Dispatcher) Run(funcs CNIFuncs, versionInfo version.PluginInfo, about string) int {
	e := d.Main(funcs, versionInfo, about)
	if e == nil {
		return 0
	}
	data, err := json.MarshalIndent(e, "", "    ")
	if err == nil {
		_, err = d.stdout().Write(data)
	}
	if err != nil {
		_, _ = fmt.Fprintf(d.stderr(), "Error writing error JSON to stdout: %v\n", err)
	}
	return 1
}

// Main validates the invocation and calls the function of funcs that
// CNI_COMMAND names. It returns the error to report to the runtime, or nil.
// An error returned by that function is passed through when it is (or
// wraps) a *types.Error and becomes code 999 (types.ErrInternal) otherwise.
func (d *Dispatcher) Main(funcs CNIFuncs, versionInfo version.PluginInfo, about string) *types.Error {
	getenv := d.getenv()
	cmd := getenv("CNI_COMMAND")
	args, e := argsFromEnv(cmd, getenv)
	if e != nil {
		if cmd == "" && about != "" && e.Code == types.ErrInvalidEnvironmentVariables {
			w := d.stderr()
			_, _ = fmt.Fprintln(w, about)
			_, _ = fmt.Fprintf(w, "CNI protocol versions supported: %s\n", strings.Join(versionInfo.SupportedVersions(), ", "))
			return nil
		}
		return e
	}

	if cmd == cmdVersion {
		// VERSION ignores stdin: the runtime may not send a configuration.
		if err := versionInfo.Encode(d.stdout()); err != nil {
			return types.NewError(types.ErrIOFailure, err.Error(), "")
		}
		return nil
	}

	stdin := d.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	data, err := readAll(stdin)
	if err != nil {
		return types.NewError(types.ErrIOFailure, fmt.Sprintf("error reading from stdin: %v", err), "")
	}
	args.StdinData = data
	confVersion, e := decodeConfig(data, setVerbs.has(cmd))
	if e != nil {
		return e
	}

	switch cmd {
	case cmdAdd:
		return callChecked(funcs.Add, args, confVersion, versionInfo, true)
	case cmdDel:
		return callChecked(funcs.Del, args, confVersion, versionInfo, true)
	case cmdCheck:
		return callSince(cmdCheck, minVersionCheck, funcs.Check, args, confVersion, versionInfo)
	case cmdGC:
		return callSince(cmdGC, minVersionGC, funcs.GC, args, confVersion, versionInfo)
	case cmdStatus:
		return callSince(cmdStatus, minVersionStatus, funcs.Status, args, confVersion, versionInfo)
	}
	return types.NewError(types.ErrInvalidEnvironmentVariables, fmt.Sprintf("unknown CNI_COMMAND: %v", cmd), "")
}

// cmdSet is a set of CNI commands.
type cmdSet uint8

const (
	setAdd cmdSet = 1 << iota
	setCheck
	setDel
	setGC
	setStatus

	setVerbs = setAdd | setCheck | setDel | setGC | setStatus
)

// has reports whether cmd is in s.
func (s cmdSet) has(cmd string) bool {
	var bit cmdSet
	switch cmd {
	case cmdAdd:
		bit = setAdd
	case cmdCheck:
		bit = setCheck
	case cmdDel:
		bit = setDel
	case cmdGC:
		bit = setGC
	case cmdStatus:
		bit = setStatus
	}
	return s&bit != 0
}

// argsFromEnv reads the CNI_* variables in cni's order. A variable that is
// required and set but invalid fails at once; missing ones are collected
// and reported together, as cni's skel does.
func argsFromEnv(cmd string, getenv func(string) string) (*CmdArgs, *types.Error) {
	args := &CmdArgs{}
	vars := [...]struct {
		name     string
		into     *string
		required cmdSet
		validate func(string) *types.Error
	}{
		{"CNI_CONTAINERID", &args.ContainerID, setAdd | setCheck | setDel, validateContainerID},
		{"CNI_NETNS", &args.Netns, setAdd | setCheck, nil},
		{"CNI_IFNAME", &args.IfName, setAdd | setCheck | setDel, validateInterfaceName},
		{"CNI_ARGS", &args.Args, 0, nil},
		{"CNI_PATH", &args.Path, setVerbs, nil},
		{"CNI_NETNS_OVERRIDE", &args.NetnsOverride, 0, nil},
	}

	var missing []string
	if cmd == "" {
		missing = append(missing, "CNI_COMMAND")
	}
	for _, v := range vars {
		*v.into = getenv(v.name)
		switch {
		case !v.required.has(cmd):
		case *v.into == "":
			missing = append(missing, v.name)
		case v.validate != nil:
			if e := v.validate(*v.into); e != nil {
				return nil, e
			}
		}
	}
	if len(missing) > 0 {
		return nil, types.NewError(types.ErrInvalidEnvironmentVariables,
			fmt.Sprintf("required env variables [%s] missing", strings.Join(missing, ",")), "")
	}
	return args, nil
}

// decodeConfig decodes the network configuration's name and cniVersion in
// one pass, checks the name, and returns the version ("0.1.0" when unset).
// A configuration that does not decode gets the error cni's skel reports
// (see configError); needVersion says whether the command reads the version.
func decodeConfig(data []byte, needVersion bool) (string, *types.Error) {
	var conf struct {
		Name       string `json:"name"`
		CNIVersion string `json:"cniVersion"`
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		return "", configError(data, needVersion, err)
	}
	if conf.Name == "" {
		return "", types.NewError(types.ErrInvalidNetworkConfig, "missing network name", "")
	}
	if e := validateNetworkName(conf.Name); e != nil {
		return "", e
	}
	if conf.CNIVersion == "" {
		return "0.1.0", nil
	}
	return conf.CNIVersion, nil
}

// configError returns the error cni's skel reports for a configuration that
// does not decode: it decodes the name, then the version, each on its own as
// cni does, because json's message names the Go type it decoded into and
// only the first field that failed. Only this error path decodes twice.
// It returns nil when only the version is undecodable and needVersion is
// false (cni's skel reads it only for the commands it knows).
func configError(data []byte, needVersion bool, err error) *types.Error {
	var named struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(data, &named); err != nil {
		return types.NewError(types.ErrDecodingFailure, fmt.Sprintf("error unmarshall network config: %v", err), "")
	}
	if named.Name == "" {
		return types.NewError(types.ErrInvalidNetworkConfig, "missing network name", "")
	}
	if e := validateNetworkName(named.Name); e != nil {
		return e
	}
	var versioned struct {
		CNIVersion string `json:"cniVersion"`
	}
	if verr := json.Unmarshal(data, &versioned); verr != nil {
		if !needVersion {
			return nil
		}
		return types.NewError(types.ErrDecodingFailure, fmt.Sprintf("decoding version from network config: %v", verr), "")
	}
	// Not reached: one of the two fields failed above.
	return types.NewError(types.ErrDecodingFailure, fmt.Sprintf("error unmarshall network config: %v", err), "")
}

// callChecked calls f after the version check and, when netnsCheck is set
// and CNI_NETNS_OVERRIDE does not allow it, after refusing a CNI_NETNS that
// is the plugin's own network namespace.
func callChecked(f func(*CmdArgs) error, args *CmdArgs, confVersion string, versionInfo version.PluginInfo, netnsCheck bool) *types.Error {
	if e := checkVersion(confVersion, versionInfo); e != nil {
		return e
	}
	if netnsCheck && !netnsOverridden(args.NetnsOverride) {
		same, e := isOwnNetNS(args.Netns)
		if e != nil {
			return e
		}
		if same {
			return types.NewError(types.ErrInvalidNetNS, "plugin's netns and netns from CNI_NETNS should not be the same", "")
		}
	}
	if f == nil {
		return nil
	}
	if err := f(args); err != nil {
		var e *types.Error
		if errors.As(err, &e) {
			return e
		}
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	return nil
}

// checkVersion refuses a configuration version the plugin does not list.
func checkVersion(confVersion string, versionInfo version.PluginInfo) *types.Error {
	supported := versionInfo.SupportedVersions()
	for _, v := range supported {
		if v == confVersion {
			return nil
		}
	}
	details := (&version.ErrorIncompatible{Config: confVersion, Supported: supported}).Details()
	return types.NewError(types.ErrIncompatibleCNIVersion, "incompatible CNI versions", details)
}

// callSince calls f for a command that exists since spec version minVersion:
// the configuration must be at least minVersion and some version the plugin
// supports must be at least the configuration's.
func callSince(cmd, minVersion string, f func(*CmdArgs) error, args *CmdArgs, confVersion string, versionInfo version.PluginInfo) *types.Error {
	ok, err := version.GreaterThanOrEqualTo(confVersion, minVersion)
	if err != nil {
		return types.NewError(types.ErrDecodingFailure, err.Error(), "")
	}
	if !ok {
		return types.NewError(types.ErrIncompatibleCNIVersion, "config version does not allow "+cmd, "")
	}
	for _, pv := range versionInfo.SupportedVersions() {
		ok, err := version.GreaterThanOrEqualTo(pv, confVersion)
		if err != nil {
			return types.NewError(types.ErrDecodingFailure, err.Error(), "")
		}
		if ok {
			return callChecked(f, args, confVersion, versionInfo, false)
		}
	}
	return types.NewError(types.ErrIncompatibleCNIVersion, "plugin version does not allow "+cmd, "")
}

// netnsOverridden reports whether CNI_NETNS_OVERRIDE allows CNI_NETNS to be
// the plugin's own network namespace.
func netnsOverridden(v string) bool {
	return v == "1" || strings.EqualFold(v, "true")
}

func (d *Dispatcher) getenv() func(string) string {
	if d.Getenv != nil {
		return d.Getenv
	}
	return os.Getenv
}

func (d *Dispatcher) stdout() io.Writer {
	if d.Stdout != nil {
		return d.Stdout
	}
	return os.Stdout
}

func (d *Dispatcher) stderr() io.Writer {
	if d.Stderr != nil {
		return d.Stderr
	}
	return os.Stderr
}

// readAll is io.ReadAll starting from a 64 KiB buffer: io.ReadAll starts
// at 512 bytes and grows, which for a config with a thousand routes meant
// a dozen reads and copies into fresh memory, each page of it a page fault
// (measured at about 1 ms of a plugin's ADD on the benchmark machine).
// Untouched capacity costs nothing.
func readAll(r io.Reader) ([]byte, error) {
	b := make([]byte, 0, 64<<10)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
