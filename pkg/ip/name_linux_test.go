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

package ip_test

import (
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ip"
)

var _ = Describe("random names", func() {
	It("RandomVethName is veth and 8 hex characters, different each time", func() {
		seen := map[string]bool{}
		for range 100 {
			name, err := ip.RandomVethName()
			Expect(err).NotTo(HaveOccurred())
			Expect(name).To(MatchRegexp(`^veth[0-9a-f]{8}$`))
			Expect(seen).NotTo(HaveKey(name), "RandomVethName() repeated %q", name)
			seen[name] = true
		}
	})

	It("RandomName accepts a prefix of up to 7 bytes", func() {
		for _, tc := range []struct {
			prefix  string
			wantErr bool
		}{
			{"", false},
			{"c", false},
			{"cni-br", false},
			{"1234567", false},
			{"12345678", true},
			{"much-too-long-prefix", true},
		} {
			got, err := ip.RandomName(tc.prefix)
			if tc.wantErr {
				Expect(err).To(MatchError(ContainSubstring(tc.prefix)), "RandomName(%q) = %q, want an error naming the prefix", tc.prefix, got)
				continue
			}
			Expect(err).NotTo(HaveOccurred(), "RandomName(%q)", tc.prefix)
			Expect(got).To(MatchRegexp(`^`+regexp.QuoteMeta(tc.prefix)+`[0-9a-f]{8}$`), "RandomName(%q) = %q", tc.prefix, got)
			Expect(len(got)).To(BeNumerically("<=", 15), "RandomName(%q) = %q, longer than IFNAMSIZ-1", tc.prefix, got)
		}
	})
})
