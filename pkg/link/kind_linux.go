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
)

// Check verifies, in the calling thread's namespace, that ifName is a link
// of the kind in mode want with the MAC address mac the ADD reported (an
// empty mac is not checked).
func (k Kind[L, M]) Check(ifName string, want M, mac string) error {
	l, err := Get(ifName, k.Type)
	if err != nil {
		return err
	}
	kl, ok := l.(L)
	if !ok {
		return fmt.Errorf("check link %s: not %s", ifName, k.Noun)
	}
	if have := k.Mode(kl); have != want {
		return fmt.Errorf("check link %s: mode is %s, want %s", ifName, k.ModeName(have), k.ModeName(want))
	}
	return CheckMAC(ifName, l.Attrs().HardwareAddr, mac)
}
