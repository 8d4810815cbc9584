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

package ip

import (
	"errors"

	"github.com/vishvananda/netlink"
)

// BreakAddrSubscription makes WaitForDAD's notification socket fail to open
// (lost is false) or close right after opening (lost is true), as an
// overrun would, until restore is called.
func BreakAddrSubscription(lost bool) (restore func()) {
	old := subscribe
	subscribe = func() (*addrSub, error) {
		if !lost {
			return nil, errors.New("subscription disabled by test")
		}
		s := &addrSub{ch: make(chan netlink.AddrUpdate), done: make(chan struct{})}
		close(s.ch)
		return s, nil
	}
	return func() { subscribe = old }
}

// SetRandomVethNames makes SetupVeth draw the given host names, in order,
// before random ones, until restore is called.
func SetRandomVethNames(names ...string) (restore func()) {
	old := randomVethName
	randomVethName = func() (string, error) {
		if len(names) == 0 {
			return old()
		}
		n := names[0]
		names = names[1:]
		return n, nil
	}
	return func() { randomVethName = old }
}
