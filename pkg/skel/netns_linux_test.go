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

package skel_test

import (
	"os"
	"path/filepath"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/testutils"
)

var _ = Describe("Dispatcher.Main netns check", func() {
	errSameNetNS := types.NewError(types.ErrInvalidNetNS, "plugin's netns and netns from CNI_NETNS should not be the same", "")

	// Reading our own namespace files needs no privilege.
	ownPaths := []string{
		"/proc/self/ns/net",
		"/proc/thread-self/ns/net",
		"/proc/" + strconv.Itoa(os.Getpid()) + "/ns/net",
	}

	DescribeTable("refuses ADD and DEL on the plugin's own namespace before calling the verb",
		func(cmd, override string) {
			for _, p := range ownPaths {
				o := dispatch(invocation{env: envFor(cmd, "CNI_NETNS="+p, "CNI_NETNS_OVERRIDE="+override), stdin: conf("1.1.0")})
				expectRefused(o, errSameNetNS)
				Expect(o.stdout).To(BeEmpty(), p)
			}
		},
		Entry(nil, "ADD", ""), Entry(nil, "DEL", ""),
		Entry(nil, "ADD", "0"), Entry(nil, "ADD", "false"), Entry(nil, "ADD", "yes"), Entry(nil, "ADD", "true "),
		Entry(nil, "DEL", "0"),
	)

	DescribeTable("allows the plugin's own namespace when CNI_NETNS_OVERRIDE is 1 or true",
		func(cmd, override string) {
			o := dispatch(invocation{env: envFor(cmd, "CNI_NETNS=/proc/self/ns/net", "CNI_NETNS_OVERRIDE="+override), stdin: conf("1.1.0")})
			expectCalled(o, cmd)
		},
		Entry(nil, "ADD", "1"), Entry(nil, "ADD", "true"), Entry(nil, "ADD", "TRUE"), Entry(nil, "ADD", "True"),
		Entry(nil, "DEL", "1"), Entry(nil, "DEL", "tRuE"),
	)

	It("does not check CHECK, GC or STATUS, as cni does not", func() {
		for _, cmd := range []string{"CHECK", "GC", "STATUS"} {
			expectCalled(dispatch(invocation{env: envFor(cmd, "CNI_NETNS=/proc/self/ns/net"), stdin: conf("1.1.0")}), cmd)
		}
	})

	It("reports a bad configuration or version before the namespace", func() {
		o := dispatch(invocation{env: envFor("ADD", "CNI_NETNS=/proc/self/ns/net"), stdin: conf("0.3.1"), versions: []string{"1.0.0"}})
		expectRefused(o, errIncompatible("incompatible CNI versions", `config is "0.3.1", plugin supports ["1.0.0"]`))
		o = dispatch(invocation{env: envFor("DEL", "CNI_NETNS=/proc/self/ns/net"), stdin: "{"})
		Expect(o.err.Code).To(Equal(types.ErrDecodingFailure))
	})

	It("leaves a path that is not the plugin's namespace to the plugin", func() {
		regular := filepath.Join(GinkgoT().TempDir(), "netns")
		Expect(os.WriteFile(regular, nil, 0o600)).To(Succeed())
		for _, p := range []string{
			absentNetNS,          // gone: DEL must still clean up
			"/proc/self/ns/uts",  // a namespace file of another type
			"/proc/self/ns/net/", // not a directory: stat fails
			regular,
			"/",
		} {
			expectCalled(dispatch(invocation{env: envFor("ADD", "CNI_NETNS="+p), stdin: conf("1.1.0")}), "ADD")
			expectCalled(dispatch(invocation{env: envFor("DEL", "CNI_NETNS="+p), stdin: conf("1.1.0")}), "DEL")
		}
		expectCalled(dispatch(invocation{env: envFor("DEL", "CNI_NETNS="), stdin: conf("1.1.0")}), "DEL")
	})

	It("calls the verb for another network namespace", func() {
		testutils.SkipUnlessRoot()
		other := testutils.NewNSForSpec()
		for _, cmd := range []string{"ADD", "DEL"} {
			o := dispatch(invocation{env: envFor(cmd, "CNI_NETNS="+other.Path()), stdin: conf("1.1.0")})
			expectCalled(o, cmd)
		}
	})
})
