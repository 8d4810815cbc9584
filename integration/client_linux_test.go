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
	"bytes"
	"context"
	"encoding/json"
	"text/template"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

const (
	cniVersion  = "1.1.0"
	ifName      = "net1" // a secondary interface, as Multus attaches them
	containerID = "ecmp-integration"
)

// staticRoute is one route of the static IPAM config.
type staticRoute struct {
	Dst      string `json:"dst"`
	GW       string `json:"gw,omitempty"`
	Priority int    `json:"priority,omitempty"`
}

// staticAddress is one address of the static IPAM config.
type staticAddress struct {
	Address string `json:"address"`
}

// netConf is what the config template renders: one link plugin with static
// IPAM, in a network config list.
type netConf struct {
	Name      string
	Plugin    string // macvlan or ipvlan
	Mode      string
	Master    string
	Addresses []staticAddress
	Routes    []staticRoute
}

var confTemplate = template.Must(template.New("conflist").Funcs(template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}).Parse(`{
  "cniVersion": "` + cniVersion + `",
  "name": "{{.Name}}",
  "plugins": [
    {
      "type": "{{.Plugin}}",
      "master": "{{.Master}}",
      "mode": "{{.Mode}}",
      "ipam": {
        "type": "static",
        "addresses": {{json .Addresses}},
        "routes": {{json .Routes}}
      }
    }
  ]
}`))

// newNetConf returns the config of plugin for families with routes.
func newNetConf(plugin string, families []family, routes []staticRoute) netConf {
	c := netConf{Name: "ecmp-" + plugin, Plugin: plugin, Mode: "bridge", Master: masterName, Routes: routes}
	if plugin == "ipvlan" {
		c.Mode = "l2"
	}
	for _, f := range families {
		c.Addresses = append(c.Addresses, staticAddress{Address: f.containerAddr()})
	}
	return c
}

// render returns the config list as JSON bytes.
func (c netConf) render() []byte {
	GinkgoHelper()
	var b bytes.Buffer
	Expect(confTemplate.Execute(&b, c)).To(Succeed())
	return b.Bytes()
}

// ecmpRoutes returns, per family, the routes to dst through each of the
// first n routers, all at the same priority.
func ecmpRoutes(families []family, n int, dsts func(family) string) []staticRoute {
	var out []staticRoute
	for _, f := range families {
		for i := range n {
			out = append(out, staticRoute{Dst: dsts(f), GW: f.gateway(i).String()})
		}
	}
	return out
}

func defaultDst(f family) string {
	if f.netlink == ipv4.netlink {
		return "0.0.0.0/0"
	}
	return "::/0"
}

func prefixDst(f family) string { return f.prefixDst.String() }

// client drives one attachment through libcni, exactly as a runtime does,
// from the topology's host namespace, with a private result cache.
type client struct {
	cni  *libcni.CNIConfig
	list *libcni.NetworkConfigList
	rt   *libcni.RuntimeConf
	host ns.NetNS
}

func newClient(topo *topology, conf netConf) *client {
	GinkgoHelper()
	list, err := libcni.NetworkConfFromBytes(conf.render())
	Expect(err).NotTo(HaveOccurred())
	return &client{
		// The cache must never be the host's /var/lib/cni.
		cni:  libcni.NewCNIConfigWithCacheDir([]string{testutils.PluginBinDir()}, GinkgoT().TempDir(), nil),
		list: list,
		rt:   &libcni.RuntimeConf{ContainerID: containerID, NetNS: topo.container.Path(), IfName: ifName},
		host: topo.host,
	}
}

// inHost runs f in the host namespace: the plugins look their master up in
// the namespace they are started in.
func (c *client) inHost(f func(ctx context.Context) error) error {
	return c.host.Do(func(ns.NetNS) error { return f(context.Background()) })
}

func (c *client) add() (types.Result, error) {
	var res types.Result
	err := c.inHost(func(ctx context.Context) (err error) {
		res, err = c.cni.AddNetworkList(ctx, c.list, c.rt)
		return err
	})
	return res, err
}

func (c *client) check() error {
	return c.inHost(func(ctx context.Context) error { return c.cni.CheckNetworkList(ctx, c.list, c.rt) })
}

func (c *client) del() error {
	return c.inHost(func(ctx context.Context) error { return c.cni.DelNetworkList(ctx, c.list, c.rt) })
}

// gc runs GC with this attachment as the only valid one.
func (c *client) gc() error {
	args := &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: c.rt.ContainerID, IfName: c.rt.IfName}}}
	return c.inHost(func(ctx context.Context) error { return c.cni.GCNetworkList(ctx, c.list, args) })
}

func (c *client) status() error {
	return c.inHost(func(ctx context.Context) error { return c.cni.GetStatusNetworkList(ctx, c.list) })
}
