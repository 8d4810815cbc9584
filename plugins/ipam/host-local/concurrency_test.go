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
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/containernetworking/cni/pkg/version"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	current "github.com/containernetworking/cni/pkg/types/100"
)

// runPlugin runs the built plugin as a separate process and returns its
// stdout; a failure includes stdout (the error object) and stderr.
func runPlugin(command, id string, stdin []byte) ([]byte, error) {
	cmd := exec.Command(pluginBin)
	cmd.Env = []string{
		"CNI_COMMAND=" + command, "CNI_CONTAINERID=" + id, "CNI_IFNAME=eth0",
		"CNI_NETNS=/nonexistent/netns", "CNI_PATH=" + filepath.Dir(pluginBin),
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w: stdout %q stderr %q", command, id, err, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}

// runAll runs command for containers c0..c<n-1> at once and returns their
// outputs in order.
func runAll(n int, command string, stdin []byte) ([][]byte, []error) {
	outs := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = runPlugin(command, fmt.Sprintf("c%d", i), stdin)
		}()
	}
	close(start)
	wg.Wait()
	return outs, errs
}

var _ = Describe("concurrency", func() {
	It("gives many processes adding at once distinct addresses, and as many DELs empty the store", func() {
		n := 64
		if os.Getenv("CNI_TEST_BIN_DIR") != "" {
			// In the emulated VM guest a process start takes a large part
			// of a second: 64 processes queueing on the store's lock came
			// close to its 60 s limit (one CI run exceeded it).
			n = 16
		}
		dataDir := filepath.Join(GinkgoT().TempDir(), "networks")
		conf := netJSON("1.1.0", "", fmt.Sprintf(
			`{"type":"host-local","dataDir":%q,"ranges":[[{"subnet":"198.51.100.0/24"}],[{"subnet":"2001:db8:64::/64"}]]}`, dataDir))

		began := time.Now()
		outs, errs := runAll(n, "ADD", conf)
		addTime := time.Since(began)
		v4, v6 := map[string]bool{}, map[string]bool{}
		for i := range outs {
			Expect(errs[i]).NotTo(HaveOccurred())
			res, err := version.NewResult("1.1.0", outs[i])
			Expect(err).NotTo(HaveOccurred())
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			Expect(cur.IPs).To(HaveLen(2))
			v4[cur.IPs[0].Address.IP.String()] = true
			v6[cur.IPs[1].Address.IP.String()] = true
		}
		Expect(v4).To(HaveLen(n), "distinct IPv4 addresses")
		Expect(v6).To(HaveLen(n), "distinct IPv6 addresses")
		Expect(records(dataDir)).To(HaveLen(2 * n))

		began = time.Now()
		_, errs = runAll(n, "DEL", conf)
		delTime := time.Since(began)
		for i := range errs {
			Expect(errs[i]).NotTo(HaveOccurred())
		}
		Expect(records(dataDir)).To(BeEmpty())
		entries, err := os.ReadDir(filepath.Join(dataDir, "net1"))
		Expect(err).NotTo(HaveOccurred())
		for _, e := range entries {
			Expect(e.Name()).NotTo(HavePrefix(".tmp-"), "temporary file left behind")
		}

		AddReportEntry(fmt.Sprintf("%d-way concurrent host-local", n), ReportEntryVisibilityAlways,
			fmt.Sprintf("%d ADD processes (dual stack) in %s, %d DEL processes in %s", n, addTime.Round(time.Millisecond), n, delTime.Round(time.Millisecond)))
		GinkgoWriter.Printf("%d-way concurrent ADD: %s, DEL: %s\n", n, addTime, delTime)
	})
})
