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

package allocator

import (
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"strconv"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netconf"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
)

// Allocator allocates addresses of one network: one per range set, from a
// store shared with every other process allocating on that network. Every
// method takes the store's lock for its whole duration.
type Allocator struct {
	Sets  []RangeSet
	Store backend.Store
	// Warn, when set, receives problems that do not fail the operation,
	// such as corrupt records of other attachments.
	Warn func(format string, a ...any)
}

// RangeID returns the store's key of range set i.
func RangeID(i int) string { return strconv.Itoa(i) }

func (a *Allocator) warn(format string, args ...any) {
	if a.Warn != nil {
		a.Warn(format, args...)
	}
}

// locked runs f with the store locked.
func (a *Allocator) locked(f func() error) (err error) {
	if err := a.Store.Lock(); err != nil {
		return err
	}
	defer func() {
		if uerr := a.Store.Unlock(); uerr != nil && err == nil {
			err = uerr
		}
	}()
	return f()
}

// list returns the store's records, warning about corrupt ones.
func (a *Allocator) list() ([]backend.Record, []*backend.CorruptRecordError, error) {
	recs, bad, err := a.Store.List()
	if err != nil {
		return nil, nil, err
	}
	for _, b := range bad {
		a.warn("%v", b)
	}
	return recs, bad, nil
}

// assignRequests maps each requested address to the index of the range set
// containing it. Errors are code 7.
func (a *Allocator) assignRequests(requested []net.IP) (map[int]net.IP, error) {
	out := map[int]net.IP{}
	for _, req := range requested {
		idx := -1
		for i, s := range a.Sets {
			if s.RangeFor(req) != nil {
				idx = i
				break
			}
		}
		if idx < 0 {
			return nil, netconf.Invalid("requested address %s is outside every range", req)
		}
		if a.Sets[idx].IsGateway(req) {
			return nil, netconf.Invalid("requested address %s is the gateway of range set %d", req, idx)
		}
		if prev, ok := out[idx]; ok {
			return nil, netconf.Invalid("requested addresses %s and %s are both in range set %d %s", prev, req, idx, a.Sets[idx])
		}
		out[idx] = ipaddr.Normalize(req)
	}
	return out, nil
}

// Allocate reserves one address per range set for att and returns them
// with their range's prefix length and gateway, in range set order.
// requested holds specific addresses; each must lie in a different range
// set. An attachment that already holds an address in a range set fails, as
// upstream's host-local does ("duplicate allocation is not allowed"): a
// runtime that repeats ADD without DEL has lost track of the attachment. On
// failure nothing reserved by this call stays reserved.
func (a *Allocator) Allocate(att backend.Attachment, requested []net.IP) ([]*current.IPConfig, error) {
	reqs, err := a.assignRequests(requested)
	if err != nil {
		return nil, err
	}
	var ips []*current.IPConfig
	err = a.locked(func() error {
		recs, bad, err := a.list()
		if err != nil {
			return err
		}
		if err := a.checkDuplicate(att, recs); err != nil {
			return err
		}
		var fresh []net.IP
		success := false
		defer func() {
			if success {
				return
			}
			for _, f := range fresh {
				if rerr := a.Store.Release(f); rerr != nil {
					a.warn("release %s after failed allocation: %v", f, rerr)
				}
			}
		}()
		for i, set := range a.Sets {
			got, err := a.allocateOne(i, set, att, reqs[i], recs, bad)
			if err != nil {
				return err
			}
			fresh = append(fresh, got)
			r := set.RangeFor(got)
			ips = append(ips, &current.IPConfig{
				Address: net.IPNet{IP: got, Mask: r.Subnet.Mask},
				Gateway: r.Gateway,
			})
		}
		success = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ips, nil
}

// checkDuplicate fails, with upstream's message and code, when att already
// holds an address in one of the range sets.
func (a *Allocator) checkDuplicate(att backend.Attachment, recs []backend.Record) error {
	for i, set := range a.Sets {
		for _, r := range recs {
			if r.HeldBy(att) && set.RangeFor(r.IP) != nil {
				return types.NewError(types.ErrInternal, fmt.Sprintf(
					"failed to allocate for range %d: %s has been allocated to %s, duplicate allocation is not allowed",
					i, r.IP, att.ContainerID), "")
			}
		}
	}
	return nil
}

// allocateOne reserves the address of range set i for att: req when given,
// otherwise the next free one. Addresses that recs or bad list are taken,
// whatever name their record has in the store.
func (a *Allocator) allocateOne(i int, set RangeSet, att backend.Attachment, req net.IP,
	recs []backend.Record, bad []*backend.CorruptRecordError) (net.IP, error) {
	id := RangeID(i)
	if req != nil {
		ok := !listed(req, recs, bad)
		if ok {
			var err error
			if ok, err = a.Store.Reserve(att, req, id); err != nil {
				return nil, err
			}
		}
		if !ok {
			return nil, takenError(req, recs, bad)
		}
		return req, nil
	}
	return a.next(i, set, att, recs, bad)
}

// listed reports whether ip is recorded in recs or bad.
func listed(ip net.IP, recs []backend.Record, bad []*backend.CorruptRecordError) bool {
	for _, r := range recs {
		if r.IP.Equal(ip) {
			return true
		}
	}
	for _, b := range bad {
		if b.IP.Equal(ip) {
			return true
		}
	}
	return false
}

func takenError(req net.IP, recs []backend.Record, bad []*backend.CorruptRecordError) error {
	for _, r := range recs {
		if r.IP.Equal(req) {
			return types.NewError(types.ErrInternal,
				fmt.Sprintf("requested address %s is already allocated to %s", req, r.Attachment), "")
		}
	}
	for _, b := range bad {
		if b.IP.Equal(req) {
			return types.NewError(types.ErrInternal,
				fmt.Sprintf("requested address %s is already allocated (%v)", req, b), "")
		}
	}
	return types.NewError(types.ErrInternal, fmt.Sprintf("requested address %s is already allocated", req), "")
}

// next reserves the first free address of set after the last one reserved
// there, wrapping from the end of the last range to the start of the first.
func (a *Allocator) next(i int, set RangeSet, att backend.Attachment,
	recs []backend.Record, bad []*backend.CorruptRecordError) (net.IP, error) {
	id := RangeID(i)
	last, err := a.Store.LastReserved(id)
	if err != nil {
		return nil, err
	}
	taken := make(map[netip.Addr]bool, len(recs)+len(bad))
	for _, r := range recs {
		taken[addr(r.IP)] = true
	}
	for _, b := range bad {
		taken[addr(b.IP)] = true
	}
	ri, cur := 0, addr(set[0].RangeStart)
	for j := range set {
		if last != nil && set[j].Contains(last) {
			ri, cur = step(set, j, addr(last))
			break
		}
	}
	startRi, start := ri, cur
	for {
		cand := net.IP(cur.AsSlice())
		if !set.IsGateway(cand) && !taken[cur] {
			ok, err := a.Store.Reserve(att, cand, id)
			if err != nil {
				return nil, err
			}
			if ok {
				return cand, nil
			}
		}
		ri, cur = step(set, ri, cur)
		if ri == startRi && cur == start {
			return nil, types.NewError(types.ErrInternal,
				fmt.Sprintf("allocate address for %s: no free address in range set %d %s", att, i, set), "")
		}
	}
}

// step returns the address after cur in range ri of set, moving to the next
// range (cyclically) after a range's end.
func step(set RangeSet, ri int, cur netip.Addr) (int, netip.Addr) {
	if cur.Compare(addr(set[ri].RangeEnd)) >= 0 {
		ri = (ri + 1) % len(set)
		return ri, addr(set[ri].RangeStart)
	}
	return ri, cur.Next()
}

// joinErrors joins errs, keeping a single error as it is so that a
// *types.Error keeps its code.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// Held returns the addresses recorded for att, in the store's order.
func (a *Allocator) Held(att backend.Attachment) ([]net.IP, error) {
	var out []net.IP
	err := a.locked(func() error {
		recs, _, err := a.list()
		for _, r := range recs {
			if r.HeldBy(att) {
				out = append(out, r.IP)
			}
		}
		return err
	})
	return out, err
}

// Release frees every address recorded for att and returns them. Holding
// nothing is not an error.
func (a *Allocator) Release(att backend.Attachment) ([]net.IP, error) {
	var out []net.IP
	err := a.locked(func() error {
		recs, _, err := a.list()
		if err != nil {
			return err
		}
		var errs []error
		for _, r := range recs {
			if !r.HeldBy(att) {
				continue
			}
			if err := a.Store.Release(r.IP); err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, r.IP)
		}
		return joinErrors(errs)
	})
	return out, err
}

// Check verifies that att still holds an address in every range set and
// that every address of expected lying in one of the range sets is recorded
// for att.
func (a *Allocator) Check(att backend.Attachment, expected []net.IP) error {
	return a.locked(func() error {
		recs, bad, err := a.list()
		if err != nil {
			return err
		}
		held := map[netip.Addr]bool{}
		for _, r := range recs {
			if r.HeldBy(att) {
				held[addr(r.IP)] = true
			}
		}
		for i, set := range a.Sets {
			found := false
			for h := range held {
				if set.RangeFor(net.IP(h.AsSlice())) != nil {
					found = true
				}
			}
			if !found {
				return types.NewError(types.ErrUnknownContainer,
					fmt.Sprintf("check %s: no address recorded in range set %d %s", att, i, set), "")
			}
		}
		for _, e := range expected {
			inSets := false
			for _, set := range a.Sets {
				inSets = inSets || set.RangeFor(e) != nil
			}
			if !inSets || held[addr(e)] {
				continue
			}
			for _, b := range bad {
				if b.IP.Equal(e) {
					return types.NewError(types.ErrInternal, fmt.Sprintf("check %s: %v", att, b), "")
				}
			}
			return types.NewError(types.ErrInternal, fmt.Sprintf("check %s: address %s is not recorded for it", att, e), "")
		}
		return nil
	})
}

// GC releases every record whose attachment is not in valid, and every
// corrupt record (it names no attachment that could still be valid). A
// legacy record, naming no interface, stays while any interface of its
// container is valid. It returns the released addresses.
func (a *Allocator) GC(valid []backend.Attachment) ([]net.IP, error) {
	keep := map[backend.Attachment]bool{}
	for _, v := range valid {
		keep[v] = true
		keep[backend.Attachment{ContainerID: v.ContainerID}] = true
	}
	var out []net.IP
	err := a.locked(func() error {
		recs, bad, err := a.list()
		if err != nil {
			return err
		}
		var drop []net.IP
		for _, r := range recs {
			if !keep[r.Attachment] {
				drop = append(drop, r.IP)
			}
		}
		for _, b := range bad {
			drop = append(drop, b.IP)
		}
		var errs []error
		for _, d := range drop {
			if err := a.Store.Release(d); err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, d)
		}
		return joinErrors(errs)
	})
	return out, err
}

// Status returns a code 50 error (plugin not available: it cannot service
// ADD) when some range set has no free address left, since ADD needs one
// address from every range set. Existing attachments keep working, so code
// 51 (limited connectivity) does not apply.
func (a *Allocator) Status() error {
	return a.locked(func() error {
		recs, bad, err := a.list()
		if err != nil {
			return err
		}
		used := make([]netip.Addr, 0, len(recs)+len(bad))
		for _, r := range recs {
			used = append(used, addr(r.IP))
		}
		for _, b := range bad {
			used = append(used, addr(b.IP))
		}
		for i, set := range a.Sets {
			n := big.NewInt(0)
			for _, u := range used {
				ipu := net.IP(u.AsSlice())
				if set.RangeFor(ipu) != nil && !set.IsGateway(ipu) {
					n.Add(n, big.NewInt(1))
				}
			}
			if n.Cmp(set.Size()) >= 0 {
				return types.NewError(types.ErrPluginNotAvailable,
					fmt.Sprintf("no free address in range set %d %s: %s addresses all allocated", i, set, n), "")
			}
		}
		return nil
	})
}
