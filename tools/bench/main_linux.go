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

//go:build linux

// Command bench measures the plugins as a runtime sees them: whole-process
// ADD and DEL latency of macvlan with static IPAM (invoked directly and
// through libcni), how ADD scales with routes and gateways, each binary's
// start cost and size, and the peak resident memory of one ADD.
//
// It needs root: every run happens in throwaway network namespaces. Run it
// through scripts/bench.sh, which builds the plugins first:
//
//	./scripts/bench.sh [-runs 30] [-warmup 3] [-quick]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

func main() {
	var o options
	flag.StringVar(&o.binDir, "bin", "bin", "directory holding the built plugins")
	flag.IntVar(&o.runs, "runs", 30, "measured runs per figure")
	flag.IntVar(&o.warmup, "warmup", 3, "unmeasured runs before each figure")
	flag.BoolVar(&o.quick, "quick", false, "fewer scenarios (skip IPv6 and the largest route counts)")
	sections := flag.String("sections", "latency,scaling,start,memory", "comma-separated sections to run")
	flag.StringVar(&o.scenario, "scenario", "", "run only the latency scenarios whose name contains this")
	flag.BoolVar(&o.reuseNetns, "reuse-netns", false, "run every ADD and DEL in one container namespace instead of a new one each "+
		"(shows what removing the previous run's namespace costs the next)")
	flag.StringVar(&o.compare, "compare", "", "name=dir,name=dir,...: run these sets of binaries alternately "+
		"(IPv4 ADD and DEL, 1,000-route ADD) instead of the sections")
	flag.DurationVar(&o.settle, "settle", 0, "pause after each run's container namespace is removed, so that the kernel's teardown of it "+
		"does not overlap the next run")
	flag.Parse()
	o.sections = map[string]bool{}
	for _, sec := range strings.Split(*sections, ",") {
		o.sections[strings.TrimSpace(sec)] = true
	}

	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bench: needs root (it creates network namespaces)")
		os.Exit(1)
	}
	abs, err := filepath.Abs(o.binDir)
	if err != nil {
		fatal(err)
	}
	o.binDir = abs
	if err := run(o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

type options struct {
	binDir string
	runs   int
	warmup int
	quick  bool
	// reuseNetns runs every attachment in one container namespace.
	reuseNetns bool
	// settle is a pause after each attachment's namespace is removed.
	settle time.Duration

	sections map[string]bool
	scenario string
	// compare lists sets of binaries to run alternately.
	compare string
}

func run(o options) error {
	env, err := newEnv(o.binDir)
	if err != nil {
		return err
	}
	defer env.close()
	env.settle = o.settle
	if o.reuseNetns {
		if env.sharedCont, err = testutils.NewNS(); err != nil {
			return err
		}
		defer testutils.UnmountNS(env.sharedCont)
	}

	hello, err := buildHello()
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(hello))
	base, err := measure(o, func() (time.Duration, error) { return timeExec(hello, nil, nil) })
	if err != nil {
		return err
	}
	fmt.Printf("# CNI plugin benchmarks\n\n")
	fmt.Printf("%d measured runs after %d warm-up runs per row; times are wall clock of the whole\n", o.runs, o.warmup)
	fmt.Printf("process (fork+exec to exit). Baseline: a Go hello-world built with the same flags\n")
	fmt.Printf("starts in %s (median), shown as 1.0x.\n\n", ms(base.median))
	if o.reuseNetns {
		fmt.Printf("Every ADD and DEL ran in one container namespace (-reuse-netns).\n\n")
	}
	if o.settle > 0 && !o.reuseNetns {
		fmt.Printf("Each run's container namespace was removed %s before the next run began (-settle).\n\n", o.settle)
	}

	if o.compare != "" {
		vs, err := parseVariants(o.compare)
		if err != nil {
			return err
		}
		return compareTable(o, env, hello, vs)
	}
	if o.sections["latency"] {
		if err := latencyTable(o, env, base); err != nil {
			return err
		}
	}
	if o.sections["scaling"] {
		if err := scalingTable(o, env, base); err != nil {
			return err
		}
	}
	if o.sections["start"] {
		if err := startTable(o, base); err != nil {
			return err
		}
	}
	if o.sections["memory"] {
		return memoryTable(env)
	}
	return nil
}

// stats summarizes one row's samples.
type stats struct{ median, min, max time.Duration }

func summarize(d []time.Duration) stats {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{median: m, min: s[0], max: s[len(s)-1]}
}

// measure runs f warmup times unmeasured, then runs times, and summarizes.
func measure(o options, f func() (time.Duration, error)) (stats, error) {
	var samples []time.Duration
	for i := 0; i < o.warmup+o.runs; i++ {
		d, err := f()
		if err != nil {
			return stats{}, err
		}
		if i >= o.warmup {
			samples = append(samples, d)
		}
	}
	return summarize(samples), nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func row(s stats, base stats) string {
	return fmt.Sprintf("%s | %s–%s | %.1fx", ms(s.median), ms(s.min), ms(s.max), float64(s.median)/float64(base.median))
}

// timeExec runs a binary to completion and returns its wall time.
func timeExec(path string, envv []string, stdin []byte) (time.Duration, error) {
	d, _, err := execPlugin(nil, path, envv, stdin)
	return d, err
}

// execPlugin runs path, after the launcher command when one is given, with
// envv and stdin, and returns its wall time and stderr. It fails when the
// process exits non-zero, quoting its stdout.
func execPlugin(launcher []string, path string, envv []string, stdin []byte) (time.Duration, string, error) {
	argv := append(append([]string(nil), launcher...), path)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = envv
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	var out, errb strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, "", fmt.Errorf("run %s: %w: %s%s", filepath.Base(path), err, out.String(), errb.String())
	}
	return d, errb.String(), nil
}

// buildHello builds a Go hello-world with the flags build_linux.sh uses.
func buildHello() (string, error) {
	dir, err := os.MkdirTemp("", "cni-bench-hello-")
	if err != nil {
		return "", err
	}
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build hello-world: %w: %s", err, out)
	}
	return bin, nil
}

// env is the benchmark topology: a "host" namespace holding the macvlan
// master, and a cache directory for libcni.
type env struct {
	binDir   string
	hostNS   ns.NetNS
	cacheDir string
	// sharedCont, when set, is the container namespace of every
	// attachment.
	sharedCont ns.NetNS
	// settle is slept after each new container namespace is removed.
	settle time.Duration
}

const masterName = "bench0"

func newEnv(binDir string) (*env, error) {
	hostNS, err := testutils.NewNS()
	if err != nil {
		return nil, err
	}
	e := &env{binDir: binDir, hostNS: hostNS}
	err = hostNS.Do(func(ns.NetNS) error {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: masterName}, PeerName: masterName + "p"}
		if err := netlink.LinkAdd(veth); err != nil {
			return fmt.Errorf("add veth %s: %w", masterName, err)
		}
		for _, n := range []string{masterName, masterName + "p"} {
			l, err := netlink.LinkByName(n)
			if err != nil {
				return err
			}
			if err := netlink.LinkSetUp(l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.close()
		return nil, err
	}
	if e.cacheDir, err = os.MkdirTemp("", "cni-bench-cache-"); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	if e.cacheDir != "" {
		os.RemoveAll(e.cacheDir)
	}
	testutils.UnmountNS(e.hostNS)
}

// scenario is one network config of macvlan + static.
type scenario struct {
	name      string
	addresses []map[string]string
	routes    []map[string]any
}

func (s scenario) config(version string) []byte {
	conf := map[string]any{
		"cniVersion": version,
		"name":       "bench",
		"type":       "macvlan",
		"master":     masterName,
		"ipam": map[string]any{
			"type":      "static",
			"addresses": s.addresses,
			"routes":    s.routes,
		},
	}
	b, err := json.Marshal(conf)
	if err != nil {
		panic(err)
	}
	return b
}

var (
	addr4 = map[string]string{"address": "192.0.2.10/24", "gateway": "192.0.2.1"}
	addr6 = map[string]string{"address": "2001:db8::10/64", "gateway": "2001:db8::1"}
)

func defaultRoute(dst string) map[string]any { return map[string]any{"dst": dst} }

func via(dst, gw string) map[string]any { return map[string]any{"dst": dst, "gw": gw} }

func latencyScenarios(quick bool) []scenario {
	s := []scenario{
		{name: "IPv4", addresses: []map[string]string{addr4}, routes: []map[string]any{defaultRoute("0.0.0.0/0")}},
		{name: "IPv4 ECMP (2 gateways)", addresses: []map[string]string{addr4},
			routes: []map[string]any{via("0.0.0.0/0", "192.0.2.1"), via("0.0.0.0/0", "192.0.2.2")}},
	}
	if !quick {
		s = append(s,
			scenario{name: "IPv6", addresses: []map[string]string{addr6}, routes: []map[string]any{defaultRoute("::/0")}},
			scenario{name: "dual stack", addresses: []map[string]string{addr4, addr6},
				routes: []map[string]any{defaultRoute("0.0.0.0/0"), defaultRoute("::/0")}},
			scenario{name: "IPv6 ECMP (2 gateways)", addresses: []map[string]string{addr6},
				routes: []map[string]any{via("::/0", "2001:db8::1"), via("::/0", "2001:db8::2")}},
		)
	}
	return s
}

// pluginEnv is the CNI environment of one direct invocation.
func (e *env) pluginEnv(cmd, containerID, netnsPath string) []string {
	return []string{
		"CNI_COMMAND=" + cmd,
		"CNI_CONTAINERID=" + containerID,
		"CNI_NETNS=" + netnsPath,
		"CNI_IFNAME=eth0",
		"CNI_PATH=" + e.binDir,
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	}
}

// attachment is one container namespace with the plugin's ADD and DEL
// timed, by direct exec or through libcni.
//
// launcher, when set, is a command the ADD is run under (for example GNU
// time); its stderr is returned.
func (e *env) attachment(conf []byte, viaLibcni bool, launcher []string) (add, del time.Duration, stderr string, err error) {
	cont := e.sharedCont
	if cont == nil {
		if cont, err = testutils.NewNS(); err != nil {
			return 0, 0, "", err
		}
		defer func() {
			testutils.UnmountNS(cont)
			time.Sleep(e.settle)
		}()
	}
	id := fmt.Sprintf("bench-%d", time.Now().UnixNano())

	err = e.hostNS.Do(func(ns.NetNS) error {
		if viaLibcni {
			add, del, err = e.libcniRoundTrip(conf, id, cont.Path())
			return err
		}
		add, stderr, err = execPlugin(launcher, filepath.Join(e.binDir, "macvlan"), e.pluginEnv("ADD", id, cont.Path()), conf)
		if err != nil {
			return err
		}
		del, _, err = execPlugin(nil, filepath.Join(e.binDir, "macvlan"), e.pluginEnv("DEL", id, cont.Path()), conf)
		return err
	})
	return add, del, stderr, err
}

func (e *env) libcniRoundTrip(conf []byte, id, netnsPath string) (add, del time.Duration, err error) {
	var raw map[string]any
	if err := json.Unmarshal(conf, &raw); err != nil {
		return 0, 0, err
	}
	lb, err := json.Marshal(map[string]any{"cniVersion": raw["cniVersion"], "name": raw["name"], "plugins": []any{raw}})
	if err != nil {
		return 0, 0, err
	}
	cl, err := libcni.ConfListFromBytes(lb)
	if err != nil {
		return 0, 0, fmt.Errorf("parse config list: %w", err)
	}
	return e.libcniRun(cl, id, netnsPath)
}

func (e *env) libcniRun(cl *libcni.NetworkConfigList, id, netnsPath string) (add, del time.Duration, err error) {
	c := libcni.NewCNIConfigWithCacheDir([]string{e.binDir}, e.cacheDir, nil)
	rt := &libcni.RuntimeConf{ContainerID: id, NetNS: netnsPath, IfName: "eth0"}
	ctx := context.Background()
	start := time.Now()
	if _, err := c.AddNetworkList(ctx, cl, rt); err != nil {
		return 0, 0, fmt.Errorf("libcni add: %w", err)
	}
	add = time.Since(start)
	start = time.Now()
	if err := c.DelNetworkList(ctx, cl, rt); err != nil {
		return 0, 0, fmt.Errorf("libcni del: %w", err)
	}
	return add, time.Since(start), nil
}
