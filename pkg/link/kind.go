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

package link

import (
	"fmt"

	"github.com/vishvananda/netlink"
)

// Mode is the type of the mode of a kind of link: an integer the kernel
// defines (netlink.MacvlanMode, netlink.IPVlanMode).
type Mode interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Kind describes a kind of link with modes, as a link plugin creates it:
// L is its netlink type (*netlink.Macvlan, *netlink.IPVlan) and M the type
// of its mode.
type Kind[L netlink.Link, M Mode] struct {
	// Type is the kernel's name of the kind, as netlink.Link.Type returns
	// it: "macvlan", "ipvlan".
	Type string
	// Noun names one link of the kind in messages: "a macvlan", "an ipvlan".
	Noun string
	// Modes maps the config's mode names to the kernel's; the empty name is
	// the default mode.
	Modes map[string]M
	// Mode reads the mode of a link of the kind.
	Mode func(L) M
}

// ModeName spells mode as the config does, or "mode N" for a mode the
// config has no name for.
func (k Kind[L, M]) ModeName(mode M) string {
	for name, m := range k.Modes {
		if m == mode && name != "" {
			return name
		}
	}
	return fmt.Sprintf("mode %d", mode)
}
