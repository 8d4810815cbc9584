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
	"context"
	"os"

	"github.com/containernetworking/cni/pkg/invoke"
)

// PluginCall is one execution of a plugin binary: the CNI_* variables and
// the network configuration on stdin.
type PluginCall struct {
	Command     string // ADD, CHECK, DEL, GC, STATUS, VERSION
	ContainerID string
	Netns       string
	IfName      string
	Args        string // CNI_ARGS
	Path        string // CNI_PATH; the plugin's own directory when empty
	Stdin       []byte
}

// ExecPlugin runs the plugin binary at bin as a runtime does and returns
// what it printed. An error object the plugin printed comes back as a
// *types.Error with its code, as cni's invoke package decodes it.
func ExecPlugin(bin string, c PluginCall) ([]byte, error) {
	path := c.Path
	if path == "" {
		path = PluginBinDir()
	}
	args := &invoke.Args{
		Command:       c.Command,
		ContainerID:   c.ContainerID,
		NetNS:         c.Netns,
		IfName:        c.IfName,
		PluginArgsStr: c.Args,
		Path:          path,
	}
	return (&invoke.RawExec{Stderr: os.Stderr}).ExecPlugin(context.Background(), bin, c.Stdin, args.AsEnv())
}
