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

// Package buildversion holds the version stamped into every plugin binary
// by build_linux.sh and formats the "about" string the binaries print when
// run without CNI_COMMAND.
package buildversion

import "fmt"

// BuildVersion is set at link time with
// -ldflags "-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v1.2.3".
var BuildVersion = "(unknown)"

// BuildString returns the about string of the named plugin, for example
// "CNI macvlan plugin v1.2.3".
func BuildString(pluginName string) string {
	return fmt.Sprintf("CNI %s plugin %s", pluginName, BuildVersion)
}
