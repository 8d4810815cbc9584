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

package podman_test

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// Each spec runs its own podman: private containers.conf and storage.conf
// (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF) under a temporary directory,
// the CNI backend with bin/ as the only plugin directory, and every podman
// command entered into a test network namespace (nsenter --net), which is
// podman's "host": bridges, master links, iptables and nftables rules all
// land there, never in the machine's namespace. Podman itself still
// creates each container's namespace under /run/netns and libcni's result
// cache under /var/lib/cni/results (neither is configurable in podman
// 4.3); the specs check that both are gone after `podman rm`.

const (
	image          = "localhost/cni-podman-test:latest"
	defaultNetwork = "cni-test-default" // default_network in the private containers.conf
	busyboxPath    = "/bin/busybox"     // Debian's busybox-static: runs with no libraries
	podmanTimeout  = 2 * time.Minute
)

// rootfsTar is the container image's root file system, a static busybox,
// built once for the suite; rootfsErr says why it could not be.
var rootfsTar, rootfsErr = "", error(nil)

var _ = BeforeSuite(func() {
	dir, err := os.MkdirTemp("", "cni-podman-image-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, dir)
	rootfsTar = filepath.Join(dir, "rootfs.tar")
	rootfsErr = writeRootfs(rootfsTar)
})

// writeRootfs writes a tar of a minimal root file system: busybox-static
// with the applets the specs run, and /www/index.html for httpd.
func writeRootfs(path string) error {
	bb, err := os.ReadFile(busyboxPath)
	if err != nil {
		return fmt.Errorf("read busybox: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp", "www"} {
		if err := tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return err
		}
	}
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"bin/busybox", 0o755, bb},
		{"www/index.html", 0o644, []byte(indexPage)},
		{"etc/passwd", 0o644, []byte("root:x:0:0:root:/:/bin/sh\n")},
		{"etc/group", 0o644, []byte("root:x:0:\n")},
	}
	for _, file := range files {
		if err := tw.WriteHeader(&tar.Header{Name: file.name, Typeflag: tar.TypeReg, Mode: file.mode, Size: int64(len(file.data))}); err != nil {
			return err
		}
		if _, err := tw.Write(file.data); err != nil {
			return err
		}
	}
	for _, applet := range []string{"sh", "sleep", "httpd", "ip", "cat"} {
		if err := tw.WriteHeader(&tar.Header{Name: "bin/" + applet, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// indexPage is what the container's httpd serves.
const indexPage = "served by a container on our CNI plugins\n"

// requireTools skips the spec without root, and without podman and its
// helpers outside CI; in CI (CI=true) a missing tool fails the spec, since
// scripts/install-test-deps.sh installs them.
func requireTools() {
	GinkgoHelper()
	testutils.SkipUnlessRoot()
	for _, tool := range []string{"podman", "runc", "conmon", "nsenter", "iptables-save", "ip6tables-save", "nft", busyboxPath} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s not found (scripts/install-test-deps.sh installs it): %v", tool, err)
			if os.Getenv("CI") == "true" {
				Fail(msg)
			}
			Skip(msg)
		}
	}
	Expect(rootfsErr).NotTo(HaveOccurred(), "build the image's root file system")
}

// repoRoot is the repository's top directory: the nearest parent holding
// go.mod.
func repoRoot() string {
	GinkgoHelper()
	dir, err := os.Getwd()
	Expect(err).NotTo(HaveOccurred())
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		Expect(parent).NotTo(Equal(dir), "no go.mod above the working directory")
		dir = parent
	}
}

// requirePlugins fails the spec when a plugin the network needs is in the
// tree but not built into bin/, and skips it (saying so) only while the
// plugin's source is not in the tree at all.
func requirePlugins(names ...string) {
	GinkgoHelper()
	bin := binDir()
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(bin, name)); err == nil {
			continue
		}
		src, err := filepath.Glob(filepath.Join(repoRoot(), "plugins", "*", name, "*.go"))
		Expect(err).NotTo(HaveOccurred())
		if len(src) == 0 {
			Skip(fmt.Sprintf("plugin %s is not in this tree yet", name))
		}
		Fail(fmt.Sprintf("plugin %s is not built in %s: run ./build_linux.sh", name, bin))
	}
}

// binDir is the absolute path of the built plugins, podman's only
// cni_plugin_dirs entry.
func binDir() string {
	GinkgoHelper()
	bin, err := filepath.Abs(testutils.PluginBinDir())
	Expect(err).NotTo(HaveOccurred())
	return bin
}

// podman is one spec's private podman.
type podman struct {
	dir     string   // everything podman writes, except /run/netns and /var/lib/cni/results
	netDir  string   // network_config_dir: the conflists
	dataDir string   // host-local's dataDir for every network the spec writes
	host    ns.NetNS // the namespace every podman command runs in
	env     []string
}

// newPodman sets up a private podman for the running spec, with the test
// image imported, and registers its teardown: every container removed, the
// namespace closed, the directory removed, in that order.
func newPodman() *podman {
	GinkgoHelper()
	requireTools()
	dir, err := os.MkdirTemp("", "cni-podman-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { Expect(removeTree(dir)).To(Succeed()) })

	p := &podman{
		dir:     dir,
		netDir:  filepath.Join(dir, "net.d"),
		dataDir: filepath.Join(dir, "ipam"),
		host:    testutils.NewNSForSpec(),
	}
	for _, d := range []string{p.netDir, p.dataDir, "tmp", "graph", "run"} {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		Expect(os.MkdirAll(d, 0o700)).To(Succeed())
	}
	// runc: crun cannot create containers on some cgroup v1 setups (and
	// this machine's is one). cgroupfs and the file events logger: podman
	// must not need systemd. The ulimits stay within what the machine
	// grants, else runc refuses to raise them.
	conf := fmt.Sprintf(`[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "cni"
cni_plugin_dirs = [%q]
network_config_dir = %q
default_network = %q

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = %q
tmp_dir = %q
`, binDir(), p.netDir, defaultNetwork, filepath.Join(dir, "events.log"), filepath.Join(dir, "tmp"))
	storage := fmt.Sprintf(`[storage]
driver = "vfs"
graphroot = %q
runroot = %q
`, filepath.Join(dir, "graph"), filepath.Join(dir, "run"))
	confPath, storagePath := filepath.Join(dir, "containers.conf"), filepath.Join(dir, "storage.conf")
	Expect(os.WriteFile(confPath, []byte(conf), 0o600)).To(Succeed())
	Expect(os.WriteFile(storagePath, []byte(storage), 0o600)).To(Succeed())
	p.env = append(os.Environ(), "CONTAINERS_CONF="+confPath, "CONTAINERS_STORAGE_CONF="+storagePath)

	Expect(p.host.Do(func(ns.NetNS) error { return linkSetUp("lo") })).To(Succeed())
	DeferCleanup(func() {
		_, err := p.run("rm", "--all", "--force", "--time", "0")
		Expect(err).NotTo(HaveOccurred())
	})
	// podman 4.x prefers netavark where it is installed: the private
	// containers.conf must have taken effect.
	Expect(p.mustRun("info", "--format", "{{.Host.NetworkBackend}}")).To(Equal("cni"))
	p.mustRun("import", rootfsTar, image)
	return p
}

// run runs one podman command in the spec's host namespace and returns its
// standard output, trimmed. Output goes to files, not pipes: conmon, which
// outlives `podman run -d`, would hold a pipe open.
func (p *podman) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), podmanTimeout)
	defer cancel()
	stdout, err := os.CreateTemp(p.dir, "stdout-")
	if err != nil {
		return "", err
	}
	defer os.Remove(stdout.Name())
	defer stdout.Close()
	stderr, err := os.CreateTemp(p.dir, "stderr-")
	if err != nil {
		return "", err
	}
	defer os.Remove(stderr.Name())
	defer stderr.Close()

	cmd := exec.CommandContext(ctx, "nsenter", append([]string{"--net=" + p.host.Path(), "--", "podman"}, args...)...)
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	out, err := os.ReadFile(stdout.Name())
	if err != nil {
		return "", err
	}
	errOut, err := os.ReadFile(stderr.Name())
	if err != nil {
		return "", err
	}
	GinkgoWriter.Printf("podman %s\n%s%s", strings.Join(args, " "), out, errOut)
	if runErr != nil {
		return "", fmt.Errorf("podman %s: %w: %s", strings.Join(args, " "), runErr, strings.TrimSpace(string(errOut)))
	}
	return strings.TrimSpace(string(out)), nil
}

// mustRun is run for commands that must succeed.
func (p *podman) mustRun(args ...string) string {
	GinkgoHelper()
	out, err := p.run(args...)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// writeNetwork writes a conflist into the private network_config_dir.
func (p *podman) writeNetwork(name string, plugins ...map[string]any) {
	GinkgoHelper()
	b, err := json.MarshalIndent(map[string]any{"cniVersion": "1.0.0", "name": name, "plugins": plugins}, "", "  ")
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(filepath.Join(p.netDir, name+".conflist"), b, 0o600)).To(Succeed())
}

// hostLocal is a host-local IPAM block keeping its records in the spec's
// directory.
func (p *podman) hostLocal(ranges [][]map[string]string, routes ...map[string]string) map[string]any {
	ipam := map[string]any{"type": "host-local", "dataDir": p.dataDir, "ranges": ranges}
	if len(routes) > 0 {
		ipam["routes"] = routes
	}
	return ipam
}

// container is what the specs need to know of a running container.
type container struct {
	id      string
	sandbox string // its network namespace, under /run/netns
}

// inspect returns the container's ID and network namespace path.
func (p *podman) inspect(name string) container {
	GinkgoHelper()
	out := p.mustRun("inspect", "--format", "{{.Id}} {{.NetworkSettings.SandboxKey}}", name)
	id, sandbox, ok := strings.Cut(out, " ")
	Expect(ok).To(BeTrue(), "inspect output %q", out)
	Expect(sandbox).NotTo(BeEmpty())
	return container{id: id, sandbox: sandbox}
}

// do runs f in the container's network namespace.
func (c container) do(f func() error) error {
	n, err := ns.GetNS(c.sandbox)
	if err != nil {
		return err
	}
	defer n.Close()
	return n.Do(func(ns.NetNS) error { return f() })
}

// routes renders the container's main-table routes of family on link.
func (c container) routes(link string, family int) string {
	GinkgoHelper()
	var text string
	Expect(c.do(func() (err error) {
		text, err = testutils.RouteText(link, family, 0)
		return err
	})).To(Succeed())
	return text
}

// addrs lists the container's global addresses on link, in CIDR form,
// sorted.
func (c container) addrs(link string) []string {
	GinkgoHelper()
	var out []string
	Expect(c.do(func() error {
		l, err := netlinksafe.LinkByName(link)
		if err != nil {
			return err
		}
		list, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		for _, a := range list {
			if a.Scope == int(netlink.SCOPE_UNIVERSE) {
				out = append(out, a.IPNet.String())
			}
		}
		return nil
	})).To(Succeed())
	sort.Strings(out)
	return out
}

// hostLinks lists the link names in podman's host namespace, sorted.
func (p *podman) hostLinks() []string {
	GinkgoHelper()
	var names []string
	Expect(p.host.Do(func(ns.NetNS) error {
		links, err := netlinksafe.LinkList()
		for _, l := range links {
			names = append(names, l.Attrs().Name)
		}
		return err
	})).To(Succeed())
	sort.Strings(names)
	return names
}

// records lists host-local's address records of network: every file in
// its directory except the lock and the last-reserved markers.
func (p *podman) records(network string) []string {
	GinkgoHelper()
	entries, err := os.ReadDir(filepath.Join(p.dataDir, network))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, e := range entries {
		if e.Name() != "lock" && !strings.HasPrefix(e.Name(), "last_reserved_ip.") {
			out = append(out, e.Name())
		}
	}
	return out
}

// expectGone checks what podman and libcni kept for a removed container:
// its network namespace and libcni's cached results.
func expectGone(c container) {
	GinkgoHelper()
	_, err := os.Stat(c.sandbox)
	Expect(err).To(MatchError(os.ErrNotExist), "network namespace %s", c.sandbox)
	cached, err := filepath.Glob("/var/lib/cni/results/*" + c.id + "*")
	Expect(err).NotTo(HaveOccurred())
	Expect(cached).To(BeEmpty(), "libcni results cached for %s", c.id)
}

// ruleset returns the iptables, ip6tables and nftables rules of podman's
// host namespace as text.
func (p *podman) ruleset() string {
	GinkgoHelper()
	var out strings.Builder
	for _, argv := range [][]string{{"iptables-save"}, {"ip6tables-save"}, {"nft", "list", "ruleset"}} {
		cmd := exec.Command("nsenter", append([]string{"--net=" + p.host.Path(), "--"}, argv...)...)
		b, err := cmd.Output()
		Expect(err).NotTo(HaveOccurred(), "%s", strings.Join(argv, " "))
		out.Write(b)
	}
	return out.String()
}

// linkSetUp sets the named links up in the current namespace.
func linkSetUp(names ...string) error {
	for _, name := range names {
		l, err := netlinksafe.LinkByName(name)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(l); err != nil {
			return fmt.Errorf("set %s up: %w", name, err)
		}
	}
	return nil
}

// removeTree unmounts whatever podman left mounted under dir, deepest
// first, and removes dir.
func removeTree(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	var mounts []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	f.Close()
	if err := s.Err(); err != nil {
		return err
	}
	slices.SortFunc(mounts, func(a, b string) int { return len(b) - len(a) })
	var errs []error
	for _, m := range mounts {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			errs = append(errs, fmt.Errorf("unmount %s: %w", m, err))
		}
	}
	return errors.Join(append(errs, os.RemoveAll(dir))...)
}

// httpGet fetches / from addr with a plain HTTP/1.0 request, dialed from
// the current goroutine so that the socket is made in the namespace the
// caller entered (net/http dials on other goroutines).
func httpGet(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(c, "GET /index.html HTTP/1.0\r\n\r\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}
