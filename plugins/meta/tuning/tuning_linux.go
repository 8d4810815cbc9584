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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// procSys is where the kernel exposes the sysctls of the calling thread's
// network namespace.
const procSys = "/proc/sys"

// linkState is the original value of each attribute ADD changed, kept in
// the data directory for DEL. Its JSON form is upstream's, so that DEL of
// either plugin restores what the other's ADD changed: only the changed
// attributes are present.
type linkState struct {
	Mac      *string `json:"mac,omitempty"`
	Promisc  *bool   `json:"promisc,omitempty"`
	MTU      *int    `json:"mtu,omitempty"`
	AllMulti *bool   `json:"allmulti,omitempty"`
	TxQLen   *int    `json:"txQLen,omitempty"`
}

func (st *linkState) empty() bool { return *st == linkState{} }

// statePath returns the state file of an attachment: upstream's name.
func statePath(dataDir, containerID, ifName string) string {
	return filepath.Join(dataDir, containerID+"_"+ifName+".json")
}

// writeState writes st to path, creating its directory.
func writeState(path string, st *linkState) error {
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create tuning data directory: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write tuning state: %w", err)
	}
	return nil
}

// readState reads the state file at path; nil without error when there is none.
func readState(path string) (*linkState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tuning state: %w", err)
	}
	st := &linkState{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("decode tuning state %s: %w", path, err)
	}
	return st, nil
}

// readSysctl returns the value of a sysctl (path relative to /proc/sys)
// of the calling thread's network namespace, without its trailing newline.
func readSysctl(path string) (string, error) {
	b, err := os.ReadFile(filepath.Join(procSys, path))
	if err != nil {
		return "", fmt.Errorf("read sysctl %s: %w", path, err)
	}
	return strings.TrimRight(string(b), "\n"), nil
}

// writeSysctl sets a sysctl (path relative to /proc/sys).
func writeSysctl(path, value string) error {
	if err := os.WriteFile(filepath.Join(procSys, path), []byte(value), 0o644); err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", path, value, err)
	}
	return nil
}

// sameSysctl compares a value read back with the one configured: the
// kernel prints multi-valued sysctls separated by tabs.
func sameSysctl(have, want string) bool {
	return strings.Join(strings.Fields(have), " ") == strings.Join(strings.Fields(want), " ")
}

// original records in a linkState the current value of every attribute s changes.
func original(l netlink.Link, s *settings) *linkState {
	a := l.Attrs()
	st := &linkState{}
	if s.mac != nil {
		mac := a.HardwareAddr.String()
		st.Mac = &mac
	}
	if s.promisc {
		on := a.Promisc != 0
		st.Promisc = &on
	}
	if s.mtu > 0 {
		mtu := a.MTU
		st.MTU = &mtu
	}
	if s.allMulti != nil {
		on := a.Allmulti != 0
		st.AllMulti = &on
	}
	if s.txQLen != nil {
		q := a.TxQLen
		st.TxQLen = &q
	}
	return st
}

// tune applies s to ifName in the calling thread's namespace. The original
// link attributes are written to stateFile before anything changes. On
// failure everything already changed is put back and the file removed:
// a failed ADD leaves nothing behind.
func tune(h *netlinksafe.Handle, ifName string, s *settings, stateFile string) (err error) {
	l, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	st := original(l, s)
	var undo []func() error
	defer func() {
		if err == nil {
			return
		}
		for i := len(undo) - 1; i >= 0; i-- {
			_ = undo[i]()
		}
		if !st.empty() {
			_ = os.Remove(stateFile)
		}
	}()
	if !st.empty() {
		if err := writeState(stateFile, st); err != nil {
			return err
		}
	}
	for _, sc := range s.sysctls {
		old, err := readSysctl(sc.Path)
		if err != nil {
			return err
		}
		if err := writeSysctl(sc.Path, sc.Value); err != nil {
			return err
		}
		undo = append(undo, func() error { return writeSysctl(sc.Path, old) })
	}
	undo = append(undo, func() error { return restore(h, ifName, st) })
	return setLink(h, l, s)
}

// setLink changes the attributes of l that s names.
func setLink(h *netlinksafe.Handle, l netlink.Link, s *settings) error {
	name := l.Attrs().Name
	if s.mac != nil {
		if err := h.LinkSetHardwareAddr(l, s.mac); err != nil {
			return fmt.Errorf("set mac %s of %s: %w", s.mac, name, err)
		}
	}
	if s.promisc {
		if err := h.SetPromiscOn(l); err != nil {
			return fmt.Errorf("set promisc on %s: %w", name, err)
		}
	}
	if s.mtu > 0 {
		if err := h.LinkSetMTU(l, s.mtu); err != nil {
			return fmt.Errorf("set mtu %d of %s: %w", s.mtu, name, err)
		}
	}
	if s.allMulti != nil {
		set, state := h.LinkSetAllmulticastOff, "off"
		if *s.allMulti {
			set, state = h.LinkSetAllmulticastOn, "on"
		}
		if err := set(l); err != nil {
			return fmt.Errorf("set allmulticast %s on %s: %w", state, name, err)
		}
	}
	if s.txQLen != nil {
		if err := h.LinkSetTxQLen(l, *s.txQLen); err != nil {
			return fmt.Errorf("set txqueuelen %d of %s: %w", *s.txQLen, name, err)
		}
	}
	return nil
}

// restore puts back the attributes st recorded. A link that is gone has
// nothing to restore. Every attribute is tried; the errors are joined.
func restore(h *netlinksafe.Handle, ifName string, st *linkState) error {
	l, err := h.LinkByName(ifName)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	var errs []error
	if st.Mac != nil {
		mac, err := net.ParseMAC(*st.Mac)
		if err == nil {
			err = h.LinkSetHardwareAddr(l, mac)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restore mac %s of %s: %w", *st.Mac, ifName, err))
		}
	}
	if st.Promisc != nil {
		set := h.SetPromiscOff
		if *st.Promisc {
			set = h.SetPromiscOn
		}
		if err := set(l); err != nil {
			errs = append(errs, fmt.Errorf("restore promisc of %s: %w", ifName, err))
		}
	}
	if st.MTU != nil {
		if err := h.LinkSetMTU(l, *st.MTU); err != nil {
			errs = append(errs, fmt.Errorf("restore mtu %d of %s: %w", *st.MTU, ifName, err))
		}
	}
	if st.AllMulti != nil {
		set := h.LinkSetAllmulticastOff
		if *st.AllMulti {
			set = h.LinkSetAllmulticastOn
		}
		if err := set(l); err != nil {
			errs = append(errs, fmt.Errorf("restore allmulticast of %s: %w", ifName, err))
		}
	}
	if st.TxQLen != nil {
		if err := h.LinkSetTxQLen(l, *st.TxQLen); err != nil {
			errs = append(errs, fmt.Errorf("restore txqueuelen %d of %s: %w", *st.TxQLen, ifName, err))
		}
	}
	return errors.Join(errs...)
}

// checkTuned compares ifName and the sysctls with s, for CHECK.
func checkTuned(h *netlinksafe.Handle, ifName string, s *settings) error {
	l, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ifName, err)
	}
	for _, sc := range s.sysctls {
		have, err := readSysctl(sc.Path)
		if err != nil {
			return err
		}
		if !sameSysctl(have, sc.Value) {
			return fmt.Errorf("sysctl %s is %q, configured %q", sc.Key, have, sc.Value)
		}
	}
	a := l.Attrs()
	switch {
	case s.mac != nil && !bytes.Equal(a.HardwareAddr, s.mac):
		return fmt.Errorf("mac of %s is %s, configured %s", ifName, a.HardwareAddr, s.mac)
	case s.promisc && a.Promisc == 0:
		return fmt.Errorf("promisc of %s is off, configured on", ifName)
	case s.mtu > 0 && a.MTU != s.mtu:
		return fmt.Errorf("mtu of %s is %d, configured %d", ifName, a.MTU, s.mtu)
	case s.allMulti != nil && *s.allMulti != (a.Allmulti != 0):
		return fmt.Errorf("allmulticast of %s is %s, configured %s", ifName, onOff(a.Allmulti != 0), onOff(*s.allMulti))
	case s.txQLen != nil && a.TxQLen != *s.txQLen:
		return fmt.Errorf("txqueuelen of %s is %d, configured %d", ifName, a.TxQLen, *s.txQLen)
	}
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
