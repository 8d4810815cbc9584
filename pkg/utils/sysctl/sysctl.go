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

// Package sysctl reads and writes kernel parameters under /proc/sys, for the
// network namespace of the calling thread. Keys may be written with dots
// ("net.ipv4.ip_forward") or slashes ("net/ipv4/ip_forward"), as sysctl(8)
// accepts. Interface names may contain dots, so a key that already holds a
// slash is taken as a path unchanged.
package sysctl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// procSys is where the kernel exposes sysctls.
const procSys = "/proc/sys"

// Path returns the /proc/sys file of key.
func Path(key string) (string, error) {
	k := strings.TrimSpace(key)
	if k == "" {
		return "", fmt.Errorf("sysctl key %q is empty", key)
	}
	if !strings.Contains(k, "/") {
		k = strings.ReplaceAll(k, ".", "/")
	}
	k = strings.TrimPrefix(k, "/")
	p := filepath.Join(procSys, k)
	if !strings.HasPrefix(p, procSys+"/") {
		return "", fmt.Errorf("sysctl key %q leaves %s", key, procSys)
	}
	return p, nil
}

// Get returns the value of key without its trailing newline.
func Get(key string) (string, error) {
	p, err := Path(key)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("read sysctl %s: %w", key, err)
	}
	return strings.TrimRight(string(b), "\n"), nil
}

// Set writes value to key. It does not read the value back: some keys
// (for example net.ipv6.conf.*.disable_ipv6 on a link without IPv6) accept
// writes the kernel then normalises.
func Set(key, value string) error {
	p, err := Path(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(value), 0o644); err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", key, value, err)
	}
	return nil
}

// Ensure writes value to key only when it differs, and reports whether it
// wrote. Reading first avoids needless writes, which some kernels log or
// refuse in a read-only /proc/sys even when nothing would change.
func Ensure(key, value string) (bool, error) {
	cur, err := Get(key)
	if err != nil {
		return false, err
	}
	if cur == value {
		return false, nil
	}
	return true, Set(key, value)
}
