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

package ns_test

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("Do from many goroutines at once", func() {
	BeforeEach(testutils.SkipUnlessRoot)

	It("runs each closure in its namespace and never leaks a thread into the wrong one", func() {
		const (
			namespaces = 4
			goroutines = 32
			rounds     = 20
		)
		hostIn, err := lockedThreadNSInode()
		Expect(err).NotTo(HaveOccurred())
		targets := make([]ns.NetNS, namespaces)
		inodes := make([]uint64, namespaces)
		for i := range targets {
			targets[i] = testutils.NewNSForSpec()
			inodes[i] = fdInode(targets[i])
		}

		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		report := func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		for g := range goroutines {
			wg.Go(func() {
				defer GinkgoRecover()
				for r := range rounds {
					i := (g + r) % namespaces
					err := targets[i].Do(func(ns.NetNS) error {
						in, err := testutils.ThreadNSInode()
						if err == nil && in != inodes[i] {
							err = fmt.Errorf("closure for namespace %d ran in %d", inodes[i], in)
						}
						return err
					})
					if err != nil {
						report(err)
					}
					// The caller's own thread, whichever it is now, must
					// still be in the host namespace.
					if in, err := lockedThreadNSInode(); err != nil || in != hostIn {
						report(errors.Join(err, fmt.Errorf("caller thread in namespace %d after Do, want %d", in, hostIn)))
					}
				}
			})
		}
		wg.Wait()
		Expect(errs).To(BeEmpty())

		// Threads the runtime handed back to the pool after Do must all be
		// in the host namespace: sample many of them.
		for range 4 * runtime.GOMAXPROCS(0) * goroutines / 8 {
			wg.Go(func() {
				if in, err := lockedThreadNSInode(); err != nil || in != hostIn {
					report(errors.Join(err, fmt.Errorf("pooled thread in namespace %d, want %d", in, hostIn)))
				}
			})
		}
		wg.Wait()
		Expect(errs).To(BeEmpty())
	})
})
