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

//go:build linux

// Package ns opens network namespaces and runs code inside them.
//
// A network namespace belongs to an OS thread, not to a goroutine, so every
// switch happens on a goroutine locked to its thread. When the thread cannot
// be switched back to the namespace it started in, it is left locked: the Go
// runtime then ends the thread with the goroutine instead of handing a thread
// in the wrong namespace to other code. See README.md.
package ns

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// NetNS is an open network namespace.
type NetNS interface {
	// Do runs toRun with the calling thread switched into this namespace and
	// switches back afterwards. toRun receives the namespace Do was called
	// from, so it can move links back or enter it again.
	Do(toRun func(hostNS NetNS) error) error

	// Set switches the calling OS thread into this namespace. The caller
	// must have locked the goroutine to its thread.
	Set() error

	// Path returns the path this namespace was opened from.
	Path() string

	// Fd returns the file descriptor of the namespace.
	Fd() uintptr

	// Close releases the file descriptor. Closing twice is an error.
	Close() error
}

// PathNotExistError reports that a namespace path does not exist.
type PathNotExistError struct {
	Path string
	Err  error
}

func (e *PathNotExistError) Error() string {
	return fmt.Sprintf("network namespace %q does not exist: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error, so errors.Is(err, os.ErrNotExist) holds.
func (e *PathNotExistError) Unwrap() error { return e.Err }

// NotNetNSError reports that a path exists but is not a network namespace.
type NotNetNSError struct {
	Path string
}

func (e *NotNetNSError) Error() string {
	return fmt.Sprintf("%q is not a network namespace", e.Path)
}

// Filesystem magics of the files that can hold a namespace reference:
// nsfs for bind mounts and /proc/PID/ns/net since Linux 3.19, procfs before.
const (
	nsfsMagic   = 0x6e736673
	procfsMagic = 0x9fa0
)

type netNS struct {
	file *os.File
	path string

	mu     sync.Mutex
	closed bool
}

// GetNS opens the network namespace at nsPath. It returns a
// *PathNotExistError when nothing is there and a *NotNetNSError when the
// path is not a namespace.
func GetNS(nsPath string) (NetNS, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(nsPath, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, &PathNotExistError{Path: nsPath, Err: os.ErrNotExist}
		}
		return nil, fmt.Errorf("stat network namespace %q: %w", nsPath, err)
	}
	switch uint64(st.Type) {
	case nsfsMagic, procfsMagic:
	default:
		return nil, &NotNetNSError{Path: nsPath}
	}
	f, err := os.Open(nsPath)
	if err != nil {
		return nil, fmt.Errorf("open network namespace %q: %w", nsPath, err)
	}
	// nsfs holds every kind of namespace (/proc/self/ns/mnt is nsfs too)
	// and a procfs file may be any /proc entry: ask the kernel what it is.
	t, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_NSTYPE)
	switch {
	case err == nil && t == unix.CLONE_NEWNET:
	case err != nil && errors.Is(err, unix.ENOTTY) && uint64(st.Type) == nsfsMagic:
		// Kernels before 4.11 lack NS_GET_NSTYPE; trust nsfs there.
	default:
		f.Close()
		return nil, &NotNetNSError{Path: nsPath}
	}
	return &netNS{file: f, path: nsPath}, nil
}

// currentThreadNSPath names the network namespace of the calling thread.
func currentThreadNSPath() string {
	return fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())
}

// GetCurrentNS opens the network namespace of the calling thread.
func GetCurrentNS() (NetNS, error) {
	// Lock so the namespace read is the one of the thread we stay on.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return GetNS(currentThreadNSPath())
}

// WithNetNSPath opens the namespace at nsPath, runs toRun inside it and
// closes it again.
func WithNetNSPath(nsPath string, toRun func(hostNS NetNS) error) error {
	n, err := GetNS(nsPath)
	if err != nil {
		return err
	}
	defer n.Close()
	return n.Do(toRun)
}

func (n *netNS) Path() string { return n.path }

func (n *netNS) Fd() uintptr { return n.file.Fd() }

func (n *netNS) errIfClosed() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return fmt.Errorf("network namespace %q is already closed", n.path)
	}
	return nil
}

func (n *netNS) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return fmt.Errorf("network namespace %q is already closed", n.path)
	}
	n.closed = true
	if err := n.file.Close(); err != nil {
		return fmt.Errorf("close network namespace %q: %w", n.path, err)
	}
	return nil
}

func (n *netNS) Set() error {
	if err := n.errIfClosed(); err != nil {
		return err
	}
	if err := unix.Setns(int(n.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("enter network namespace %q: %w", n.path, err)
	}
	return nil
}

func (n *netNS) Do(toRun func(NetNS) error) error {
	if err := n.errIfClosed(); err != nil {
		return err
	}

	var innerErr error
	done := make(chan struct{})
	// A fresh goroutine gets a thread of its own; when we cannot restore the
	// thread's namespace we return without unlocking, and the runtime
	// terminates that thread when the goroutine exits.
	go func() {
		defer close(done)
		runtime.LockOSThread()

		hostNS, err := GetNS(currentThreadNSPath())
		if err != nil {
			runtime.UnlockOSThread()
			innerErr = fmt.Errorf("open current network namespace: %w", err)
			return
		}
		defer hostNS.Close()

		if err := n.Set(); err != nil {
			// Setns failed, so the thread is still where it was.
			runtime.UnlockOSThread()
			innerErr = err
			return
		}

		innerErr = toRun(hostNS)

		if err := hostNS.Set(); err != nil {
			// Stay locked: this thread must die with the goroutine.
			innerErr = errors.Join(innerErr, fmt.Errorf("switch back to network namespace %q: %w", hostNS.Path(), err))
			return
		}
		runtime.UnlockOSThread()
	}()
	<-done
	return innerErr
}
