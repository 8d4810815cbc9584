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
	"os/exec"
	"path/filepath"
	"time"

	"github.com/godbus/dbus/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
)

// firewalldRoot returns the directory firewalld is installed under (with
// usr/sbin/firewalld and its default zones in usr/lib/firewalld):
// $CNI_FIREWALLD_ROOT, the copy scripts/install-test-deps.sh extracts into
// .cache/firewalld without installing (installing Debian's package would
// start the service on the machine's own ruleset), or "/" when the
// package is installed. It skips when there is none.
func firewalldRoot() string {
	GinkgoHelper()
	for _, root := range []string{os.Getenv("CNI_FIREWALLD_ROOT"), "../../../.cache/firewalld", "/"} {
		if root == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "usr/sbin/firewalld")); err == nil {
			abs, err := filepath.Abs(root)
			Expect(err).NotTo(HaveOccurred())
			return abs
		}
	}
	Skip("no firewalld (run scripts/install-test-deps.sh, or set CNI_FIREWALLD_ROOT): the firewalld backend specs need a real firewalld")
	return ""
}

// startFirewalld starts a private D-Bus system bus and a firewalld on it
// in f.host, so that firewalld's nftables ruleset is that namespace's, and
// points DBUS_SYSTEM_BUS_ADDRESS at the bus for the plugin and the spec.
// It returns a connection to the bus.
func (f *fixture) startFirewalld() *dbus.Conn {
	GinkgoHelper()
	root := firewalldRoot()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		Skip("no dbus-daemon: the firewalld backend specs need a private D-Bus bus")
	}
	dir := GinkgoT().TempDir()
	sock := filepath.Join(dir, "bus")
	busConf := filepath.Join(dir, "bus.conf")
	Expect(os.WriteFile(busConf, fmt.Appendf(nil, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`, sock), 0o644)).To(Succeed())
	etc := filepath.Join(dir, "etc")
	Expect(os.Mkdir(etc, 0o755)).To(Succeed())
	// firewalld makes /run/firewalld; remove it again when it was not there.
	_, runErr := os.Stat("/run/firewalld")

	// start starts a daemon in f.host; the channel is closed when it exits.
	start := func(name string, args ...string) <-chan struct{} {
		cmd := exec.Command(name, args...)
		cmd.Stdout = GinkgoWriter
		cmd.Stderr = GinkgoWriter
		Expect(f.host.Do(func(ns.NetNS) error { return cmd.Start() })).To(Succeed(), name)
		done := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(done)
		}()
		DeferCleanup(func() {
			_ = cmd.Process.Kill()
			<-done
		})
		return done
	}
	addr := "unix:path=" + sock
	// firewalld, the plugin and the spec all find the bus through this.
	prev, had := os.LookupEnv("DBUS_SYSTEM_BUS_ADDRESS")
	Expect(os.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)).To(Succeed())
	DeferCleanup(func() {
		if had {
			_ = os.Setenv("DBUS_SYSTEM_BUS_ADDRESS", prev)
		} else {
			_ = os.Unsetenv("DBUS_SYSTEM_BUS_ADDRESS")
		}
	})
	start("dbus-daemon", "--config-file="+busConf, "--nofork", "--nopidfile")
	Eventually(func() error {
		_, err := os.Stat(sock)
		return err
	}).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Succeed())
	// The script runs with its own interpreter (#!/usr/bin/python3, where
	// Debian's python3-firewall is), whatever python3 is first in PATH.
	exited := start(filepath.Join(root, "usr/sbin/firewalld"), "--nofork", "--nopid",
		"--system-config", etc, "--default-config", filepath.Join(root, "usr/lib/firewalld"), "--log-target", "console")
	if os.IsNotExist(runErr) {
		DeferCleanup(os.Remove, "/run/firewalld")
	}

	conn, err := dbus.Connect(addr)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(conn.Close)
	Eventually(func() error {
		select {
		case <-exited:
			return StopTrying("firewalld exited; its output is in the spec's log")
		default:
		}
		var zone string
		return conn.Object(firewalldName, firewalldPath).Call(firewalldName+".getDefaultZone", 0).Store(&zone)
	}).WithTimeout(60*time.Second).WithPolling(200*time.Millisecond).Should(Succeed(), "firewalld answers on the private bus")
	return conn
}

// sources lists the sources of zone.
func sources(conn *dbus.Conn, zone string) []string {
	GinkgoHelper()
	var out []string
	Expect(conn.Object(firewalldName, firewalldPath).Call(firewalldZoneFace+".getSources", 0, zone).Store(&out)).To(Succeed())
	return out
}

var _ = Describe("firewalld backend", Ordered, func() {
	var (
		f    *fixture
		conn *dbus.Conn
	)
	BeforeAll(func() {
		f = newFixture()
		conn = f.startFirewalld()
	})

	It("puts the addresses into the zone, checks them, and DEL takes them out", func() {
		for _, zone := range []string{"", "internal"} {
			extra := `,"backend":"firewalld"`
			want := "trusted"
			if zone != "" {
				extra += `,"firewalldZone":"` + zone + `"`
				want = zone
			}
			conf := f.conf("1.0.0", extra, "cni0", "192.0.2.5/24", "2001:db8::5/64")
			out, err := f.call("ADD", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(out)).To(ContainSubstring("2001:db8::5/64"), "the prevResult, passed through")
			_, err = f.call("ADD", conf)
			Expect(err).NotTo(HaveOccurred(), "a second ADD")
			Expect(sources(conn, want)).To(Equal([]string{"192.0.2.5/32", "2001:db8::5/128"}))
			_, err = f.call("CHECK", conf)
			Expect(err).NotTo(HaveOccurred())

			_, err = f.call("DEL", conf)
			Expect(err).NotTo(HaveOccurred())
			Expect(sources(conn, want)).To(BeEmpty())
			_, err = f.call("CHECK", conf)
			Expect(err).To(MatchError(ContainSubstring(`source 192.0.2.5/32 is in zone "", want "` + want + `"`)))
			_, err = f.call("DEL", conf)
			Expect(err).NotTo(HaveOccurred(), "a second DEL")
		}
		Expect(f.rules("iptables")).To(Equal(emptyFilter), "no iptables rules")
	})

	It("is the backend when none is named and firewalld runs", func() {
		conf := f.conf("1.0.0", "", "cni0", "198.51.100.9/24")
		_, err := f.call("ADD", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(sources(conn, "trusted")).To(Equal([]string{"198.51.100.9/32"}))
		_, err = f.call("DEL", conf)
		Expect(err).NotTo(HaveOccurred())
		Expect(sources(conn, "trusted")).To(BeEmpty())
	})

	It("fails ADD on an unknown zone, leaves no address behind, and DEL succeeds", func() {
		conf := f.conf("1.0.0", `,"backend":"firewalld","firewalldZone":"no-such-zone"`, "cni0", "192.0.2.6/24")
		_, err := f.call("ADD", conf)
		Expect(err).To(MatchError(ContainSubstring("INVALID_ZONE")))
		Expect(sources(conn, "trusted")).To(BeEmpty())
		_, err = f.call("DEL", conf)
		Expect(err).NotTo(HaveOccurred(), "DEL of the config ADD refused")
	})

	It("takes out the sources it added when a later one fails", func() {
		obj := conn.Object(firewalldName, firewalldPath)
		Expect(obj.Call(firewalldZoneFace+".addSource", 0, "internal", "2001:db8::8/128").Err).To(Succeed())
		DeferCleanup(func() error { return obj.Call(firewalldZoneFace+".removeSource", 0, "internal", "2001:db8::8/128").Err })
		conf := f.conf("1.0.0", `,"backend":"firewalld"`, "cni0", "192.0.2.8/24", "2001:db8::8/64")
		_, err := f.call("ADD", conf)
		Expect(err).To(MatchError(ContainSubstring("ZONE_CONFLICT")))
		Expect(sources(conn, "trusted")).To(BeEmpty(), "192.0.2.8/32, added first, taken out again")
	})

	It("checks and deletes what upstream's ADD added, and the other way round", func() {
		up := upstreamFirewall()
		conf := f.conf("1.0.0", `,"backend":"firewalld"`, "cni0", "192.0.2.7/24", "2001:db8::7/64")
		ours := filepath.Join(binDir, "firewall")
		for _, order := range [][2]string{{up, ours}, {ours, up}} {
			_, err := f.exec(order[0], "ADD", "ctr1", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "ADD %s", order[0])
			Expect(sources(conn, "trusted")).To(Equal([]string{"192.0.2.7/32", "2001:db8::7/128"}), "ADD %s", order[0])
			_, err = f.exec(order[1], "CHECK", "ctr1", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "CHECK %s", order[1])
			_, err = f.exec(order[1], "DEL", "ctr1", conf, f.cont.Path())
			Expect(err).NotTo(HaveOccurred(), "DEL %s", order[1])
			Expect(sources(conn, "trusted")).To(BeEmpty(), "DEL %s after ADD %s", order[1], order[0])
		}
	})
})
