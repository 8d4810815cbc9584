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

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

func TestStatic(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "plugins/ipam/static")
}

// staticBin is the plugin binary built fresh for this run, so the binary
// tests never depend on bin/ being built or current.
var staticBin string

var _ = BeforeSuite(func() {
	dir, err := os.MkdirTemp("", "static-test-bin-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, dir)
	bin, err := testutils.BuildPlugins(dir, "static")
	Expect(err).NotTo(HaveOccurred())
	staticBin = filepath.Join(bin, "static")
})

// netConf returns a network config of cniVersion whose "ipam" object is
// ipam; extra are further top-level members such as `"args": {...}`.
func netConf(cniVersion, ipam string, extra ...string) []byte {
	members := []string{
		fmt.Sprintf(`"cniVersion": %q`, cniVersion),
		`"name": "static-test"`,
		`"type": "ipvlan"`,
	}
	if ipam != "" {
		members = append(members, `"ipam": `+ipam)
	}
	members = append(members, extra...)
	return []byte("{" + strings.Join(members, ", ") + "}")
}
