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

// Package backend defines the store that host-local keeps its allocations
// in. The allocator works only through Store, so its logic is tested with the
// in-memory store and the disk store is tested on its own.
package backend

import (
	"fmt"
	"net"
)

// Attachment identifies one attachment of a container to a network: the
// (CNI_CONTAINERID, CNI_IFNAME) pair the spec uses as its key. In a Record,
// an empty IfName marks a legacy record, written before records named the
// interface: it stands for every interface of its container.
type Attachment struct {
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
}

// String returns "container <id> interface <ifname>", for messages.
func (a Attachment) String() string {
	return fmt.Sprintf("container %s interface %s", a.ContainerID, a.IfName)
}

// Record is one allocated address and the attachment holding it.
type Record struct {
	IP         net.IP
	Attachment Attachment
}

// HeldBy reports whether att holds r: the same container ID and interface
// name, or the same container ID for a legacy record, which names no
// interface (as upstream's host-local matches such records).
func (r Record) HeldBy(att Attachment) bool {
	if r.Attachment.ContainerID != att.ContainerID {
		return false
	}
	return r.Attachment.IfName == "" || r.Attachment.IfName == att.IfName
}

// CorruptRecordError reports a record whose address is known (from its key)
// but whose content could not be read back. The address stays reserved: the
// allocator never hands it out again until GC or an operator removes it.
type CorruptRecordError struct {
	IP   net.IP
	Path string
	Err  error
}

// Error implements error.
func (e *CorruptRecordError) Error() string {
	return fmt.Sprintf("corrupt allocation record %s for %s: %v", e.Path, e.IP, e.Err)
}

// Unwrap returns the underlying cause.
func (e *CorruptRecordError) Unwrap() error { return e.Err }

// Store keeps the allocations of one network. Callers hold Lock around
// every sequence of calls that must be atomic with respect to other
// processes allocating from the same network.
type Store interface {
	// Lock takes the store's exclusive lock, waiting for other holders.
	Lock() error
	// Unlock releases the lock taken by Lock.
	Unlock() error
	// Close releases everything the store holds open.
	Close() error

	// Reserve records ip as held by att, allocated from range set rangeID,
	// and remembers ip as the last address reserved in that range set. It
	// returns false, and changes nothing, when ip is already recorded.
	Reserve(att Attachment, ip net.IP, rangeID string) (bool, error)
	// LastReserved returns the last address Reserve recorded for rangeID,
	// or nil when there is none.
	LastReserved(rangeID string) (net.IP, error)
	// Release removes the record of ip; releasing a free address is not an
	// error.
	Release(ip net.IP) error
	// List returns every readable record, and the records that could not be
	// read as CorruptRecordErrors. The error is for failures of the store
	// itself.
	List() ([]Record, []*CorruptRecordError, error)
}
