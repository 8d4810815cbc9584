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

package allocator_test

import (
	"errors"
	"fmt"
	"net"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/memory"
)

// newAllocator returns an allocator over a fresh in-memory store for the
// range sets given as config JSON.
func newAllocator(sets ...string) (*allocator.Allocator, *memory.Store) {
	st := memory.New()
	a := &allocator.Allocator{Store: st}
	for _, js := range sets {
		s := parseSet(js)
		ExpectWithOffset(1, s.Canonicalize()).To(Succeed())
		a.Sets = append(a.Sets, s)
	}
	return a, st
}

func att(n int) backend.Attachment {
	return backend.Attachment{ContainerID: fmt.Sprintf("c%d", n), IfName: "eth0"}
}

// addresses returns the "ip/len via gw" text of an allocation.
func allocate(a *allocator.Allocator, at backend.Attachment, req ...string) ([]string, error) {
	var reqIPs []net.IP
	for _, r := range req {
		reqIPs = append(reqIPs, net.ParseIP(r))
	}
	ips, err := a.Allocate(at, reqIPs)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range ips {
		out = append(out, fmt.Sprintf("%s via %s", c.Address.String(), c.Gateway))
	}
	return out, nil
}

const (
	v4small = `[{"subnet":"192.0.2.0/29"}]`   // .2-.6 allocatable (.1 gateway)
	v6small = `[{"subnet":"2001:db8::/125"}]` // ::2-::7 allocatable
)

var _ = Describe("Allocator", func() {
	type step struct {
		att  int
		req  []string
		want []string // nil with wantErr
		err  string
	}
	DescribeTable("allocates in order, one address per range set",
		func(sets []string, steps []step) {
			a, _ := newAllocator(sets...)
			for i, s := range steps {
				got, err := allocate(a, att(s.att), s.req...)
				if s.err != "" {
					Expect(err).To(MatchError(ContainSubstring(s.err)), "step %d", i)
					continue
				}
				Expect(err).NotTo(HaveOccurred(), "step %d", i)
				Expect(got).To(Equal(s.want), "step %d", i)
			}
		},
		Entry("IPv4 skips the gateway", []string{v4small}, []step{
			{att: 1, want: []string{"192.0.2.2/29 via 192.0.2.1"}},
			{att: 2, want: []string{"192.0.2.3/29 via 192.0.2.1"}},
		}),
		Entry("IPv6", []string{v6small}, []step{
			{att: 1, want: []string{"2001:db8::2/125 via 2001:db8::1"}},
		}),
		Entry("dual stack: one address per range set", []string{v4small, v6small}, []step{
			{att: 1, want: []string{"192.0.2.2/29 via 192.0.2.1", "2001:db8::2/125 via 2001:db8::1"}},
			{att: 2, want: []string{"192.0.2.3/29 via 192.0.2.1", "2001:db8::3/125 via 2001:db8::1"}},
		}),
		Entry("two ranges in a set: continues into the second", []string{
			`[{"subnet":"192.0.2.0/30"},{"subnet":"198.51.100.0/24","rangeStart":"198.51.100.50","gateway":"198.51.100.1"}]`,
		}, []step{
			{att: 1, want: []string{"192.0.2.2/30 via 192.0.2.1"}},
			{att: 2, want: []string{"198.51.100.50/24 via 198.51.100.1"}},
		}),
		Entry("requested addresses", []string{v4small, v6small}, []step{
			{att: 1, req: []string{"192.0.2.5", "2001:db8::7"}, want: []string{"192.0.2.5/29 via 192.0.2.1", "2001:db8::7/125 via 2001:db8::1"}},
			{att: 2, req: []string{"192.0.2.5"}, err: "requested address 192.0.2.5 is already allocated to container c1 interface eth0"},
			{att: 2, req: []string{"203.0.113.9"}, err: "requested address 203.0.113.9 is outside every range"},
			{att: 2, req: []string{"192.0.2.1"}, err: "is the gateway"},
			{att: 2, req: []string{"192.0.2.3", "192.0.2.4"}, err: "are both in range set 0"},
			// allocation continues after the last reserved address (.5)
			{att: 3, want: []string{"192.0.2.6/29 via 192.0.2.1", "2001:db8::2/125 via 2001:db8::1"}},
		}),
		Entry("a repeated ADD of an attachment fails as upstream's does", []string{v4small, v6small}, []step{
			{att: 1, want: []string{"192.0.2.2/29 via 192.0.2.1", "2001:db8::2/125 via 2001:db8::1"}},
			{att: 1, err: "failed to allocate for range 0: 192.0.2.2 has been allocated to c1, duplicate allocation is not allowed"},
			{att: 1, req: []string{"192.0.2.4"}, err: "failed to allocate for range 0: 192.0.2.2 has been allocated to c1"},
			// nothing was reserved by the failed attempts
			{att: 2, want: []string{"192.0.2.3/29 via 192.0.2.1", "2001:db8::3/125 via 2001:db8::1"}},
		}),
		Entry("exhaustion", []string{`[{"subnet":"192.0.2.0/30"}]`}, []step{
			{att: 1, want: []string{"192.0.2.2/30 via 192.0.2.1"}},
			{att: 2, err: "no free address in range set 0 [192.0.2.1-192.0.2.2]"},
		}),
	)

	It("refuses a repeated ADD for the range set the attachment already holds, releasing the other", func() {
		a, st := newAllocator(v4small, v6small)
		st.SetRecord(backend.Record{IP: net.ParseIP("2001:db8::5"), Attachment: att(1)})
		_, err := allocate(a, att(1))
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInternal))
		Expect(err).To(MatchError("failed to allocate for range 1: 2001:db8::5 has been allocated to c1, duplicate allocation is not allowed"))
		recs, _, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(Equal([]backend.Record{{IP: net.ParseIP("2001:db8::5"), Attachment: att(1)}}),
			"the existing record stays, nothing new is left")
		// An address of the attachment outside every range set is no duplicate.
		a, st = newAllocator(v4small)
		st.SetRecord(backend.Record{IP: net.IP{198, 51, 100, 5}, Attachment: att(1)})
		Expect(allocate(a, att(1))).To(Equal([]string{"192.0.2.2/29 via 192.0.2.1"}))
	})

	It("treats a legacy record, naming no interface, as held by every interface of its container", func() {
		a, st := newAllocator(v4small, v6small)
		legacy := backend.Attachment{ContainerID: "c1"}
		st.SetRecord(backend.Record{IP: net.IP{192, 0, 2, 4}, Attachment: legacy})
		st.SetRecord(backend.Record{IP: net.IP{192, 0, 2, 5}, Attachment: backend.Attachment{ContainerID: "c5"}})
		other := backend.Attachment{ContainerID: "c1", IfName: "net1"}
		Expect(a.Held(other)).To(Equal([]net.IP{{192, 0, 2, 4}}))
		_, err := allocate(a, other)
		Expect(err).To(MatchError(ContainSubstring("192.0.2.4 has been allocated to c1, duplicate allocation is not allowed")))
		Expect(a.Check(att(1), nil)).To(MatchError(ContainSubstring("no address recorded in range set 1")))
		// GC keeps it while any interface of c1 is valid, and drops c5's.
		Expect(a.GC([]backend.Attachment{other})).To(Equal([]net.IP{{192, 0, 2, 5}}))
		Expect(a.Release(att(1))).To(Equal([]net.IP{{192, 0, 2, 4}}))
		Expect(a.Held(other)).To(BeEmpty())
	})

	It("wraps around after the end of the last range", func() {
		a, _ := newAllocator(v4small)
		for n := 1; n <= 5; n++ {
			_, err := allocate(a, att(n))
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(a.Release(att(2))).To(Equal([]net.IP{{192, 0, 2, 3}}))
		Expect(a.Release(att(4))).To(HaveLen(1)) // .5
		// Last reserved is .6: the next search wraps to .2 (taken), then .3.
		Expect(allocate(a, att(6))).To(Equal([]string{"192.0.2.3/29 via 192.0.2.1"}))
		Expect(allocate(a, att(7))).To(Equal([]string{"192.0.2.5/29 via 192.0.2.1"}))
		_, err := allocate(a, att(8))
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInternal))
		Expect(err).To(MatchError(ContainSubstring("no free address")))
	})

	It("rolls back the first range set when the second is exhausted", func() {
		a, st := newAllocator(v4small, `[{"subnet":"2001:db8::/126"}]`) // ::2, ::3
		Expect(allocate(a, att(1))).To(HaveLen(2))
		Expect(allocate(a, att(2))).To(HaveLen(2))
		_, err := allocate(a, att(3))
		Expect(err).To(MatchError(ContainSubstring("no free address in range set 1")))
		recs, _, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(HaveLen(4))
	})

	It("releases by container ID and interface, holding nothing is fine", func() {
		a, st := newAllocator(v4small, v6small)
		Expect(allocate(a, att(1))).To(HaveLen(2))
		other := backend.Attachment{ContainerID: "c1", IfName: "net1"}
		Expect(a.Allocate(other, nil)).To(HaveLen(2))
		released, err := a.Release(att(1))
		Expect(err).NotTo(HaveOccurred())
		Expect(released).To(HaveLen(2))
		Expect(a.Release(att(1))).To(BeEmpty())
		Expect(a.Held(other)).To(HaveLen(2))
		recs, _, _ := st.List()
		Expect(recs).To(HaveLen(2))
	})

	It("checks that the attachment's addresses are still recorded", func() {
		a, st := newAllocator(v4small, v6small)
		Expect(allocate(a, att(1))).To(HaveLen(2))
		v4, v6 := net.ParseIP("192.0.2.2"), net.ParseIP("2001:db8::2")
		Expect(a.Check(att(1), []net.IP{v4, v6, net.ParseIP("203.0.113.1")})).To(Succeed())
		Expect(a.Check(att(1), []net.IP{net.ParseIP("192.0.2.3")})).To(MatchError(ContainSubstring("192.0.2.3 is not recorded")))
		err := a.Check(att(2), nil)
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrUnknownContainer))
		st.SetCorrupt(v6, errors.New("decode: unexpected end of JSON input"))
		Expect(a.Check(att(1), []net.IP{v4, v6})).To(MatchError(ContainSubstring("no address recorded in range set 1")))
	})

	It("keeps a corrupt record's address reserved and allocates around it", func() {
		a, st := newAllocator(v4small)
		st.SetCorrupt(net.ParseIP("192.0.2.2"), errors.New("garbage"))
		var warnings []string
		a.Warn = func(f string, args ...any) { warnings = append(warnings, fmt.Sprintf(f, args...)) }
		Expect(allocate(a, att(1))).To(Equal([]string{"192.0.2.3/29 via 192.0.2.1"}))
		Expect(warnings).To(ContainElement(ContainSubstring("corrupt allocation record memory:192.0.2.2")))
		_, err := allocate(a, att(2), "192.0.2.2")
		Expect(err).To(MatchError(ContainSubstring("already allocated (corrupt allocation record")))
	})

	It("GC releases exactly the attachments that are not valid, and corrupt records", func() {
		a, st := newAllocator(v4small, v6small)
		for n := 1; n <= 4; n++ {
			Expect(allocate(a, att(n))).To(HaveLen(2))
		}
		st.SetCorrupt(net.ParseIP("192.0.2.6"), errors.New("garbage"))
		released, err := a.GC([]backend.Attachment{att(1), att(3), {ContainerID: "c9", IfName: "eth0"}})
		Expect(err).NotTo(HaveOccurred())
		var got []string
		for _, r := range released {
			got = append(got, r.String())
		}
		Expect(got).To(ConsistOf("192.0.2.3", "2001:db8::3", "192.0.2.5", "2001:db8::5", "192.0.2.6"))
		Expect(a.Held(att(1))).To(HaveLen(2))
		Expect(a.Held(att(3))).To(HaveLen(2))
		Expect(a.Held(att(2))).To(BeEmpty())
		Expect(a.Held(att(4))).To(BeEmpty())
	})

	It("STATUS fails with code 50 once a range set is exhausted", func() {
		a, _ := newAllocator(`[{"subnet":"192.0.2.0/29","rangeStart":"192.0.2.1","rangeEnd":"192.0.2.3"}]`, v6small)
		Expect(a.Status()).To(Succeed())
		Expect(allocate(a, att(1))).To(HaveLen(2)) // .2 (gateway .1 skipped)
		Expect(a.Status()).To(Succeed())
		Expect(allocate(a, att(2))).To(HaveLen(2)) // .3: IPv4 set now full
		err := a.Status()
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrPluginNotAvailable))
		Expect(err).To(MatchError(ContainSubstring("no free address in range set 0")))
		Expect(a.Release(att(2))).To(HaveLen(2))
		Expect(a.Status()).To(Succeed())
	})
})
