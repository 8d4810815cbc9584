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
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// ErrLinkNotFound is wrapped by the errors of this package's link operations
// when the named link does not exist: test with errors.Is.
var ErrLinkNotFound = errors.New("link not found")

// handleOrDefault returns h, or a handle that opens a socket per request in
// the calling thread's namespace when h is nil.
func handleOrDefault(h *netlinksafe.Handle) *netlinksafe.Handle {
	if h != nil {
		return h
	}
	return &netlinksafe.Handle{Handle: &netlink.Handle{}}
}

// linkByName is `ip link show dev NAME`, with a missing link reported as
// ErrLinkNotFound itself; callers add the context.
func linkByName(h *netlinksafe.Handle, ifName string) (netlink.Link, error) {
	l, err := h.LinkByName(ifName)
	if err != nil && isLinkNotFound(err) {
		return nil, ErrLinkNotFound
	}
	return l, err
}

// isLinkNotFound reports whether err says that a link does not exist: the
// netlink library's LinkNotFoundError for lookups, ENODEV from the kernel for
// requests on an index that has just gone away.
func isLinkNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf) || errors.Is(err, unix.ENODEV)
}

// SetHWAddr is `ip link set dev NAME address MAC`. A nil h uses a socket per
// request in the calling thread's namespace.
func SetHWAddr(h *netlinksafe.Handle, ifName string, mac net.HardwareAddr) error {
	h = handleOrDefault(h)
	l, err := linkByName(h, ifName)
	if err != nil {
		return fmt.Errorf("set address %s on %s: %w", mac, ifName, err)
	}
	if err := h.LinkSetHardwareAddr(l, mac); err != nil {
		if isLinkNotFound(err) {
			err = ErrLinkNotFound
		}
		return fmt.Errorf("set address %s on %s: %w", mac, ifName, err)
	}
	return nil
}

// DelLinkByName is `ip link del dev NAME`. The error wraps ErrLinkNotFound
// when no such link exists. A nil h uses a socket per request in the calling
// thread's namespace.
func DelLinkByName(h *netlinksafe.Handle, ifName string) error {
	h = handleOrDefault(h)
	l, err := linkByName(h, ifName)
	if err != nil {
		return fmt.Errorf("delete link %s: %w", ifName, err)
	}
	if err := h.LinkDel(l); err != nil {
		if isLinkNotFound(err) {
			err = ErrLinkNotFound
		}
		return fmt.Errorf("delete link %s: %w", ifName, err)
	}
	return nil
}
