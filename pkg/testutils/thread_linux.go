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
	"fmt"

	"golang.org/x/sys/unix"
)

// ThreadNSInode returns the inode of the calling thread's network
// namespace, which identifies the namespace. The caller must be locked to
// its thread (inside NetNS.Do, or after runtime.LockOSThread): another
// thread may be in another namespace.
func ThreadNSInode() (uint64, error) {
	var st unix.Stat_t
	p := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	if err := unix.Stat(p, &st); err != nil {
		return 0, fmt.Errorf("stat %s: %w", p, err)
	}
	return st.Ino, nil
}
