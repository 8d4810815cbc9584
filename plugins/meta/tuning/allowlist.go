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

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// allowlistPath is the file where an administrator lists the sysctls
// configs may set, as upstream's tuning plugin reads it: one regular
// expression per line, empty lines ignored. When the file is absent every
// net.* sysctl is allowed.
const allowlistPath = "/etc/cni/tuning/allowlist.conf"

// readAllowlist returns the expressions of the allowlist at path, and
// false when there is no such file.
func readAllowlist(path string) ([]*regexp.Regexp, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("read sysctl allowlist: %w", err)
	}
	var res []*regexp.Regexp
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		re, err := regexp.Compile(line)
		if err != nil {
			return nil, true, fmt.Errorf("read sysctl allowlist %s: %w", path, err)
		}
		res = append(res, re)
	}
	return res, true, nil
}

// checkAllowed refuses, with a configuration error, a sysctl whose key (as
// the config writes it, IFNAME included) matches no expression of the
// allowlist at path. Like upstream, an expression matches anywhere in the
// key unless anchored, and the file is read only when there are sysctls.
func checkAllowed(sysctls []sysctlSetting, path string) error {
	if len(sysctls) == 0 {
		return nil
	}
	allow, ok, err := readAllowlist(path)
	if err != nil || !ok {
		return err
	}
	for _, s := range sysctls {
		if !matchesAny(allow, s.Key) {
			return netconf.Invalid("sysctl %q is not allowed by %s", s.Key, path)
		}
	}
	return nil
}

func matchesAny(res []*regexp.Regexp, key string) bool {
	for _, re := range res {
		if re.MatchString(key) {
			return true
		}
	}
	return false
}
