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

package upstream

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	t.Setenv("CNI_UPSTREAM_BIN_DIR", "")
	t.Setenv("XDG_CACHE_HOME", "/c")
	if d, err := Dir(); err != nil || d != "/c/cni-plugins-upstream/"+Release {
		t.Errorf("Dir() = %q, %v, want %q", d, err, "/c/cni-plugins-upstream/"+Release)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if d, err := Dir(); err != nil || d != filepath.Join(os.TempDir(), ".cache", "cni-plugins-upstream", Release) {
		t.Errorf("Dir() without HOME = %q, %v, want one under %s", d, err, os.TempDir())
	}
	t.Setenv("CNI_UPSTREAM_BIN_DIR", "/o")
	if d, err := Dir(); err != nil || d != "/o" {
		t.Errorf("Dir() with CNI_UPSTREAM_BIN_DIR = %q, %v, want /o", d, err)
	}
}

func TestPackage(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"host-local", "github.com/containernetworking/plugins/plugins/ipam/host-local@" + Release},
		{"bridge", "github.com/containernetworking/plugins/plugins/main/bridge@" + Release},
		{"portmap", "github.com/containernetworking/plugins/plugins/meta/portmap@" + Release},
	} {
		if got, err := Package(tt.in); err != nil || got != tt.want {
			t.Errorf("Package(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	if got, err := Package("nosuch"); err == nil {
		t.Errorf("Package(%q) = %q, want an error", "nosuch", got)
	}
}

func TestInstallWithoutBuilding(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CNI_UPSTREAM_BIN_DIR", dir)
	t.Setenv("CNI_TEST_IN_VM", "1")
	if err := os.WriteFile(filepath.Join(dir, "static"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Present binaries are used as they are, also in the guest.
	if got, err := Install("static"); err != nil || got != dir {
		t.Errorf("Install(static) = %q, %v, want %q", got, err, dir)
	}
	// A missing one cannot be built in the guest.
	if _, err := Install("static", "ptp"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Install(static, ptp) in the guest: error %v, want ErrUnavailable", err)
	}
	// Nor without a go command.
	t.Setenv("CNI_TEST_IN_VM", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := Install("ptp"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Install(ptp) without go: error %v, want ErrUnavailable", err)
	}
	// A directory where a binary should be is not a binary.
	if err := os.Mkdir(filepath.Join(dir, "tuning"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Install("tuning"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Install(tuning) with a directory in its place: error %v, want ErrUnavailable", err)
	}
	if _, err := Install("nosuch"); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("Install(nosuch): error %v, want an unknown-plugin error", err)
	}
}
