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

// Package testutils helps tests of this project: throwaway network
// namespaces, kernel feature probes, in-process plugin verbs, the CNI spec
// versions to test against, and routes rendered as iproute2-style text.
//
// Everything except the ginkgo helpers (NewNSForSpec, SkipUnlessRoot,
// RequireKernelFeature in ginkgo_linux.go) works without ginkgo.
package testutils

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
)

// testNS records what NewNS mounted, so that UnmountNS can undo it.
type testNS struct {
	dir  string // private mount point holding the bind mount
	file string // bind mount of the namespace
}

var (
	mountsMu sync.Mutex
	mounts   = map[string]*testNS{} // by NetNS.Path()
)

// NewNS creates a network namespace and returns it opened. The namespace is
// kept alive by a bind mount on a file inside a fresh private temporary
// directory (never /run/netns), so it outlives the thread that made it.
// Release it with UnmountNS.
func NewNS() (ns.NetNS, error) {
	dir, err := os.MkdirTemp("", "cni-testns-")
	if err != nil {
		return nil, fmt.Errorf("create namespace directory: %w", err)
	}
	// Make the directory a private mount point: with shared propagation
	// (the default under systemd) the namespace bind mount would be copied
	// into peer mount namespaces and keep the network namespace alive there
	// after we unmount it.
	if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("bind mount %s: %w", dir, err)
	}
	if err := unix.Mount("", dir, "", unix.MS_PRIVATE, ""); err != nil {
		unix.Unmount(dir, unix.MNT_DETACH)
		os.Remove(dir)
		return nil, fmt.Errorf("make %s a private mount: %w", dir, err)
	}
	t := &testNS{dir: dir, file: filepath.Join(dir, "net")}
	if err := createNS(t.file); err != nil {
		return nil, errors.Join(err, t.release())
	}
	n, err := ns.GetNS(t.file)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open new network namespace: %w", err), t.release())
	}
	mountsMu.Lock()
	mounts[n.Path()] = t
	mountsMu.Unlock()
	return n, nil
}

// createNS makes a new network namespace on a thread of its own and bind
// mounts it onto target.
func createNS(target string) error {
	f, err := os.OpenFile(target, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("create namespace mount point: %w", err)
	}
	f.Close()

	errc := make(chan error, 1)
	go func() {
		// Never unlocked: this thread ends up in the new namespace, so the
		// runtime must end it with the goroutine rather than reuse it.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare network namespace: %w", err)
			return
		}
		src := fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())
		if err := unix.Mount(src, target, "none", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("bind mount %s on %s: %w", src, target, err)
			return
		}
		errc <- nil
	}()
	return <-errc
}

// release unmounts and removes everything NewNS made, ignoring what is
// already gone.
func (t *testNS) release() error {
	var errs []error
	if err := unix.Unmount(t.file, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		errs = append(errs, fmt.Errorf("unmount %s: %w", t.file, err))
	}
	if err := unix.Unmount(t.dir, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		errs = append(errs, fmt.Errorf("unmount %s: %w", t.dir, err))
	}
	if err := os.RemoveAll(t.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove %s: %w", t.dir, err))
	}
	return errors.Join(errs...)
}

// UnmountNS closes n, unmounts it and removes its directory. It may be
// called twice, and on a namespace the caller already closed. A namespace
// NewNS did not create is only closed, never unmounted.
func UnmountNS(n ns.NetNS) error {
	if n == nil {
		return nil
	}
	mountsMu.Lock()
	t, ok := mounts[n.Path()]
	delete(mounts, n.Path())
	mountsMu.Unlock()
	if !ok {
		// Already unmounted, or not ours; closing is still right, and a
		// second close only reports that it was closed.
		_ = n.Close()
		return nil
	}
	// A close error here can only mean the caller closed it already.
	_ = n.Close()
	return t.release()
}
