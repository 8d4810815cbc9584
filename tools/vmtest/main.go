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

// Command vmtest runs the kernel tests in a QEMU guest that boots Debian's
// current stock kernel, which has the link types (ipvlan, dummy, 802.1Q,
// vrf, ...) the host kernel may lack. See Documentation/testing.md.
//
//	go run ./tools/vmtest [flags] [packages]
//
// It builds the test binaries (go test -c, CGO_ENABLED=0) and the plugins,
// packs them with busybox and the needed modules into an initramfs, boots
// it, streams the guest's go test -v output, prints go test style ok/FAIL
// lines, and exits non-zero when a package failed, did not run, or the
// guest did not finish in time.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

type options struct {
	guest    guestOpts
	vm       vmConfig
	modules  string
	upstream string
	cache    string
	noUpdate bool
	keep     bool
	list     bool
	logPath  string
	packages []string
}

func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("vmtest", flag.ContinueOnError)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "usage: scripts/vm-test.sh [flags] [packages]\n\n"+
			"Runs the kernel tests in a QEMU guest on Debian's stock kernel. Packages are go\n"+
			"package patterns; default: every package whose tests import pkg/testutils.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.guest.Run, "run", "", "run only tests matching this regexp (-test.run)")
	fs.StringVar(&o.guest.Focus, "focus", "", "run only ginkgo specs matching this regexp (-ginkgo.focus)")
	fs.DurationVar(&o.guest.PkgTimeout, "pkg-timeout", 15*time.Minute, "timeout of each test binary in the guest (-test.timeout)")
	fs.DurationVar(&o.vm.Timeout, "timeout", 20*time.Minute, "host-side timeout for the whole guest run")
	fs.IntVar(&o.vm.Memory, "memory", 1024, "guest memory in MiB")
	fs.IntVar(&o.vm.CPUs, "cpus", 2, "guest CPUs")
	fs.StringVar(&o.modules, "modules", strings.Join(defaultModules, ","), "kernel modules to load in the guest (dependencies added)")
	fs.StringVar(&o.upstream, "upstream-plugins", strings.Join(defaultUpstreamPlugins, ","),
		"upstream "+upstreamRelease+" plugins to pack for the differential specs, from $CNI_UPSTREAM_BIN_DIR or built with go install (empty: none)")
	fs.StringVar(&o.cache, "cache", defaultCacheRoot(), "kernel cache directory")
	fs.BoolVar(&o.noUpdate, "no-update", false, "do not run apt-get update before resolving the kernel")
	fs.BoolVar(&o.list, "list", false, "print the selected packages and exit")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (test binaries, initramfs)")
	fs.StringVar(&o.logPath, "log", "", "copy the raw serial console to this file (default <cache>/logs/guest-<time>-<pid>.log, the newest 10 kept)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.packages = fs.Args()
	if o.vm.Timeout <= 0 || o.vm.Memory <= 0 || o.vm.CPUs <= 0 {
		return nil, errors.New("timeout, memory and cpus must be positive")
	}
	return o, nil
}

func run(args []string, stdout io.Writer) int {
	start := time.Now()
	o, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	logf := func(format string, a ...any) { _, _ = fmt.Fprintf(stdout, "vmtest: "+format+"\n", a...) }
	fail := func(err error) int {
		logf("error: %v", err)
		_, _ = fmt.Fprintln(stdout, "FAIL")
		return 2
	}

	repo, err := moduleRoot()
	if err != nil {
		return fail(err)
	}
	if err := ensureHostTools(repo, logf); err != nil {
		return fail(err)
	}
	pkgs, err := selectPackages(repo, o.packages)
	if err != nil {
		return fail(err)
	}
	if len(pkgs) == 0 {
		return fail(errors.New("no test packages selected"))
	}
	if o.list {
		for _, p := range pkgs {
			_, _ = fmt.Fprintln(stdout, p.ImportPath)
		}
		return 0
	}

	k, err := resolveKernel(o.cache, splitList(o.modules), o.noUpdate, logf)
	if err != nil {
		return fail(err)
	}
	logf("kernel %s (%s %s), cached in %s", k.Release, k.Package, k.PkgVersion, k.dir)

	work, err := os.MkdirTemp("", "cni-vmtest-")
	if err != nil {
		return fail(err)
	}
	if o.keep {
		logf("keeping work directory %s", work)
	} else {
		defer func() { _ = os.RemoveAll(work) }()
	}

	buildStart := time.Now()
	plugins := filepath.Join(work, "plugins")
	bcmd := exec.Command("./build_linux.sh")
	bcmd.Dir = repo
	bcmd.Env = append(os.Environ(), "BINDIR="+plugins)
	bcmd.Stdout, bcmd.Stderr = stdout, stdout
	var setupProblems []string
	if err := bcmd.Run(); err != nil {
		// Run the tests anyway: their output says more than this.
		setupProblems = append(setupProblems, fmt.Sprintf("build_linux.sh failed (%v): plugins may be missing in the guest", err))
		logf("FAIL: build_linux.sh failed (%v); running the tests anyway", err)
	}
	upstream, err := upstreamForGuest(splitList(o.upstream), logf, stdout)
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Join(work, "tests"), 0o755); err != nil {
		return fail(err)
	}
	logf("building %d test binaries", len(pkgs))
	built, buildFailed := buildTests(repo, filepath.Join(work, "tests"), pkgs, stdout)
	buildTime := time.Since(buildStart)

	var names []string
	for _, p := range built {
		names = append(names, p.ImportPath)
	}
	g := newGuestLog(names)
	var guestTime time.Duration
	timedOut := false
	if len(built) > 0 {
		initrd := filepath.Join(work, "initramfs.cpio")
		fs := initramfs{Repo: repo, Busybox: busyboxPath(), PluginsDir: plugins, Kernel: k, Upstream: upstream}
		if err := fs.pack(initrd, built, o.guest); err != nil {
			return fail(err)
		}
		if st, err := os.Stat(initrd); err == nil {
			mib := int(st.Size() >> 20)
			logf("initramfs %d MiB, %d test binaries", mib, len(built))
			// The archive and its unpacked copy are both in RAM until
			// the kernel frees the former, and the unpacked copy lives in
			// a tmpfs that may grow to only half of the guest's memory
			// (shmem's default): with 2*mib+512 a 477 MiB archive failed
			// to unpack ("Initramfs unpacking failed: write error").
			// Leave the tests room after.
			if need := 3*mib + 768; o.vm.Memory < need {
				logf("raising guest memory from %d to %d MiB for the initramfs", o.vm.Memory, need)
				o.vm.Memory = need
			}
		}
		if o.logPath == "" {
			// One file per run: runs by several people at once must
			// not write into each other's log.
			o.logPath = filepath.Join(o.cache, "logs", fmt.Sprintf("guest-%s-%d.log", time.Now().UTC().Format("20060102-150405"), os.Getpid()))
			pruneLogs(filepath.Dir(o.logPath), 9)
		}
		if err := os.MkdirAll(filepath.Dir(o.logPath), 0o755); err != nil {
			return fail(fmt.Errorf("create guest log: %w", err))
		}
		raw, err := os.Create(o.logPath)
		if err != nil {
			return fail(fmt.Errorf("create guest log: %w", err))
		}
		defer raw.Close()
		logf("booting the guest (timeout %s, serial log %s)", o.vm.Timeout, o.logPath)
		bootStart := time.Now()
		timedOut, err = boot(o.vm, k.vmlinuz(), initrd, g, stdout, raw)
		guestTime = time.Since(bootStart)
		if err != nil {
			return fail(err)
		}
		if timedOut {
			logf("timeout: the guest did not finish within %s; stopped it", o.vm.Timeout)
		}
	}

	lines, problems := g.Finish(timedOut)
	if len(built) == 0 {
		problems = nil
	}
	for _, l := range lines {
		_, _ = fmt.Fprintln(stdout, l)
	}
	for _, p := range buildFailed {
		problems = append(problems, "package did not build: "+p)
	}
	problems = append(problems, setupProblems...)
	pkgOK, pkgFail, passed, failed, skipped := g.Counts()
	pkgFail += len(buildFailed)
	// Never let the closing line read "0 failed" for a failed run: count
	// packages that failed without a failing test (crash, no report,
	// build failure) as failures too.
	if failed == 0 && len(problems) > 0 {
		failed = len(problems)
	}
	_, _ = fmt.Fprintln(stdout)
	for _, t := range g.Tally() {
		logf("%s", t)
	}
	logf("guest kernel %s; packages: %d ok, %d failed", orUnknown(g.kernel), pkgOK, pkgFail)
	logf("wall time %.1fs (build %.1fs, guest %.1fs)", time.Since(start).Seconds(), buildTime.Seconds(), guestTime.Seconds())
	if len(problems) > 0 {
		for _, p := range problems {
			logf("FAIL: %s", p)
		}
		logf("raw guest console: %s", o.logPath)
		_, _ = fmt.Fprintf(stdout, "vmtest: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
		_, _ = fmt.Fprintln(stdout, "FAIL")
		return 1
	}
	_, _ = fmt.Fprintf(stdout, "vmtest: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return 0
}

// upstreamForGuest gets upstream's binaries for the guest from
// upstreamDir, building the missing ones there. When they are
// missing or unusable, the differential specs would skip: in CI (CI=true)
// that is an error; elsewhere the runner packs what it has and says why
// the rest is left out.
func upstreamForGuest(names []string, logf func(string, ...any), log io.Writer) (map[string]string, error) {
	if len(names) == 0 {
		logf("packing no upstream plugins (-upstream-plugins is empty): the differential specs skip")
		return nil, nil
	}
	dir := upstreamDir()
	bins, err := upstreamBinaries(dir, names, log)
	if err != nil {
		if os.Getenv("CI") == "true" {
			return nil, fmt.Errorf("upstream %s plugins for the differential specs (CI=true): %w", upstreamRelease, err)
		}
		logf("not packing some upstream plugins, their differential specs skip: %v", err)
	}
	if len(bins) > 0 {
		logf("packing upstream %s plugins from %s: %s (CNI_UPSTREAM_BIN_DIR=%s in the guest)",
			upstreamRelease, dir, strings.Join(sortedNames(bins), " "), guestUpstream)
	}
	return bins, nil
}

// moduleRoot walks up from the working directory to go.mod.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("find module root: no go.mod above the working directory")
		}
		d = parent
	}
}

func busyboxPath() string {
	if isExec("/bin/busybox") {
		return "/bin/busybox"
	}
	if p, err := exec.LookPath("busybox"); err == nil {
		return p
	}
	return "/bin/busybox"
}

// ensureHostTools runs scripts/install-test-deps.sh (idempotent) when a
// tool the runner needs is missing, then checks again.
func ensureHostTools(repo string, logf func(string, ...any)) error {
	missing := missingTools()
	if len(missing) == 0 {
		return nil
	}
	logf("missing %s: running scripts/install-test-deps.sh", strings.Join(missing, ", "))
	cmd := exec.Command(filepath.Join(repo, "scripts", "install-test-deps.sh"))
	cmd.Dir = repo
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("install test dependencies: %w", err)
	}
	if missing = missingTools(); len(missing) > 0 {
		return fmt.Errorf("still missing after install: %s", strings.Join(missing, ", "))
	}
	return nil
}

func missingTools() []string {
	var missing []string
	for _, t := range []string{"qemu-system-x86_64", "apt-get", "apt-cache", "dpkg-deb", "go"} {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	if !isExec(sbin("depmod")) {
		missing = append(missing, "depmod")
	}
	if checkStatic(busyboxPath(), busyboxFix) != nil {
		missing = append(missing, "static busybox")
	}
	return missing
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown (no report)"
	}
	return s
}

// pruneLogs leaves the newest keep guest logs in dir.
func pruneLogs(dir string, keep int) {
	logs, _ := filepath.Glob(filepath.Join(dir, "guest-*.log"))
	sort.Strings(logs) // names start with a UTC timestamp
	for len(logs) > keep {
		_ = os.Remove(logs[0])
		logs = logs[1:]
	}
}
