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
	"github.com/containernetworking/cni/pkg/version"
)

// SpecVersions returns every CNI spec version the cni library supports,
// oldest first.
func SpecVersions() []string {
	return version.All.SupportedVersions()
}

// SpecVersionsFrom returns the supported spec versions not older than min.
// An unparsable min yields no versions.
func SpecVersionsFrom(min string) []string {
	var out []string
	for _, v := range SpecVersions() {
		if ok, err := version.GreaterThanOrEqualTo(v, min); err == nil && ok {
			out = append(out, v)
		}
	}
	return out
}
