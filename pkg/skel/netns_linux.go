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
	"errors"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/containernetworking/cni/pkg/types"
)

// isOwnNetNS reports whether path names the network namespace of the calling
// thread. An empty or unreadable path is not (DEL may come after the
// namespace is gone, and the plugin reports a bad path itself), as in cni.
//
// Two namespace files name the same namespace when device and inode match.
// The dispatcher runs before any plugin code could have moved a thread to
// another namespace, so the calling thread's namespace is the plugin's.
func isOwnNetNS(path string) (bool, *types.Error) {
	if path == "" {
		return false, nil
	}
	var target unix.Stat_t
	if err := unix.Stat(path, &target); err != nil {
		return false, nil
	}
	own, err := ownNetNSStat()
	if err != nil {
		return false, types.NewError(types.ErrInvalidNetNS, "get plugin's netns failed", "")
	}
	return target.Dev == own.Dev && target.Ino == own.Ino, nil
}

// ownNetNSStat stats the calling thread's network namespace file.
// /proc/thread-self appeared in Linux 3.17; older kernels get the same file
// through /proc/self/task/<tid>.
func ownNetNSStat() (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Stat("/proc/thread-self/ns/net", &st)
	if errors.Is(err, unix.ENOENT) {
		err = unix.Stat("/proc/self/task/"+strconv.Itoa(unix.Gettid())+"/ns/net", &st)
	}
	return st, err
}
