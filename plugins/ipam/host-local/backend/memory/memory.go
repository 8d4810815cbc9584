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

// Package memory is an in-memory backend.Store, for tests that exercise the
// allocator without root or a file system.
package memory

import (
	"net"
	"sort"
	"sync"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
)

// Store is a backend.Store kept in maps. Corrupt records can be injected
// with SetCorrupt to test how callers cope with them.
type Store struct {
	lock    sync.Mutex
	mu      sync.Mutex // guards the maps; lock models the cross-process lock
	records map[string]backend.Record
	corrupt map[string]error
	last    map[string]net.IP
}

var _ backend.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		records: map[string]backend.Record{},
		corrupt: map[string]error{},
		last:    map[string]net.IP{},
	}
}

func key(addr net.IP) string { return ipaddr.Normalize(addr).String() }

// Lock implements backend.Store.
func (s *Store) Lock() error { s.lock.Lock(); return nil }

// Unlock implements backend.Store.
func (s *Store) Unlock() error { s.lock.Unlock(); return nil }

// Close implements backend.Store.
func (s *Store) Close() error { return nil }

// Reserve implements backend.Store.
func (s *Store) Reserve(att backend.Attachment, addr net.IP, rangeID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(addr)
	if _, ok := s.records[k]; ok {
		return false, nil
	}
	if _, ok := s.corrupt[k]; ok {
		return false, nil
	}
	s.records[k] = backend.Record{IP: ipaddr.Normalize(addr), Attachment: att}
	s.last[rangeID] = ipaddr.Normalize(addr)
	return true, nil
}

// LastReserved implements backend.Store.
func (s *Store) LastReserved(rangeID string) (net.IP, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[rangeID], nil
}

// Release implements backend.Store.
func (s *Store) Release(addr net.IP) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, key(addr))
	delete(s.corrupt, key(addr))
	return nil
}

// List implements backend.Store; records come sorted by address text.
func (s *Store) List() ([]backend.Record, []*backend.CorruptRecordError, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []backend.Record
	for _, r := range s.records {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].IP.String() < recs[j].IP.String() })
	var bad []*backend.CorruptRecordError
	for k, err := range s.corrupt {
		bad = append(bad, &backend.CorruptRecordError{IP: net.ParseIP(k), Path: "memory:" + k, Err: err})
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Path < bad[j].Path })
	return recs, bad, nil
}

// SetCorrupt marks addr as held by a record that cannot be read, replacing
// any readable record of it.
func (s *Store) SetCorrupt(addr net.IP, cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, key(addr))
	s.corrupt[key(addr)] = cause
}

// SetRecord stores r as it is, replacing any record of its address: for
// records that Reserve does not write, such as legacy ones without an
// interface name.
func (s *Store) SetRecord(r backend.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.corrupt, key(r.IP))
	s.records[key(r.IP)] = r
}
