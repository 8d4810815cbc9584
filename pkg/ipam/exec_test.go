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

package ipam

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// writePlugin writes an executable shell script named name into dir.
func writePlugin(t *testing.T, dir, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestExecVerbs(t *testing.T) {
	dir := t.TempDir()
	// ok logs its verb and the config it read, and prints a 1.0.0 result
	// on ADD.
	writePlugin(t, dir, "ok", `echo "$CNI_COMMAND $(cat)" >> "$(dirname "$0")/verbs"
if [ "$CNI_COMMAND" = ADD ]; then
  echo '{"cniVersion":"1.0.0","ips":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}]}'
fi
`)
	writePlugin(t, dir, "fails", `echo '{"code":7,"msg":"invalid ipam.addresses[0]","details":"d"}'; exit 1`+"\n")
	writePlugin(t, dir, "crashes", "echo garbage; exit 2\n")
	writePlugin(t, dir, "legacy", `echo '{"ip4":{"ip":"192.0.2.10/24"}}'`+"\n")
	writePlugin(t, dir, "older", `echo '{"cniVersion":"0.4.0","ips":[{"version":"4","address":"192.0.2.10/24"}]}'`+"\n")
	t.Setenv("CNI_PATH", dir)
	// The runtime's verb is replaced by the delegated one.
	t.Setenv("CNI_COMMAND", "ADD")
	conf := `{"cniVersion":"1.0.0","name":"n","type":"x","ipam":{"type":"ok"}}`

	r, err := ExecAdd("ok", []byte(conf))
	if err != nil {
		t.Fatalf("ExecAdd(ok) = %v", err)
	}
	res, err := current.NewResultFromResult(r)
	if err != nil || len(res.IPs) != 1 || res.IPs[0].Address.String() != "192.0.2.10/24" {
		t.Errorf("ExecAdd(ok) result = %+v, %v; want one address 192.0.2.10/24", res, err)
	}
	for _, f := range []func(string, []byte) error{ExecCheck, ExecDel, ExecGC, ExecStatus} {
		if err := f("ok", []byte(conf)); err != nil {
			t.Errorf("verb on ok = %v", err)
		}
	}
	verbs, err := os.ReadFile(filepath.Join(dir, "verbs"))
	var want string
	for _, v := range []string{"ADD", "CHECK", "DEL", "GC", "STATUS"} {
		want += v + " " + conf + "\n"
	}
	if err != nil || string(verbs) != want {
		t.Errorf("plugin saw %q (%v), want %q", verbs, err, want)
	}

	_, err = ExecAdd("fails", []byte(conf))
	var terr *types.Error
	if !errors.As(err, &terr) || terr.Code != 7 || terr.Msg != "invalid ipam.addresses[0]" || terr.Details != "d" {
		t.Errorf("ExecAdd(fails) = %v, want the plugin's code 7 error unchanged", err)
	}
	if err := ExecDel("crashes", []byte(conf)); err == nil || !strings.Contains(err.Error(), `"garbage`) {
		t.Errorf("ExecDel(crashes) = %v, want an error quoting its output", err)
	}
	if _, err := ExecAdd("missing", []byte(conf)); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("ExecAdd(missing) = %v, want an error naming the plugin", err)
	}
	if _, err := ExecAdd("../ok", []byte(conf)); err == nil {
		t.Errorf("ExecAdd(../ok) succeeded, want a refused plugin name")
	}

	// Results of other versions are decoded by the library, in their
	// version.
	r, err = ExecAdd("older", []byte(conf))
	if err != nil || r.Version() != "0.4.0" {
		t.Errorf("ExecAdd(older) = %v, %v; want a 0.4.0 result", r, err)
	}
	// A 0.2.0 result carries no version: the config's is used.
	legacyConf := []byte(`{"cniVersion":"0.2.0","name":"n","type":"x"}`)
	r, err = ExecAdd("legacy", legacyConf)
	if err != nil || r.Version() != "0.2.0" {
		t.Errorf("ExecAdd(legacy) = %v, %v; want a 0.2.0 result", r, err)
	}
}
