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
	"time"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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
		Expect(string(data)).To(Equal(`{"ip":"192.0.2.2","containerID":"c1","ifname":"eth0","rangeID":"0"}` + "\n"))
		// No temporary file is left behind.
		Expect(tree(dataDir)).To(Equal([]string{".", "net1", "net1/192.0.2.2", "net1/2001:db8::2",
			"net1/last_reserved_ip.0", "net1/last_reserved_ip.1", "net1/lock"}))

		recs, bad, err := st.List()
		Expect(err).NotTo(HaveOccurred())
		Expect(bad).To(BeEmpty())
		Expect(recs).To(ConsistOf(
			backend.Record{IP: net.IP{192, 0, 2, 2}, RangeID: "0", Attachment: att1},
			backend.Record{IP: net.ParseIP("2001:db8::2"), RangeID: "1", Attachment: att1},
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

	DescribeTable("reports a truncated or garbage record clearly, and ADD for others still works",
		func(content, reason string) {
			st := newStore(dataDir, "net1")
			bad := filepath.Join(dataDir, "net1", "192.0.2.2")
			Expect(os.WriteFile(bad, []byte(content), 0o600)).To(Succeed())

			_, corrupt, err := st.List()
			Expect(err).NotTo(HaveOccurred())
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
			// GC drops the unreadable record: it names no valid attachment.
			Expect(a.GC(nil)).To(Equal([]net.IP{{192, 0, 2, 2}}))
			Expect(bad).NotTo(BeAnExistingFile())
		},
		Entry("truncated", `{"ip":"192.0.2.2","containerID":"c1","ifn`, "decode: unexpected end of JSON input"),
		Entry("garbage", "\x00\x17\xffnot json", "decode: invalid character"),
		Entry("empty", "", "empty"),
		Entry("no attachment", `{"ip":"192.0.2.2"}`, "no container ID or interface name"),
		Entry("another address", `{"ip":"192.0.2.9","containerID":"c1","ifname":"eth0"}`, `names address "192.0.2.9"`),
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

	It("serializes holders with a file lock and times out with code 11", func() {
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
