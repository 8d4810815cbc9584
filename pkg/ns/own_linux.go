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

package ns

import (
	"strings"

	cnins "github.com/containernetworking/cni/pkg/ns"
	"github.com/containernetworking/cni/pkg/types"
)

// RefuseOwn returns a code 4 (types.ErrInvalidNetNS) error when nsPath,
// the runtime's CNI_NETNS, names the network namespace the plugin itself
// runs in, unless override (CNI_NETNS_OVERRIDE) is "1" or "true". An empty
// or unreadable path is not refused: DEL may come after the namespace is
// gone, and the verb reports a bad path itself.
//
// cni's skel makes the same check after ADD and DEL have returned, when
// their work is done; a plugin calls RefuseOwn first thing in ADD and DEL,
// so that a refused call changes nothing (a DEL of loopback would
// otherwise take the plugin's own lo down). It must run before the calling
// thread has entered another namespace.
func RefuseOwn(nsPath, override string) error {
	if override == "1" || strings.EqualFold(override, "true") {
		return nil
	}
	own, e := cnins.CheckNetNS(nsPath)
	if e != nil {
		return e
	}
	if own {
		return types.NewError(types.ErrInvalidNetNS, "plugin's netns and netns from CNI_NETNS should not be the same", "")
	}
	return nil
}
