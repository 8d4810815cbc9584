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
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

func TestFindPlugin(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writePlugin(t, b, "fake", "exit 0\n")
	writePlugin(t, a, "both", "exit 0\n")
	writePlugin(t, b, "both", "exit 0\n")
	if err := os.WriteFile(filepath.Join(a, "noexec"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(a, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := a + ":" + b
	tests := []struct {
		plugin, want string
		wantErr      bool
	}{
		{plugin: "fake", want: filepath.Join(b, "fake")},
		{plugin: "both", want: filepath.Join(a, "both")},
		{plugin: "noexec", wantErr: true},
		{plugin: "dir", wantErr: true},
		{plugin: "missing", wantErr: true},
		{plugin: "../b/fake", wantErr: true},
		{plugin: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := findPlugin(tt.plugin, path)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("findPlugin(%q) = %q, %v; want %q, error %v", tt.plugin, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := findPlugin("missing", path); !errors.Is(err, errPluginNotFound) {
		t.Errorf("findPlugin(%q) error %v does not wrap errPluginNotFound", "missing", err)
	}
}

func TestWithCommand(t *testing.T) {
	got := withCommand([]string{"A=1", "CNI_COMMAND=ADD", "CNI_PATH=/x"}, "DEL")
	want := []string{"A=1", "CNI_PATH=/x", "CNI_COMMAND=DEL"}
	if !slices.Equal(got, want) {
		t.Errorf("withCommand = %q, want %q", got, want)
	}
}

func TestExecVerbs(t *testing.T) {
	dir := t.TempDir()
	// ok echoes its verb to a file and prints a 1.0.0 result on ADD.
	writePlugin(t, dir, "ok", `echo "$CNI_COMMAND" >> "$(dirname "$0")/verbs"
if [ "$CNI_COMMAND" = ADD ]; then
  echo '{"cniVersion":"1.0.0","ips":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}]}'
fi
`)
	writePlugin(t, dir, "fails", `echo '{"code":7,"msg":"invalid ipam.addresses[0]","details":"d"}'; exit 1`+"\n")
	writePlugin(t, dir, "crashes", "echo garbage; exit 2\n")
	writePlugin(t, dir, "legacy", `echo '{"ip4":{"ip":"192.0.2.10/24"}}'`+"\n")
	t.Setenv("CNI_PATH", dir)
	t.Setenv("CNI_COMMAND", "ADD")
	conf := []byte(`{"cniVersion":"1.0.0","name":"n","type":"x","ipam":{"type":"ok"}}`)

	r, err := ExecAdd("ok", conf)
	if err != nil {
		t.Fatalf("ExecAdd(ok) = %v", err)
	}
	res, err := current.NewResultFromResult(r)
	if err != nil || len(res.IPs) != 1 || res.IPs[0].Address.String() != "192.0.2.10/24" {
		t.Errorf("ExecAdd(ok) result = %+v, %v; want one address 192.0.2.10/24", res, err)
	}
	for _, f := range []func(string, []byte) error{ExecCheck, ExecDel, ExecGC, ExecStatus} {
		if err := f("ok", conf); err != nil {
			t.Errorf("verb on ok = %v", err)
		}
	}
	verbs, err := os.ReadFile(filepath.Join(dir, "verbs"))
	if err != nil || string(verbs) != "ADD\nCHECK\nDEL\nGC\nSTATUS\n" {
		t.Errorf("plugin saw verbs %q (%v), want ADD CHECK DEL GC STATUS", verbs, err)
	}

	_, err = ExecAdd("fails", conf)
	var terr *types.Error
	if !errors.As(err, &terr) || terr.Code != 7 || terr.Msg != "invalid ipam.addresses[0]" || terr.Details != "d" {
		t.Errorf("ExecAdd(fails) = %v, want the plugin's code 7 error unchanged", err)
	}
	if err := ExecDel("crashes", conf); err == nil || errors.As(err, &terr) {
		t.Errorf("ExecDel(crashes) = %v, want a plain error", err)
	}
	if _, err := ExecAdd("missing", conf); !errors.Is(err, errPluginNotFound) {
		t.Errorf("ExecAdd(missing) = %v, want not found", err)
	}

	// A 0.2.0 result carries no version: the config's is used.
	legacyConf := []byte(`{"cniVersion":"0.2.0","name":"n","type":"x"}`)
	r, err = ExecAdd("legacy", legacyConf)
	if err != nil || r.Version() != "0.2.0" {
		t.Errorf("ExecAdd(legacy) = %v, %v; want a 0.2.0 result", r, err)
	}
}

func TestPendingAdd(t *testing.T) {
	dir := t.TempDir()
	// record copies the config it read from stdin to a file named after
	// its pid, then prints a result: a cancelled ADD must leave no file.
	// The file is created only once a config has been read (a redirection
	// would create it as soon as the shell runs).
	writePlugin(t, dir, "record", `conf=$(cat)
[ -n "$conf" ] && printf '%s' "$conf" > "$(dirname "$0")/seen.$$"
echo '{"cniVersion":"1.0.0","ips":[{"address":"192.0.2.10/24"}]}'
`)
	t.Setenv("CNI_PATH", dir)
	t.Setenv("CNI_COMMAND", "ADD")
	conf := []byte(`{"cniVersion":"1.0.0","name":"n","type":"x","ipam":{"type":"record"}}`)

	p, err := StartAdd("record", conf)
	if err != nil {
		t.Fatalf("StartAdd(record) = %v", err)
	}
	p.Cancel()
	if seen, _ := filepath.Glob(filepath.Join(dir, "seen.*")); len(seen) != 0 {
		t.Errorf("a cancelled ADD ran the plugin to completion: %v", seen)
	}

	p, err = StartAdd("record", conf)
	if err != nil {
		t.Fatalf("StartAdd(record) = %v", err)
	}
	r, err := p.Result()
	if err != nil || r.Version() != "1.0.0" {
		t.Fatalf("Result() = %v, %v; want a 1.0.0 result", r, err)
	}
	if err := p.Exited(); err != nil {
		t.Fatalf("Exited() = %v", err)
	}
	seen, _ := filepath.Glob(filepath.Join(dir, "seen.*"))
	if len(seen) != 1 {
		t.Fatalf("plugin runs that saw their config: %v, want 1", seen)
	}
	if got, err := os.ReadFile(seen[0]); err != nil || string(got) != string(conf) {
		t.Errorf("plugin read %q (%v), want the config %q", got, err, conf)
	}

	// A config larger than a pipe's buffer still reaches the plugin whole.
	big := append(append([]byte(`{"cniVersion":"1.0.0","name":"n","pad":"`), make([]byte, 1<<20)...), `"}`...)
	for i := range 1 << 20 {
		big[len(`{"cniVersion":"1.0.0","name":"n","pad":"`)+i] = 'x'
	}
	os.Remove(seen[0])
	p, err = StartAdd("record", big)
	if err != nil {
		t.Fatalf("StartAdd(record) = %v", err)
	}
	if _, err := p.Result(); err != nil {
		t.Fatalf("Result() with a 1 MiB config = %v", err)
	}
	if err := p.Exited(); err != nil {
		t.Fatalf("Exited() with a 1 MiB config = %v", err)
	}
	seen, _ = filepath.Glob(filepath.Join(dir, "seen.*"))
	if len(seen) != 1 {
		t.Fatalf("plugin runs that saw their config: %v, want 1", seen)
	}
	if fi, err := os.Stat(seen[0]); err != nil || fi.Size() != int64(len(big)) {
		t.Errorf("plugin read %v bytes (%v), want %d", fi.Size(), err, len(big))
	}

	if _, err := StartAdd("missing", conf); !errors.Is(err, errPluginNotFound) {
		t.Errorf("StartAdd(missing) = %v, want not found", err)
	}
}

func TestResultBeforeExit(t *testing.T) {
	dir := t.TempDir()
	// early prints its result and closes its stdout, as our skel does, then
	// stays until the test writes the exit status it is to end with, for
	// at most 20 s (so that it cannot outlive a test that was killed).
	writePlugin(t, dir, "early", `cat >/dev/null
echo '{"cniVersion":"1.0.0","ips":[{"address":"192.0.2.10/24"}]}'
exec 1>&-
d=$(dirname "$0")
i=0
while [ ! -s "$d/status" ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done
[ -s "$d/status" ] || exit 9
exit "$(cat "$d/status")"
`)
	t.Setenv("CNI_PATH", dir)
	t.Setenv("CNI_COMMAND", "ADD")
	conf := []byte(`{"cniVersion":"1.0.0","name":"n","type":"x","ipam":{"type":"early"}}`)
	status := filepath.Join(dir, "status")

	for _, tt := range []struct {
		status  string
		wantErr string
	}{
		{status: "0"},
		{status: "3", wantErr: "run IPAM plugin early ADD: exit status 3: "},
	} {
		os.Remove(status)
		p, err := StartAdd("early", conf)
		if err != nil {
			t.Fatalf("StartAdd(early) = %v", err)
		}
		type answer struct {
			r   types.Result
			err error
		}
		got := make(chan answer, 1)
		go func() {
			r, err := p.Result()
			got <- answer{r, err}
		}()
		select {
		case a := <-got:
			if a.err != nil || a.r.Version() != "1.0.0" {
				t.Fatalf("Result() = %v, %v; want a 1.0.0 result", a.r, a.err)
			}
		case <-time.After(10 * time.Second):
			// Unblock the plugin so that the test ends.
			_ = os.WriteFile(status, []byte("0"), 0o644)
			t.Fatal("Result() waited for the plugin to exit, not for its stdout to close")
		}
		if err := os.WriteFile(status, []byte(tt.status), 0o644); err != nil {
			t.Fatal(err)
		}
		err = p.Exited()
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.wantErr)) {
			t.Errorf("exit status %s: Exited() = %v, want %q...", tt.status, err, tt.wantErr)
		}
		if again := p.Exited(); fmt.Sprint(again) != fmt.Sprint(err) {
			t.Errorf("Exited() again = %v, want %v", again, err)
		}
		if tt.wantErr == "" {
			continue
		}
		// ExecAdd counts the result only once the plugin has succeeded.
		if err := os.WriteFile(status, []byte(tt.status), 0o644); err != nil {
			t.Fatal(err)
		}
		if r, err := ExecAdd("early", conf); err == nil {
			t.Errorf("ExecAdd of a plugin that printed a result and exited %s = %v, want its failure", tt.status, r)
		}
	}
}
