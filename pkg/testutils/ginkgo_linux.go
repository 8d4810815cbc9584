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

package testutils

import (
	"errors"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
)

// NewNSForSpec creates a namespace for the running ginkgo spec, registers
// its cleanup right away, and fails the spec when it cannot be created.
func NewNSForSpec() ns.NetNS {
	GinkgoHelper()
	n, err := NewNS()
	Expect(err).NotTo(HaveOccurred(), "create test network namespace")
	DeferCleanup(func() {
		Expect(UnmountNS(n)).To(Succeed())
	})
	return n
}

// SkipUnlessRoot skips the running spec when the effective user is not root.
func SkipUnlessRoot() {
	if os.Geteuid() != 0 {
		Skip("needs root: the test creates network namespaces and links")
	}
}

// RequireKernelFeature skips the running spec, with a message starting
// with KernelFeatureMissing, when the kernel lacks feature (see
// ProbeKernelFeature). It also skips without root and fails the spec when
// the probe itself cannot run.
func RequireKernelFeature(feature string) {
	GinkgoHelper()
	SkipUnlessRoot()
	err := ProbeKernelFeature(feature)
	var missing *FeatureMissingError
	if errors.As(err, &missing) {
		Skip(missing.Error())
	}
	Expect(err).NotTo(HaveOccurred())
}
