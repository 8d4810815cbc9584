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

package ipaddr_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// modulePath is the import path of this repository's module.
const modulePath = "github.com/containernetworking/plugins"

// ipamForbidden lists packages (with their subpackages) that the IPAM
// plugins must not link, and why. The runtime starts an IPAM plugin for
// every ADD, CHECK and DEL; each linked package adds its init work and the
// page faults of its code and data to the start of every such call, and
// these plugins only compute addresses.
var ipamForbidden = map[string]string{
	"github.com/vishvananda/netlink": "netlink is for kernel work, which an IPAM plugin does not do; " +
		"its package initialization costs start time on every IPAM call (use pkg/ipaddr, not pkg/ip)",
	"crypto/rand": "crypto/rand pulls in the FIPS crypto packages and math/big, whose " +
		"initialization costs start time on every IPAM call",
}

var _ = Describe("IPAM plugin dependencies", func() {
	for _, plugin := range []string{"static", "host-local"} {
		It("plugins/ipam/"+plugin+" links neither netlink nor crypto/rand", func() {
			root := modulePath + "/plugins/ipam/" + plugin
			imports := pluginImports(root)
			var problems []string
			for forbidden, why := range ipamForbidden {
				var found []string
				for dep := range imports {
					if dep == forbidden || strings.HasPrefix(dep, forbidden+"/") {
						found = append(found, dep)
					}
				}
				if len(found) == 0 {
					continue
				}
				slices.Sort(found) // the package itself before its subpackages
				problems = append(problems, fmt.Sprintf("links %s through %s: %s",
					found[0], strings.Join(importChain(imports, root, found[0]), " -> "), why))
			}
			slices.Sort(problems)
			Expect(problems).To(BeEmpty(), "plugins/ipam/%s:\n%s", plugin, strings.Join(problems, "\n"))
		})
	}
})

// pluginImports is listImports of the plugin package root, skipping the
// spec without the go command.
func pluginImports(root string) map[string][]string {
	GinkgoHelper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		Skip("needs the go command to list dependencies: " + err.Error())
	}
	imports := listImports(goBin, root)
	Expect(imports).To(HaveKey(root), "go list -deps %s did not list the package itself", root)
	return imports
}

// listImports runs `go list -deps` on pkg as build_linux.sh builds it
// (GOOS=linux, CGO_ENABLED=0) and returns each dependency with its direct
// imports.
func listImports(goBin, pkg string) map[string][]string {
	cmd := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", pkg)
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	Expect(err).NotTo(HaveOccurred(), "go list -deps %s: %s", pkg, stderr.String())
	imports := make(map[string][]string)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			imports[fields[0]] = fields[1:]
		}
	}
	return imports
}

// importChain returns a shortest import path from root to dep, both
// included, for the failure message.
func importChain(imports map[string][]string, root, dep string) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == dep {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append(chain, strings.TrimPrefix(p, modulePath+"/"))
			}
			slices.Reverse(chain)
			return chain
		}
		for _, next := range imports[p] {
			if _, seen := prev[next]; !seen {
				prev[next] = p
				queue = append(queue, next)
			}
		}
	}
	return []string{root, "?", dep}
}
