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
// The files are those of upstream's host-local, so that either plugin can
// take over the other's state (README.md, "The store"): a record holds
// "<containerID>\r\n<ifname>"; a legacy record holds just "<containerID>"
// and stands for every interface of that container. Surrounding white space
// is ignored when reading, as upstream does.
//
// Crash safety: a record is written to a temporary file, synced, and then
// hard-linked to its final name, which fails if the name exists, so a record
// is either absent or complete and an address is never recorded twice. The
// directory is synced after every change so that the change survives a
// crash of the machine. A file lock (flock) on <dir>/lock serialises
// processes: the kernel drops it when a process dies, so a crashed plugin
// never leaves the network locked.
//
// Files are read without following symlinks, without blocking (a FIFO
// planted as a record must not hang a verb holding the lock), only when
// regular, and at most maxRecordBytes of them.
package disk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
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
	lockName   = "lock"
	lastPrefix = "last_reserved_ip."
	tmpPrefix  = ".tmp-"
	// maxRecordBytes bounds a record. A container ID reaches a plugin in
	// the environment, and Linux caps one environment string at
	// MAX_ARG_STRLEN (32 pages, 128 KiB); the interface name adds at most
	// 15 bytes.
	maxRecordBytes = 256 << 10
	// maxLastBytes bounds a last_reserved_ip file: one address as text.
	maxLastBytes = 256
)

// LockTimeout bounds how long Lock waits for another process before failing
// with code 11 (try again later).
var LockTimeout = 60 * time.Second

// Store is the on-disk backend.Store of one network.
type Store struct {
	dir  string
	lock *os.File
	// aliases maps an address to the names of its records other than the
	// canonical one (e.g. "2001:DB8::2", "::ffff:192.0.2.2"), as found by
	// the last scan of the directory under the current lock; nil when
	// there was none.
	aliases map[netip.Addr][]string
}

var _ backend.Store = (*Store)(nil)

// jsonRecord is the record format of this plugin's first builds, read
// (never written) so that their allocations survive an upgrade.
type jsonRecord struct {
	IP          string `json:"ip"`
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
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
			// Another process may have changed the directory.
			s.aliases = nil
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
	if s.aliases == nil {
		if _, err := s.scan(); err != nil {
			return false, err
		}
	}
	if len(s.aliases[addrKey(addr)]) > 0 {
		return false, nil
	}
	tmp, err := s.writeTemp(encodeRecord(att))
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

// addrKey returns a as a comparable map key, IPv4 in 4 bytes.
func addrKey(a net.IP) netip.Addr {
	k, _ := netip.AddrFromSlice(ipaddr.Normalize(a))
	return k
}

// encodeRecord returns the content of att's record, as upstream writes it.
func encodeRecord(att backend.Attachment) []byte {
	return []byte(att.ContainerID + "\r\n" + att.IfName)
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
	data, err := readBounded(filepath.Join(s.dir, lastPrefix+rangeID), maxLastBytes)
	if err != nil {
		return nil, nil
	}
	return ipaddr.Normalize(net.ParseIP(string(bytes.TrimSpace(data)))), nil
}

// Release implements backend.Store. It removes every name of the address:
// the canonical one and the aliases the last scan found.
func (s *Store) Release(addr net.IP) error {
	path, err := s.recordPath(addr)
	if err != nil {
		return err
	}
	paths := []string{path}
	for _, name := range s.aliases[addrKey(addr)] {
		paths = append(paths, filepath.Join(s.dir, name))
	}
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, ioError("remove record %s: %v", p, err))
		}
	}
	if s.aliases != nil {
		delete(s.aliases, addrKey(addr))
	}
	if err := errors.Join(errs...); err != nil {
		return errors.Join(err, s.syncDir())
	}
	return s.syncDir()
}

// recordName is a directory entry that names a record: its file name and
// the address the name parses to.
type recordName struct {
	name string
	addr net.IP
}

// scan lists the record names of the directory and refreshes the aliases.
// Files that are not records (the lock, the last-reserved hints, temporary
// files of a crashed writer) are skipped.
func (s *Store) scan() ([]recordName, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, ioError("list %s: %v", s.dir, err)
	}
	aliases := map[netip.Addr][]string{}
	var out []recordName
	for _, e := range entries {
		addr := ipaddr.Normalize(net.ParseIP(e.Name()))
		if addr == nil {
			continue
		}
		if e.Name() != addr.String() {
			a := addrKey(addr)
			aliases[a] = append(aliases[a], e.Name())
		}
		out = append(out, recordName{name: e.Name(), addr: addr})
	}
	s.aliases = aliases
	return out, nil
}

// List implements backend.Store. An address with several record names
// (canonical and aliases) is listed once, from its first readable name.
func (s *Store) List() ([]backend.Record, []*backend.CorruptRecordError, error) {
	names, err := s.scan()
	if err != nil {
		return nil, nil, err
	}
	var recs []backend.Record
	var bad []*backend.CorruptRecordError
	seen := map[netip.Addr]bool{}
	for _, n := range names {
		a := addrKey(n.addr)
		if seen[a] {
			continue
		}
		path := filepath.Join(s.dir, n.name)
		att, err := readRecord(path)
		if err != nil {
			bad = append(bad, &backend.CorruptRecordError{IP: n.addr, Path: path, Err: err})
			continue
		}
		seen[a] = true
		recs = append(recs, backend.Record{IP: n.addr, Attachment: att})
	}
	// A corrupt name of an address that also has a readable name is not
	// reported: the address is held by the readable record.
	kept := bad[:0]
	for _, b := range bad {
		if !seen[addrKey(b.IP)] {
			seen[addrKey(b.IP)] = true
			kept = append(kept, b)
		}
	}
	return recs, kept, nil
}

// readBounded reads the regular file at path, at most limit bytes: without
// following a symlink, without blocking on a FIFO or device, and failing on
// anything larger than limit.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// readRecord reads the attachment a record names. Like upstream, it trims
// white space around the content and splits it at the first "\r\n"; content
// without one is a legacy record of a container ID alone. A record in this
// plugin's former JSON format is read too.
func readRecord(path string) (backend.Attachment, error) {
	data, err := readBounded(path, maxRecordBytes)
	if err != nil {
		return backend.Attachment{}, err
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var r jsonRecord
		if json.Unmarshal(data, &r) == nil && r.ContainerID != "" && r.IfName != "" {
			return backend.Attachment{ContainerID: r.ContainerID, IfName: r.IfName}, nil
		}
	}
	id, ifname, _ := bytes.Cut(data, []byte("\r\n"))
	return backend.Attachment{ContainerID: string(id), IfName: string(ifname)}, nil
}
