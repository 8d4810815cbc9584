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

package skel

import (
	"fmt"
	"unicode"

	"github.com/containernetworking/cni/pkg/types"
)

// maxIfNameLen is the longest interface name Linux accepts (IFNAMSIZ - 1).
const maxIfNameLen = 15

// validName reports whether s matches [a-zA-Z0-9][a-zA-Z0-9_.\-]*, the rule
// cni applies to container IDs and network names.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// validateContainerID checks CNI_CONTAINERID with cni's rule and messages.
func validateContainerID(id string) *types.Error {
	if id == "" {
		return types.NewError(types.ErrUnknownContainer, "missing containerID", "")
	}
	if !validName(id) {
		return types.NewError(types.ErrInvalidEnvironmentVariables, "invalid characters in containerID", id)
	}
	return nil
}

// validateNetworkName checks the configuration's name with cni's rule and
// messages.
func validateNetworkName(name string) *types.Error {
	if name == "" {
		return types.NewError(types.ErrInvalidNetworkConfig, "missing network name:", "")
	}
	if !validName(name) {
		return types.NewError(types.ErrInvalidNetworkConfig, "invalid characters found in network name", name)
	}
	return nil
}

// validateInterfaceName checks CNI_IFNAME against the names the kernel
// refuses (dev_valid_name in net/core/dev.c): empty, longer than 15 bytes,
// "." or "..", or containing '/', ':' or whitespace. Messages are cni's.
func validateInterfaceName(name string) *types.Error {
	if name == "" {
		return types.NewError(types.ErrInvalidEnvironmentVariables, "interface name is empty", "")
	}
	if len(name) > maxIfNameLen {
		return types.NewError(types.ErrInvalidEnvironmentVariables, "interface name is too long",
			fmt.Sprintf("interface name should be less than %d characters", maxIfNameLen+1))
	}
	if name == "." || name == ".." {
		return types.NewError(types.ErrInvalidEnvironmentVariables, "interface name is . or ..", "")
	}
	for _, r := range name {
		if r == '/' || r == ':' || unicode.IsSpace(r) {
			return types.NewError(types.ErrInvalidEnvironmentVariables, "interface name contains / or : or whitespace characters", "")
		}
	}
	return nil
}
