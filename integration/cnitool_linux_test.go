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

package integration_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// findCnitool returns the cnitool binary: $CNITOOL, then cnitool on PATH,
// then the repository's .cache/bin where scripts/install-test-deps.sh puts
// it. It skips the spec when there is none; that is a missing tool, never a
// missing kernel feature.
func findCnitool() string {
	GinkgoHelper()
	if p := os.Getenv("CNITOOL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("cnitool"); err == nil {
		return p
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				p := filepath.Join(dir, ".cache", "bin", "cnitool")
				if _, err := os.Stat(p); err == nil {
					return p
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	Skip("cnitool not installed: run ./scripts/install-test-deps.sh, or set CNITOOL")
	return ""
}

// cnitool runs the cnitool binary the way a user does, from the host
// namespace. cnitool keeps its results in libcni's default cache,
// /var/lib/cni, and has no option to move it; so it runs in a mount
// namespace of its own where /var/lib is varLib, a temporary directory.
type cnitool struct {
	path, confDir, varLib string
	env                   []string
	host                  ns.NetNS
}

func (c *cnitool) run(args ...string) (string, error) {
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Never unlocked: the thread leaves the process's mount and network
		// namespaces, so the runtime must end it with this goroutine.
		runtime.LockOSThread()
		out, err := func() ([]byte, error) {
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return nil, fmt.Errorf("unshare mount namespace: %w", err)
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return nil, fmt.Errorf("make mounts private: %w", err)
			}
			if err := os.MkdirAll("/var/lib", 0o755); err != nil {
				return nil, err
			}
			if err := unix.Mount(c.varLib, "/var/lib", "", unix.MS_BIND, ""); err != nil {
				return nil, fmt.Errorf("bind mount %s on /var/lib: %w", c.varLib, err)
			}
			if err := c.host.Set(); err != nil {
				return nil, err
			}
			cmd := exec.Command(c.path, args...)
			cmd.Env = c.env
			return cmd.CombinedOutput()
		}()
		done <- result{out, err}
	}()
	r := <-done
	out := strings.TrimSpace(string(r.out))
	if r.err != nil {
		return out, fmt.Errorf("cnitool %s: %w: %s", strings.Join(args, " "), r.err, out)
	}
	return out, nil
}

var _ = Describe("ECMP through cnitool", func() {
	It("attaches a dual-stack macvlan interface with multipath routes, checks and deletes it", func() {
		requirePlugin("macvlan")
		topo := newTopology(2)
		fams := []family{ipv4, ipv6}
		conf := newNetConf("macvlan", fams, append(ecmpRoutes(fams, 2, defaultDst), ecmpRoutes(fams, 2, prefixDst)...))
		conf.Name = "ecmp-cnitool"
		// Declare the mac capability so that CAP_ARGS reaches the plugin as runtimeConfig.
		rendered := strings.Replace(string(conf.render()), `"type": "macvlan",`, `"type": "macvlan", "capabilities": {"mac": true},`, 1)

		tool := &cnitool{path: findCnitool(), confDir: GinkgoT().TempDir(), varLib: GinkgoT().TempDir(), host: topo.host}
		Expect(os.WriteFile(filepath.Join(tool.confDir, "10-ecmp.conflist"), []byte(rendered), 0o600)).To(Succeed())
		const mac = "02:00:5e:00:53:01"
		tool.env = []string{
			"NETCONFPATH=" + tool.confDir,
			"CNI_PATH=" + testutils.PluginBinDir(),
			"CNI_IFNAME=" + ifName,
			`CAP_ARGS={"mac":"` + mac + `"}`,
			"PATH=" + os.Getenv("PATH"),
		}

		out, err := tool.run("add", conf.Name, topo.container.Path())
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("cnitool add:\n%s\n", out)
		DeferCleanup(func() {
			_, err := tool.run("del", conf.Name, topo.container.Path())
			Expect(err).NotTo(HaveOccurred())
		})
		cached, err := filepath.Glob(filepath.Join(tool.varLib, "cni", "results", conf.Name+"-*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(cached).To(HaveLen(1), "cnitool's result cache is the spec's temporary directory")

		for _, f := range fams {
			Expect(topo.routeText(ifName, f)).To(Equal(strings.Join(twoGatewayText(f), "\n")), f.name)
			Expect(out).To(ContainSubstring(f.containerAddr()))
			expectSpread(topo, f, destinations(f.defaultDst, spreadFlows), "cnitool, default route")
		}
		Expect(topo.container.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(ifName)
			if err != nil {
				return err
			}
			if got := l.Attrs().HardwareAddr.String(); got != mac {
				return fmt.Errorf("%s has MAC %s, want %s from CAP_ARGS", ifName, got, mac)
			}
			return nil
		})).To(Succeed())

		_, err = tool.run("check", conf.Name, topo.container.Path())
		Expect(err).NotTo(HaveOccurred())
		_, err = tool.run("status", conf.Name, topo.container.Path())
		Expect(err).NotTo(HaveOccurred())

		_, err = tool.run("del", conf.Name, topo.container.Path())
		Expect(err).NotTo(HaveOccurred())
		Expect(topo.container.Do(func(ns.NetNS) error {
			_, err := netlinksafe.LinkByName(ifName)
			return err
		})).To(MatchError(ContainSubstring("not found")))
		for _, f := range fams {
			Expect(topo.routeText("", f)).To(BeEmpty())
		}
		cached, err = filepath.Glob(filepath.Join(tool.varLib, "cni", "results", conf.Name+"-*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(cached).To(BeEmpty(), "DEL removes the cached result")
	})
})
