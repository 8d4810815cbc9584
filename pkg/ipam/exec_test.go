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

package ipam_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ipam"
)

// setenv sets key for the running spec and restores it afterwards.
func setenv(key, value string) {
	old, had := os.LookupEnv(key)
	Expect(os.Setenv(key, value)).To(Succeed())
	DeferCleanup(func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	})
}

var _ = Describe("Exec verbs", func() {
	const netconf = `{"cniVersion":"1.1.0","name":"test","ipam":{"type":"fake-ipam"}}`
	var log string

	BeforeEach(func() {
		dir, err := filepath.Abs("testdata")
		Expect(err).NotTo(HaveOccurred())
		log = filepath.Join(GinkgoT().TempDir(), "verbs")
		setenv("CNI_PATH", dir)
		setenv("FAKE_IPAM_LOG", log)
		setenv("FAKE_IPAM_FAIL", "")
	})

	verbs := func() string {
		b, err := os.ReadFile(log)
		Expect(err).NotTo(HaveOccurred())
		return strings.Join(strings.Fields(string(b)), " ")
	}

	It("runs each verb of the IPAM plugin and returns ADD's result", func() {
		r, err := ipam.ExecAdd("fake-ipam", []byte(netconf))
		Expect(err).NotTo(HaveOccurred())
		res, err := current.NewResultFromResult(r)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IPs).To(HaveLen(1))
		Expect(res.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))

		Expect(ipam.ExecCheck("fake-ipam", []byte(netconf))).To(Succeed())
		Expect(ipam.ExecDel("fake-ipam", []byte(netconf))).To(Succeed())
		Expect(ipam.ExecGC("fake-ipam", []byte(netconf))).To(Succeed())
		Expect(ipam.ExecStatus("fake-ipam", []byte(netconf))).To(Succeed())
		Expect(verbs()).To(Equal("ADD CHECK DEL GC STATUS"))
	})

	It("passes the plugin's *types.Error through untouched", func() {
		setenv("FAKE_IPAM_FAIL", "1")
		want := &types.Error{Code: types.ErrTryAgainLater, Msg: "try again later", Details: "fake-ipam"}
		_, err := ipam.ExecAdd("fake-ipam", []byte(netconf))
		for _, err := range []error{
			err,
			ipam.ExecCheck("fake-ipam", []byte(netconf)),
			ipam.ExecDel("fake-ipam", []byte(netconf)),
			ipam.ExecGC("fake-ipam", []byte(netconf)),
			ipam.ExecStatus("fake-ipam", []byte(netconf)),
		} {
			var terr *types.Error
			Expect(errors.As(err, &terr)).To(BeTrue(), "%T %v", err, err)
			Expect(terr).To(Equal(want))
		}
	})

	It("reports a plugin missing from CNI_PATH", func() {
		_, err := ipam.ExecAdd("no-such-ipam", []byte(netconf))
		Expect(err).To(MatchError(ContainSubstring(`"no-such-ipam"`)))
	})
})
