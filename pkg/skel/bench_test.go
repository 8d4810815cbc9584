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
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/version"

	"github.com/containernetworking/plugins/pkg/skel"
)

// benchConfig returns a network configuration with n IPv6 routes, the size
// of a large static IPAM configuration (~55 bytes a route).
func benchConfig(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"cniVersion":"1.1.0","name":"bench-net","type":"fake","ipam":{"type":"static","routes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"dst":"2001:db8:%x::/48","gw":"2001:db8::1"}`, i)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// BenchmarkDispatchAdd measures the dispatcher's own cost for ADD with a
// 1,000-route configuration and a verb that does nothing: environment,
// reading stdin, the one decode of name and cniVersion, the version check
// and the netns check. CNI_NETNS is /proc/self/ns/uts, a file that exists
// and is not our network namespace, so both stat calls run as they do for
// a real container namespace.
func BenchmarkDispatchAdd(b *testing.B) {
	stdin := benchConfig(1000)
	env := envFor("ADD", "CNI_NETNS=/proc/self/ns/uts")
	var r bytes.Reader
	d := &skel.Dispatcher{
		Getenv: func(k string) string { return env[k] },
		Stdin:  &r,
		Stdout: io.Discard,
		Stderr: io.Discard,
	}
	funcs := skel.CNIFuncs{Add: func(*skel.CmdArgs) error { return nil }}
	b.SetBytes(int64(len(stdin)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(stdin)
		if e := d.Main(funcs, version.All, ""); e != nil {
			b.Fatal(e)
		}
	}
}
