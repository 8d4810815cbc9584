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

// Package disk is the backend.Store host-local uses in production: one
// record file per allocated address under <dataDir>/<network>/, named by the
// address and naming the attachment that holds it.
//
// Crash safety: a record is written to a temporary file, synced, and then
// hard-linked to its final name, which fails if the name exists, so a record
// is either absent or complete and an address is never recorded twice. The
// directory is synced after every change so that the change survives a
// crash of the machine. A file lock (flock) on <dir>/lock serializes
// processes: the kernel drops it when a process dies, so a crashed plugin
// never leaves the network locked.
package disk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
)

// DefaultDataDir is where allocations live when the config names no dataDir.
const DefaultDataDir = "/var/lib/cni/networks"

const (
	lockName       = "lock"
	lastPrefix     = "last_reserved_ip."
	tmpPrefix      = ".tmp-"
	maxRecordBytes = 4096
)

// LockTimeout bounds how long Lock waits for another process before failing
// with code 11 (try again later).
var LockTimeout = 60 * time.Second

// Store is the on-disk backend.Store of one network.
type Store struct {
	dir  string
	lock *os.File
}

var _ backend.Store = (*Store)(nil)

// record is the content of a record file.
type record struct {
	IP          string `json:"ip"`
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
	RangeID     string `json:"rangeID"`
}

// ValidateNetworkName checks that name can be used as one directory name
// under dataDir: not empty, not "." or "..", without "/" or NUL. It returns
// a code 7 error otherwise.
func ValidateNetworkName(name string) error {
	switch {
	case name == "":
		return netconf.Invalid("invalid network name: empty")
	case name == "." || name == "..":
		return netconf.Invalid("invalid network name %q: not a directory name", name)
	case strings.ContainsAny(name, "/\x00"):
		return netconf.Invalid("invalid network name %q: contains %q or NUL", name, "/")
	case len(name) > 255:
		return netconf.Invalid("invalid network name %q: longer than 255 bytes", name)
	}
	return nil
}

// New opens (creating when needed) the store of network under dataDir.
// Names that could leave dataDir are rejected with code 7 before anything is
// created; a <dataDir>/<network> that is a symlink is rejected too.
func New(dataDir, network string) (*Store, error) {
	if err := ValidateNetworkName(network); err != nil {
		return nil, err
	}
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	if strings.ContainsRune(dataDir, 0) {
		return nil, netconf.Invalid("invalid dataDir %q: contains NUL", dataDir)
	}
	root, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, netconf.Invalid("invalid dataDir %q: %v", dataDir, err)
	}
	dir := filepath.Join(root, network)
	if filepath.Dir(dir) != root {
		return nil, netconf.Invalid("invalid network name %q: leaves dataDir %s", network, root)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, ioError("create data dir %s: %v", root, err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, ioError("create network dir %s: %v", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, ioError("stat network dir %s: %v", dir, err)
	}
	if !fi.IsDir() {
		return nil, netconf.Invalid("network dir %s is not a directory", dir)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, ioError("open lock file in %s: %v", dir, err)
	}
	return &Store{dir: dir, lock: f}, nil
}

// Dir returns the directory that holds the network's records.
func (s *Store) Dir() string { return s.dir }

func ioError(format string, a ...any) *types.Error {
	return types.NewError(types.ErrIOFailure, fmt.Sprintf(format, a...), "")
}

// Lock implements backend.Store. It polls a non-blocking flock so that it
// can give up after LockTimeout with code 11 rather than hang forever
// behind a stuck process.
func (s *Store) Lock() error {
	deadline := time.Now().Add(LockTimeout)
	wait := 200 * time.Microsecond
	for {
		err := unix.Flock(int(s.lock.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EWOULDBLOCK), errors.Is(err, unix.EINTR):
		default:
			return types.NewError(types.ErrTryAgainLater, fmt.Sprintf("lock %s: %v", s.lock.Name(), err), "")
		}
		if time.Now().After(deadline) {
			return types.NewError(types.ErrTryAgainLater,
				fmt.Sprintf("lock %s: held by another process for %s", s.lock.Name(), LockTimeout), "")
		}
		time.Sleep(wait)
		if wait < 5*time.Millisecond {
			wait *= 2
		}
	}
}

// Unlock implements backend.Store.
func (s *Store) Unlock() error {
	if err := unix.Flock(int(s.lock.Fd()), unix.LOCK_UN); err != nil {
		return ioError("unlock %s: %v", s.lock.Name(), err)
	}
	return nil
}

// Close implements backend.Store; closing also drops the lock.
func (s *Store) Close() error {
	return s.lock.Close()
}

// recordPath returns the record file of addr. The name is the address text,
// which holds only hex digits, "." and ":"; anything else is refused so that
// no address can name a path outside the network directory.
func (s *Store) recordPath(addr net.IP) (string, error) {
	n := ipaddr.Normalize(addr)
	if n == nil {
		return "", netconf.Invalid("invalid address %q", addr.String())
	}
	name := n.String()
	if strings.Trim(name, "0123456789abcdefABCDEF.:") != "" {
		return "", netconf.Invalid("invalid address %q", name)
	}
	return filepath.Join(s.dir, name), nil
}

func validRangeID(id string) error {
	if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz-_") != "" {
		return netconf.Invalid("invalid range set id %q", id)
	}
	return nil
}

// Reserve implements backend.Store.
func (s *Store) Reserve(att backend.Attachment, addr net.IP, rangeID string) (bool, error) {
	path, err := s.recordPath(addr)
	if err != nil {
		return false, err
	}
	if err := validRangeID(rangeID); err != nil {
		return false, err
	}
	// Cheap check first: under the lock, an existing name means taken, and
	// the allocator probes many taken addresses when a range is busy.
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	data, err := json.Marshal(record{
		IP: ipaddr.Normalize(addr).String(), ContainerID: att.ContainerID, IfName: att.IfName, RangeID: rangeID,
	})
	if err != nil {
		return false, ioError("encode record of %s: %v", addr, err)
	}
	tmp, err := s.writeTemp(append(data, '\n'))
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	// link(2) never replaces an existing name: the record appears whole,
	// or not at all when another record holds the address.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		return false, ioError("create record %s: %v", path, err)
	}
	if err := s.syncDir(); err != nil {
		return false, err
	}
	if err := s.writeLast(rangeID, addr); err != nil {
		// Undo the record: the caller sees a failed Reserve and must not
		// leave an address behind that nobody will release.
		os.Remove(path)
		return false, errors.Join(err, s.syncDir())
	}
	return true, nil
}

// writeTemp writes data to a new temporary file in the network directory
// and syncs it; it returns the file's path.
func (s *Store) writeTemp(data []byte) (string, error) {
	f, err := os.CreateTemp(s.dir, tmpPrefix)
	if err != nil {
		return "", ioError("create temporary file in %s: %v", s.dir, err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return "", ioError("write %s: %v", f.Name(), err)
	}
	return f.Name(), nil
}

func (s *Store) syncDir() error {
	d, err := os.Open(s.dir)
	if err != nil {
		return ioError("open %s: %v", s.dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return ioError("sync %s: %v", s.dir, err)
	}
	return nil
}

// writeLast replaces the last-reserved file of rangeID atomically: temp
// file, sync, rename, sync directory.
func (s *Store) writeLast(rangeID string, addr net.IP) error {
	tmp, err := s.writeTemp([]byte(ipaddr.Normalize(addr).String()))
	if err != nil {
		return err
	}
	path := filepath.Join(s.dir, lastPrefix+rangeID)
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return ioError("replace %s: %v", path, err)
	}
	return s.syncDir()
}

// LastReserved implements backend.Store. An unreadable file is treated as
// absent: it is only a hint where to continue allocating.
func (s *Store) LastReserved(rangeID string) (net.IP, error) {
	if err := validRangeID(rangeID); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(s.dir, lastPrefix+rangeID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ioError("read last reserved address of range set %s: %v", rangeID, err)
	}
	return ipaddr.Normalize(net.ParseIP(strings.TrimSpace(string(data)))), nil
}

// Release implements backend.Store.
func (s *Store) Release(addr net.IP) error {
	path, err := s.recordPath(addr)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return ioError("remove record %s: %v", path, err)
	}
	return s.syncDir()
}

// List implements backend.Store. Files that are not records (the lock, the
// last-reserved hints, temporary files of a crashed writer) are skipped.
func (s *Store) List() ([]backend.Record, []*backend.CorruptRecordError, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, nil, ioError("list %s: %v", s.dir, err)
	}
	var recs []backend.Record
	var bad []*backend.CorruptRecordError
	for _, e := range entries {
		addr := ipaddr.Normalize(net.ParseIP(e.Name()))
		if addr == nil {
			continue
		}
		path := filepath.Join(s.dir, e.Name())
		rec, err := readRecord(path, addr)
		if err != nil {
			bad = append(bad, &backend.CorruptRecordError{IP: addr, Path: path, Err: err})
			continue
		}
		recs = append(recs, rec)
	}
	return recs, bad, nil
}

func readRecord(path string, addr net.IP) (backend.Record, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return backend.Record{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordBytes+1))
	if err != nil {
		return backend.Record{}, err
	}
	if len(data) > maxRecordBytes {
		return backend.Record{}, fmt.Errorf("larger than %d bytes", maxRecordBytes)
	}
	if len(data) == 0 {
		return backend.Record{}, errors.New("empty")
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return backend.Record{}, fmt.Errorf("decode: %w", err)
	}
	if r.ContainerID == "" || r.IfName == "" {
		return backend.Record{}, errors.New("no container ID or interface name")
	}
	if got := ipaddr.Normalize(net.ParseIP(r.IP)); !addr.Equal(got) {
		return backend.Record{}, fmt.Errorf("names address %q, not %s", r.IP, addr)
	}
	return backend.Record{
		IP: addr, RangeID: r.RangeID,
		Attachment: backend.Attachment{ContainerID: r.ContainerID, IfName: r.IfName},
	}, nil
}
