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

package netlinksafe

import (
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
)

// fakeDump answers with the given errors in turn, then succeeds; each
// answer carries the call number as (partial) data.
func fakeDump(calls *int, errs ...error) func() ([]int, error) {
	return func() ([]int, error) {
		*calls++
		if *calls <= len(errs) {
			return []int{*calls}, errs[*calls-1]
		}
		return []int{*calls}, nil
	}
}

var _ = Describe("retry", func() {
	It("returns a successful dump at once", func() {
		calls := 0
		got, err := retry("list things", fakeDump(&calls))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]int{1}))
		Expect(calls).To(Equal(1))
	})

	It("retries interrupted dumps and returns the first complete one", func() {
		calls := 0
		got, err := retry("list things", fakeDump(&calls,
			netlink.ErrDumpInterrupted, fmt.Errorf("wrapped: %w", netlink.ErrDumpInterrupted)))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]int{3}))
		Expect(calls).To(Equal(3))
	})

	It("succeeds on the last allowed attempt", func() {
		calls := 0
		errs := make([]error, maxAttempts-1)
		for i := range errs {
			errs[i] = netlink.ErrDumpInterrupted
		}
		got, err := retry("list things", fakeDump(&calls, errs...))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]int{maxAttempts}))
	})

	It("gives up after maxAttempts interruptions and drops the partial data", func() {
		calls := 0
		errs := make([]error, maxAttempts+5)
		for i := range errs {
			errs[i] = netlink.ErrDumpInterrupted
		}
		got, err := retry("list things", fakeDump(&calls, errs...))
		Expect(calls).To(Equal(maxAttempts))
		Expect(got).To(BeNil())
		Expect(errors.Is(err, netlink.ErrDumpInterrupted)).To(BeTrue())
		Expect(err).To(MatchError(fmt.Sprintf("list things: dump interrupted %d times in a row: %v",
			maxAttempts, netlink.ErrDumpInterrupted)))
	})

	It("returns other errors unchanged without retrying", func() {
		calls := 0
		boom := errors.New("boom")
		got, err := retry("list things", fakeDump(&calls, boom))
		Expect(err).To(BeIdenticalTo(boom))
		Expect(got).To(Equal([]int{1}))
		Expect(calls).To(Equal(1))
	})
})
