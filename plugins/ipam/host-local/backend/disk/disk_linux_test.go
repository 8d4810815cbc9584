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

package disk_test

import (
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/disk"
)

// tree lists every path under root, relative, sorted.
func tree(root string) []string {
	var out []string
	ExpectWithOffset(1, filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})).To(Succeed())
	sort.Strings(out)
	return out
}

func newStore(dataDir, network string) *disk.Store {
	st, err := disk.New(dataDir, network)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	DeferCleanup(st.Close)
	return st
}

var att1 = backend.Attachment{ContainerID: "c1", IfName: "eth0"}
var att2 = backend.Attachment{ContainerID: "c2", IfName: "eth0"}

var _ = Describe("disk store", func() {
	var dataDir string
	BeforeEach(func() {
		dataDir = filepath.Join(GinkgoT().TempDir(), "networks")
	})

	It("writes one complete record per address, naming the attachment", func() {
		st := newStore(dataDir, "net1")
		Expect(st.Lock()).To(Succeed())
		DeferCleanup(st.Unlock)
		ok, err := st.Reserve(att1, net.ParseIP("192.0.2.2"), "0")
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		ok, err = st.Reserve(att1, net.ParseIP("2001:db8::2"), "1")
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())

		data, err := os.ReadFile(filepath.Join(dataDir, "net1", "192.0.2.2"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(Equal("c1\r\neth0"), "upstream's record format")
		fi, err := os.Stat(filepath.Join(dataDir, "net1", "192.0.2.2"))
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode().Perm()).To(Equal(os.FileMode(0o600)))
		data, err = os.ReadFile(filepath.Join(dataDir, "net1", "last_reserved_ip.1"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(Equal("2001:db8::2"))
		// No temporary file is left behind.
		Expect(tree(dataDir)).To(Equal([]string{".", "net1", "net1/192.0.2.2", "net1/2001:db8::2",
			"net1/last_reserved_ip.0", "net1/last_reserved_ip.1", "net1/lock"}))

		recs, bad, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(bad).To(BeEmpty())
		Expect(recs).To(ConsistOf(
			backend.Record{IP: net.IP{192, 0, 2, 2}, Attachment: att1},
			backend.Record{IP: net.ParseIP("2001:db8::2"), Attachment: att1},
		))
	})

	It("never overwrites an existing record", func() {
		st := newStore(dataDir, "net1")
		Expect(st.Reserve(att1, net.ParseIP("192.0.2.2"), "0")).To(BeTrue())
		Expect(st.Reserve(att2, net.ParseIP("192.0.2.2"), "0")).To(BeFalse())
		recs, _, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(HaveLen(1))
		Expect(recs[0].Attachment).To(Equal(att1))
	})

	It("keeps the last reserved address per range set across reopening", func() {
		st := newStore(dataDir, "net1")
		Expect(st.Reserve(att1, net.ParseIP("192.0.2.2"), "0")).To(BeTrue())
		Expect(st.Reserve(att2, net.ParseIP("192.0.2.5"), "0")).To(BeTrue())
		Expect(st.Reserve(att2, net.ParseIP("2001:db8::9"), "1")).To(BeTrue())
		Expect(st.Release(net.ParseIP("192.0.2.5"))).To(Succeed())
		Expect(st.Release(net.ParseIP("192.0.2.77"))).To(Succeed(), "releasing a free address")
		again := newStore(dataDir, "net1")
		Expect(again.LastReserved("0")).To(Equal(net.IP{192, 0, 2, 5}))
		Expect(again.LastReserved("1")).To(Equal(net.ParseIP("2001:db8::9")))
		Expect(again.LastReserved("2")).To(BeNil())
	})

	It("ignores what a writer that crashed mid-write left behind", func() {
		st := newStore(dataDir, "net1")
		dir := filepath.Join(dataDir, "net1")
		// A crash between create and link leaves only a temporary file.
		Expect(os.WriteFile(filepath.Join(dir, ".tmp-123456"), []byte(`{"ip":"192.0.2.2","contai`), 0o600)).To(Succeed())
		recs, bad, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(BeEmpty())
		Expect(bad).To(BeEmpty())
		Expect(st.Reserve(att1, net.ParseIP("192.0.2.2"), "0")).To(BeTrue())
	})

	DescribeTable("reads records as upstream's host-local does",
		func(content string, want backend.Attachment) {
			st := newStore(dataDir, "net1")
			Expect(os.WriteFile(filepath.Join(dataDir, "net1", "192.0.2.2"), []byte(content), 0o600)).To(Succeed())
			recs, bad, err := st.List()
			Expect(err).NotTo(HaveOccurred())
			Expect(bad).To(BeEmpty())
			Expect(recs).To(Equal([]backend.Record{{IP: net.IP{192, 0, 2, 2}, Attachment: want}}))
		},
		Entry("upstream's format", "c1\r\neth0", att1),
		Entry("trailing newline", "c1\r\neth0\n", att1),
		Entry("legacy: container ID only", "c1", backend.Attachment{ContainerID: "c1"}),
		Entry("legacy with newline", "c1\n", backend.Attachment{ContainerID: "c1"}),
		Entry("legacy with CRLF", "c1\r\n", backend.Attachment{ContainerID: "c1"}),
		Entry("spaces inside are kept, matching nothing", " c1 \r\n eth0 ", backend.Attachment{ContainerID: "c1 ", IfName: " eth0"}),
		Entry("LF only is not a separator", "c1\neth0", backend.Attachment{ContainerID: "c1\neth0"}),
		Entry("empty: held by nobody", "", backend.Attachment{}),
		Entry("this plugin's former JSON format",
			`{"ip":"192.0.2.2","containerID":"c1","ifname":"eth0","rangeID":"0"}`+"\n", att1),
	)

	It("round-trips a container ID of 100,000 characters", func() {
		st := newStore(dataDir, "net1")
		long := backend.Attachment{ContainerID: strings.Repeat("a", 100_000), IfName: "eth0"}
		Expect(st.Reserve(long, net.ParseIP("192.0.2.2"), "0")).To(BeTrue())
		recs, bad, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(bad).To(BeEmpty())
		Expect(recs).To(HaveLen(1))
		Expect(recs[0].Attachment == long).To(BeTrue())
	})

	// plant makes dir/name something other than a regular file.
	plant := func(kind, path string) {
		switch kind {
		case "fifo":
			ExpectWithOffset(1, unix.Mkfifo(path, 0o600)).To(Succeed())
		case "symlink to /dev/zero":
			ExpectWithOffset(1, os.Symlink("/dev/zero", path)).To(Succeed())
		case "device":
			// /dev/null's device number; mknod needs CAP_MKNOD.
			if err := unix.Mknod(path, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3))); err != nil {
				Skip("mknod: " + err.Error())
			}
		case "directory":
			ExpectWithOffset(1, os.Mkdir(path, 0o700)).To(Succeed())
		case "oversized":
			ExpectWithOffset(1, os.WriteFile(path, make([]byte, 300<<10), 0o600)).To(Succeed())
		}
	}

	DescribeTable("a record that is not a readable regular file neither hangs nor grows memory, and stays reserved",
		func(kind, reason string) {
			st := newStore(dataDir, "net1")
			bad := filepath.Join(dataDir, "net1", "192.0.2.2")
			plant(kind, bad)
			done := make(chan struct{})
			var corrupt []*backend.CorruptRecordError
			go func() {
				defer GinkgoRecover()
				defer close(done)
				var err error
				_, corrupt, err = st.List()
				Expect(err).NotTo(HaveOccurred())
			}()
			Eventually(done).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(BeClosed())
			Expect(corrupt).To(HaveLen(1))
			Expect(corrupt[0].Error()).To(And(
				HavePrefix("corrupt allocation record "+bad+" for 192.0.2.2: "),
				ContainSubstring(reason)))

			set := allocator.RangeSet{{}}
			Expect(set[0].Subnet.UnmarshalJSON([]byte(`"192.0.2.0/29"`))).To(Succeed())
			Expect(set.Canonicalize()).To(Succeed())
			var warnings []string
			a := &allocator.Allocator{Sets: []allocator.RangeSet{set}, Store: st,
				Warn: func(f string, args ...any) { warnings = append(warnings, f) }}
			ips, err := a.Allocate(att2, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ips[0].Address.String()).To(Equal("192.0.2.3/29"))
			Expect(warnings).NotTo(BeEmpty())
			Expect(a.Release(att2)).To(HaveLen(1))
			if kind == "directory" {
				return // os.Remove of a directory with content is not GC's job
			}
			// GC drops the unreadable record: it names no valid attachment.
			Expect(a.GC(nil)).To(Equal([]net.IP{{192, 0, 2, 2}}))
			_, err = os.Lstat(bad)
			Expect(err).To(MatchError(os.ErrNotExist))
		},
		Entry("FIFO", "fifo", "not a regular file"),
		Entry("symlink to /dev/zero", "symlink to /dev/zero", "too many levels of symbolic links"),
		Entry("character device", "device", "not a regular file"),
		Entry("directory", "directory", "not a regular file"),
		Entry("larger than any record", "oversized", "larger than 262144 bytes"),
	)

	DescribeTable("a last_reserved_ip file that is not a small regular file is ignored without hanging",
		func(kind string) {
			st := newStore(dataDir, "net1")
			plant(kind, filepath.Join(dataDir, "net1", "last_reserved_ip.0"))
			done := make(chan struct{})
			var last net.IP
			go func() {
				defer GinkgoRecover()
				defer close(done)
				var err error
				last, err = st.LastReserved("0")
				Expect(err).NotTo(HaveOccurred())
			}()
			Eventually(done).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(BeClosed())
			Expect(last).To(BeNil())
			if kind == "directory" {
				return
			}
			// The next reservation replaces it with a regular file.
			Expect(st.Reserve(att1, net.ParseIP("192.0.2.2"), "0")).To(BeTrue())
			Expect(st.LastReserved("0")).To(Equal(net.IP{192, 0, 2, 2}))
		},
		Entry("FIFO", "fifo"),
		Entry("symlink to /dev/zero", "symlink to /dev/zero"),
		Entry("character device", "device"),
		Entry("directory", "directory"),
		Entry("oversized", "oversized"),
	)

	DescribeTable("a record named non-canonically counts as its address when listing, reserving and releasing",
		func(name string, addr net.IP) {
			st := newStore(dataDir, "net1")
			Expect(os.WriteFile(filepath.Join(dataDir, "net1", name), []byte("c1\r\neth0"), 0o600)).To(Succeed())
			Expect(st.Lock()).To(Succeed())
			DeferCleanup(st.Unlock)
			// Reserve before any List: the store scans the directory itself.
			Expect(st.Reserve(att2, addr, "0")).To(BeFalse(), "the address is held")
			recs, bad, err := st.List()
			Expect(err).NotTo(HaveOccurred())
			Expect(bad).To(BeEmpty())
			Expect(recs).To(Equal([]backend.Record{{IP: addr, Attachment: att1}}))
			Expect(st.Reserve(att2, addr, "0")).To(BeFalse(), "the address is held")
			Expect(st.Release(addr)).To(Succeed())
			Expect(tree(filepath.Join(dataDir, "net1"))).To(Equal([]string{".", "lock"}))
			Expect(st.Reserve(att2, addr, "0")).To(BeTrue())
		},
		Entry("upper-case IPv6", "2001:DB8::2", net.ParseIP("2001:db8::2")),
		Entry("uncompressed IPv6", "2001:db8:0:0:0:0:0:2", net.ParseIP("2001:db8::2")),
		Entry("IPv4-mapped IPv6", "::ffff:192.0.2.2", net.IP{192, 0, 2, 2}),
	)

	DescribeTable("rejects network names that leave dataDir with code 7, writing nothing",
		func(name string) {
			parent := filepath.Dir(dataDir)
			Expect(os.MkdirAll(dataDir, 0o755)).To(Succeed())
			before := tree(parent)
			_, err := disk.New(dataDir, name)
			Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig), "error %v", err)
			Expect(tree(parent)).To(Equal(before))
		},
		Entry("parent", ".."),
		Entry("dot", "."),
		Entry("parent and name", "../escaped"),
		Entry("deeper", "../../escaped"),
		Entry("slash", "a/b"),
		Entry("absolute", "/tmp/escaped"),
		Entry("NUL", "net\x00work"),
		Entry("empty", ""),
	)

	It("refuses a network directory that is a symlink", func() {
		outside := GinkgoT().TempDir()
		Expect(os.MkdirAll(dataDir, 0o755)).To(Succeed())
		Expect(os.Symlink(outside, filepath.Join(dataDir, "net1"))).To(Succeed())
		_, err := disk.New(dataDir, "net1")
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrInvalidNetworkConfig))
		Expect(tree(outside)).To(Equal([]string{"."}))
	})

	It("serialises holders with a file lock and times out with code 11", func() {
		saved := disk.LockTimeout
		disk.LockTimeout = 50 * time.Millisecond
		DeferCleanup(func() { disk.LockTimeout = saved })
		a := newStore(dataDir, "net1")
		b := newStore(dataDir, "net1")
		Expect(a.Lock()).To(Succeed())
		err := b.Lock()
		Expect(testutils.ErrCode(err)).To(Equal(types.ErrTryAgainLater), "error %v", err)
		Expect(err).To(MatchError(ContainSubstring("held by another process")))
		Expect(a.Unlock()).To(Succeed())
		Expect(b.Lock()).To(Succeed())
		Expect(b.Unlock()).To(Succeed())
	})
})
