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

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// tunDevice is the clone device of the tun driver.
const tunDevice = "/dev/net/tun"

// createTap is `ip tuntap add dev IFNAME mode tap [multi_queue] [user U]
// [group G]` in the calling thread's namespace, then the MTU, MAC and
// bridge of conf, and returns the link as a result interface.
//
// The ioctls are made here rather than through netlink.LinkAdd, which
// always sends TUNSETOWNER and TUNSETGROUP: a tap whose owner or group is
// unset must be usable by any user with CAP_NET_ADMIN in its namespace (the
// kernel's "no owner" is -1), not be owned by root.
// A failure once the tap exists deletes it.
func createTap(conf *NetConf, ifName string) (_ *current.Interface, err error) {
	h, err := netlinksafe.NewHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	// TUNSETIFF on the name of an existing tap attaches to it instead of
	// failing: a taken name is refused first.
	if _, err := h.LinkByName(ifName); err == nil {
		return nil, fmt.Errorf("add tap %s: %w", ifName, unix.EEXIST)
	}
	if err := tuntapAdd(ifName, conf.MultiQueue, conf.Owner, conf.Group, conf.SELinuxContext); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if derr := ip.DelLinkByName(h, ifName); derr != nil {
				err = errors.Join(err, fmt.Errorf("delete %s: %w", ifName, derr))
			}
		}
	}()
	l, err := h.LinkByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("find link %s: %w", ifName, err)
	}
	if conf.MTU != 0 {
		if err := h.LinkSetMTU(l, conf.MTU); err != nil {
			return nil, fmt.Errorf("set mtu %d of %s: %w", conf.MTU, ifName, err)
		}
	}
	if conf.mac != nil {
		if err := h.LinkSetHardwareAddr(l, conf.mac); err != nil {
			return nil, fmt.Errorf("set mac %s of %s: %w", conf.mac, ifName, err)
		}
	}
	if conf.Bridge != "" {
		br, err := h.LinkByName(conf.Bridge)
		if err != nil {
			return nil, fmt.Errorf("find bridge %s: %w", conf.Bridge, err)
		}
		if _, ok := br.(*netlink.Bridge); !ok {
			return nil, fmt.Errorf("attach %s to %s: %s is a %s, not a bridge", ifName, conf.Bridge, conf.Bridge, br.Type())
		}
		if err := h.LinkSetMaster(l, br); err != nil {
			return nil, fmt.Errorf("attach %s to bridge %s: %w", ifName, conf.Bridge, err)
		}
	}
	// A tap has no carrier until a process attaches to it, and the kernel
	// starts IPv6 duplicate address detection only on carrier
	// (addrconf_dad_begin waits for the link to be running): addresses
	// would stay tentative and unusable. The tap is a new link of this
	// namespace whose far end is the process the runtime attaches, so DAD
	// is off on it. The key is absent when IPv6 is disabled.
	if err := sysctl.Set("net/ipv6/conf/"+ifName+"/accept_dad", "0"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("turn off DAD on %s: %w", ifName, err)
	}
	if err := h.LinkSetUp(l); err != nil {
		return nil, fmt.Errorf("set %s up: %w", ifName, err)
	}
	if l, err = h.LinkByName(ifName); err != nil {
		return nil, fmt.Errorf("find link %s: %w", ifName, err)
	}
	return &current.Interface{Name: ifName, Mac: l.Attrs().HardwareAddr.String()}, nil
}

// tuntapAdd creates the persistent tap ifName. owner and group, when not
// nil, own it. With selinuxContext set on a host with SELinux, the tap's
// socket is labeled with it.
func tuntapAdd(ifName string, multiQueue bool, owner, group *uint32, selinuxContext string) (err error) {
	if selinuxContext != "" && selinuxEnabled() {
		// The label applies to sockets the calling thread creates, the
		// tun device's among them (tun_socket class).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := setSockCreate(selinuxContext); err != nil {
			return fmt.Errorf("set selinux context %q: %w", selinuxContext, err)
		}
		defer func() {
			if rerr := setSockCreate(""); rerr != nil && err == nil {
				err = fmt.Errorf("reset selinux socket context: %w", rerr)
			}
		}()
	}
	fd, err := unix.Open(tunDevice, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("add tap %s: open %s: %w", ifName, tunDevice, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(ifName)
	if err != nil {
		return fmt.Errorf("add tap %s: %w", ifName, err)
	}
	flags := uint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if multiQueue {
		flags |= unix.IFF_MULTI_QUEUE
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return fmt.Errorf("add tap %s: %w", ifName, err)
	}
	// From here on the device exists (until fd is closed, unless made
	// persistent).
	if owner != nil {
		if err := unix.IoctlSetInt(fd, unix.TUNSETOWNER, int(*owner)); err != nil {
			return fmt.Errorf("set owner %d of tap %s: %w", *owner, ifName, err)
		}
	}
	if group != nil {
		if err := unix.IoctlSetInt(fd, unix.TUNSETGROUP, int(*group)); err != nil {
			return fmt.Errorf("set group %d of tap %s: %w", *group, ifName, err)
		}
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, 1); err != nil {
		return fmt.Errorf("make tap %s persistent: %w", ifName, err)
	}
	return nil
}

// selinuxEnabled reports whether SELinux is active: its file system is
// mounted.
func selinuxEnabled() bool {
	_, err := os.Stat("/sys/fs/selinux/enforce")
	return err == nil
}

// setSockCreate sets the SELinux label of the sockets the calling thread
// creates; "" restores the default.
func setSockCreate(label string) error {
	const path = "/proc/thread-self/attr/sockcreate"
	if err := os.WriteFile(path, []byte(label), 0); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// checkTap verifies that ifName is a tap with conf's queue mode, owner and
// group (compared only when set: the kernel does not report an unset
// owner or group, which reads as 0) and the MAC mac (not checked when
// empty).
func checkTap(conf *NetConf, ifName, mac string) error {
	l, err := link.Get(ifName, "tuntap")
	if err != nil {
		return err
	}
	t := l.(*netlink.Tuntap)
	if t.Mode != netlink.TUNTAP_MODE_TAP {
		return fmt.Errorf("check link %s: a tun, not a tap", ifName)
	}
	if mq := t.Flags&netlink.TUNTAP_MULTI_QUEUE != 0; mq != conf.MultiQueue {
		return fmt.Errorf("check link %s: multiQueue %t, want %t", ifName, mq, conf.MultiQueue)
	}
	if conf.Owner != nil && t.Owner != *conf.Owner {
		return fmt.Errorf("check link %s: owner %d, want %d", ifName, t.Owner, *conf.Owner)
	}
	if conf.Group != nil && t.Group != *conf.Group {
		return fmt.Errorf("check link %s: group %d, want %d", ifName, t.Group, *conf.Group)
	}
	return link.CheckMAC(ifName, l.Attrs().HardwareAddr, mac)
}
