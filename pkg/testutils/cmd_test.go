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

package testutils_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/testutils"
)

// fakeAdd prints a one-address result in the version of its config, as a
// plugin's cmdAdd does.
func fakeAdd(args *skel.CmdArgs) error {
	ver, err := cniVersionOf(args.StdinData)
	if err != nil {
		return err
	}
	res := &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		IPs: []*current.IPConfig{{
			Address: net.IPNet{IP: net.IPv4(192, 0, 2, 10), Mask: net.CIDRMask(24, 32)},
			Gateway: net.IPv4(192, 0, 2, 1),
		}},
	}
	return types.PrintResult(res, ver)
}

func cniVersionOf(stdin []byte) (string, error) {
	var conf types.NetConf
	if err := json.Unmarshal(stdin, &conf); err != nil {
		return "", err
	}
	if conf.CNIVersion == "" {
		return "0.1.0", nil
	}
	return conf.CNIVersion, nil
}

func argsFor(conf string) *skel.CmdArgs {
	return &skel.CmdArgs{
		ContainerID: "dummy",
		Netns:       "/nonexistent",
		IfName:      "eth0",
		Args:        "IgnoreUnknown=1;K8S_POD_NAME=p",
		StdinData:   []byte(conf),
	}
}

var _ = Describe("in-process verbs", func() {
	for _, ver := range testutils.SpecVersions() {
		It("decodes an ADD result in spec version "+ver, func() {
			args := argsFor(fmt.Sprintf(`{"cniVersion":%q,"name":"n","type":"fake"}`, ver))
			res, out, err := testutils.CmdAdd(args, fakeAdd)
			Expect(err).NotTo(HaveOccurred())
			Expect(out).To(ContainSubstring("192.0.2.10/24"))
			Expect(res.Version()).To(Equal(ver))
			cur, err := current.NewResultFromResult(res)
			Expect(err).NotTo(HaveOccurred())
			Expect(cur.IPs).To(HaveLen(1))
			Expect(cur.IPs[0].Address.String()).To(Equal("192.0.2.10/24"))
		})
	}

	It("decodes as 0.1.0 when the config names no version", func() {
		res, _, err := testutils.CmdAdd(argsFor(`{"name":"n","type":"fake"}`), fakeAdd)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Version()).To(Equal("0.1.0"))
	})

	It("passes the args, CNI_ARGS included, to the plugin", func() {
		args := argsFor(`{"cniVersion":"1.0.0","name":"n","type":"fake"}`)
		var seen *skel.CmdArgs
		_, _, err := testutils.CmdAdd(args, func(a *skel.CmdArgs) error {
			seen = a
			return fakeAdd(a)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(seen).To(BeIdenticalTo(args))
		Expect(seen.Args).To(Equal("IgnoreUnknown=1;K8S_POD_NAME=p"))
	})

	It("returns the plugin's *types.Error unchanged", func() {
		args := argsFor(`{"cniVersion":"1.0.0","name":"n","type":"fake"}`)
		want := types.NewError(types.ErrInvalidNetworkConfig, "bad config", "details")
		fail := func(*skel.CmdArgs) error { return fmt.Errorf("load config: %w", want) }

		_, _, err := testutils.CmdAdd(args, fail)
		var terr *types.Error
		Expect(errors.As(err, &terr)).To(BeTrue())
		Expect(terr).To(BeIdenticalTo(want))
		for _, verb := range []func(*skel.CmdArgs, func(*skel.CmdArgs) error) error{
			testutils.CmdCheck, testutils.CmdDel, testutils.CmdGC, testutils.CmdStatus,
		} {
			err := verb(args, fail)
			Expect(errors.As(err, &terr)).To(BeTrue())
			Expect(terr.Code).To(Equal(uint(types.ErrInvalidNetworkConfig)))
		}
	})

	It("fails an ADD that prints nothing or garbage", func() {
		args := argsFor(`{"cniVersion":"1.0.0","name":"n","type":"fake"}`)
		_, _, err := testutils.CmdAdd(args, func(*skel.CmdArgs) error { return nil })
		Expect(err).To(MatchError(ContainSubstring("printed nothing")))
		_, out, err := testutils.CmdAdd(args, func(*skel.CmdArgs) error {
			fmt.Print("not json")
			return nil
		})
		Expect(err).To(MatchError(ContainSubstring("decode ADD result as version 1.0.0")))
		Expect(string(out)).To(Equal("not json"))
	})

	It("fails CHECK, DEL, GC and STATUS that succeed but print", func() {
		args := argsFor(`{"cniVersion":"1.1.0","name":"n","type":"fake"}`)
		chatty := func(*skel.CmdArgs) error {
			fmt.Println("hello")
			return nil
		}
		quiet := func(*skel.CmdArgs) error { return nil }
		for name, verb := range map[string]func(*skel.CmdArgs, func(*skel.CmdArgs) error) error{
			"CHECK": testutils.CmdCheck, "DEL": testutils.CmdDel, "GC": testutils.CmdGC, "STATUS": testutils.CmdStatus,
		} {
			Expect(verb(args, quiet)).To(Succeed(), name)
			Expect(verb(args, chatty)).To(MatchError(ContainSubstring("run "+name+": plugin succeeded but printed")), name)
		}
	})

	It("restores os.Stdout, even when the plugin panics", func() {
		saved := os.Stdout
		args := argsFor(`{"cniVersion":"1.0.0","name":"n","type":"fake"}`)
		_, _, err := testutils.CmdAdd(args, fakeAdd)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.Stdout).To(BeIdenticalTo(saved))

		Expect(func() {
			_ = testutils.CmdDel(args, func(*skel.CmdArgs) error { panic("boom") })
		}).To(PanicWith("boom"))
		Expect(os.Stdout).To(BeIdenticalTo(saved))

		// The mutex was released: a later call does not deadlock.
		Expect(testutils.CmdDel(args, func(*skel.CmdArgs) error { return nil })).To(Succeed())
	})
})
