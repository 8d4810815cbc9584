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

package netconf

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Config structs of the shapes plugins declare, for loadFast to decode the
// plugin's part of.

type linkConf struct {
	Master          string `json:"master,omitempty"`
	Mode            string `json:"mode,omitempty"`
	MTU             int    `json:"mtu,omitempty"`
	BCQueueLen      uint32 `json:"bcqueuelen,omitempty"`
	LinkInContainer bool   `json:"linkInContainer,omitempty"`
	RuntimeConfig   struct {
		Mac string `json:"mac,omitempty"`
	} `json:"runtimeConfig,omitempty"`
	mode int //nolint:unused // mirrors the unexported state of a plugin config, which Load must skip
}

type ipamConf struct {
	IPAM *struct {
		Type      string     `json:"type"`
		Routes    RouteConfs `json:"routes,omitempty"`
		DNS       types.DNS  `json:"dns"`
		Addresses []struct {
			Address string `json:"address"`
		} `json:"addresses"`
	} `json:"ipam"`
	RuntimeConfig *struct {
		IPs []string `json:"ips,omitempty"`
	} `json:"runtimeConfig,omitempty"`
}

type Inner struct {
	Bridge   string `json:"bridge"`
	Untagged int
}

type embeddingConf struct {
	Inner
	*types.IPAM
	Named   Inner  `json:"named"`
	Skipped string `json:"-"`
	Dash    string `json:"-,"`   //nolint:staticcheck // a field named "-", a tag Load must read as encoding/json does
	Bad     string `json:"a\\b"` //nolint:staticcheck // an invalid name encoding/json ignores; so must Load
}

type selfDecoding struct{ raw []byte }

func (s *selfDecoding) UnmarshalJSON(b []byte) error {
	s.raw = append([]byte(nil), b...)
	return nil
}

// confTypes returns a fresh value of every config type.
func confTypes() []any {
	return []any{nil, &linkConf{}, &ipamConf{}, &embeddingConf{}, &map[string]any{}, &selfDecoding{}, &Common{}}
}

// compareLoad checks that wherever loadFast decodes stdin, the values are
// those encoding/json gives for the whole config.
func compareLoad(stdin []byte) error {
	for _, conf := range confTypes() {
		c, doc, ok := loadFast(stdin, conf)
		if !ok {
			continue
		}
		var want Common
		if err := json.Unmarshal(stdin, &want); err != nil {
			return fmt.Errorf("loadFast accepted %q, which encoding/json refuses: %w", stdin, err)
		}
		if !reflect.DeepEqual(*c, want) {
			return fmt.Errorf("loadFast(%q) common part %+v, encoding/json %+v", stdin, *c, want)
		}
		if conf == nil {
			continue
		}
		wantConf := reflect.New(reflect.TypeOf(conf).Elem()).Interface()
		wantErr := json.Unmarshal(stdin, wantConf)
		err := json.Unmarshal(doc, conf)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			return fmt.Errorf("%T from %q: error %w, from the whole config %w", conf, doc, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(conf, wantConf) {
			return fmt.Errorf("%T from %q: %+v, from the whole config %+v", conf, doc, conf, wantConf)
		}
	}
	return nil
}

var loadDocs = []string{
	`{"cniVersion": "1.1.0", "name": "n", "type": "macvlan", "master": "eth0", "ipam": {"type": "static", "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}}`,
	`{"cniVersion": "1.1.0", "name": "n", "type": "macvlan", "mode": "bridge", "mtu": 1500, "bcqueuelen": 100, "linkInContainer": true,
	  "capabilities": {"mac": true, "ips": false}, "runtimeConfig": {"mac": "02:42:c0:00:02:0a", "ips": ["192.0.2.10/24"]},
	  "args": {"cni": {"ips": ["192.0.2.10/24"], "mac": "02:42:c0:00:02:0a"}, "other": {"x": 1}},
	  "dns": {"nameservers": ["192.0.2.53"], "domain": "example.com", "search": ["example.com"], "options": ["ndots:2"]},
	  "ipam": {"type": "static", "addresses": [{"address": "192.0.2.10/24"}], "dns": {"domain": "x"}, "routes": [{"dst": "::/0", "table": 7}]},
	  "cni.dev/valid-attachments": [{"containerID": "c1", "ifname": "eth0"}]}`,
	`{"cniVersion": "1.1.0", "name": "n", "prevResult": {"cniVersion": "1.1.0", "ips": [{"address": "192.0.2.10/24"}], "routes": [{"dst": "0.0.0.0/0"}]}}`,
	`{"name": "n"}`,
	`{}`,
	`{"cniVersion": "1.1.0", "Master": "eth0", "MASTER": "eth1", "master": "eth2"}`,
	`{"cniVersion": "1.1.0", "bridge": "br0", "untagged": 5, "named": {"bridge": "br1", "Untagged": 6}, "type": "t", "-": "dash", "Skipped": "s", "a\\b": "bad", "Bad": "b"}`,
	`{"cniVersion": "1.1.0", "mtu": "1500"}`,
	`{"cniVersion": "1.1.0", "mtu": 1500.5}`,
	`{"cniVersion": "1.1.0", "ipam": {"type": "static", "Type": "other"}}`,
	`{"cniVersion": "1.1.0", "ipam": {"type": 5}}`,
	`{"cniVersion": "1.1.0", "ipam": []}`,
	`{"cniVersion": "1.1.0", "ipam": null}`,
	`{"cniVersion": "1.1.0", "name": "a", "name": "b"}`,
	`{"CNIVersion": "1.1.0"}`,
	`{"cniVersion": "1.1.0", "capabilities": {"a": true, "a": false}}`,
	`{"cniVersion": "1.1.0", "capabilities": {"a": 1}}`,
	`{"cniVersion": "1.1.0", "dns": {"nameservers": "192.0.2.53"}}`,
	`{"cniVersion": "1.1.0", "prevResult": "none"}`,
	`{"cniVersion": "1.1.0", "args": {"cni": {"ips": "192.0.2.10"}}}`,
	`{"cniVersion": "1.1.0", "cni.dev/valid-attachments": [{"containerID": 1}]}`,
	`{"cniVersion": "1.1.0", "name": "n\u0041"}`,
	`{"cniVersion": "1.1.0"} x`,
	`{"cniVersion": "1.1.0",}`,
	`[]`,
	``,
}

var _ = Describe("loadFast", func() {
	for _, doc := range loadDocs {
		It("decodes as encoding/json does: "+doc, func() {
			Expect(compareLoad([]byte(doc))).To(Succeed())
		})
	}

	It("decodes a plain link plugin config without its IPAM section", func() {
		doc := []byte(`{"cniVersion": "1.1.0", "name": "n", "type": "macvlan", "master": "eth0", "ipam": {"type": "static", "routes": [` +
			strings.Repeat(`{"dst": "198.18.0.0/32", "gw": "192.0.2.1"},`, 99) + `{"dst": "::/0"}]}}`)
		var conf linkConf
		c, confDoc, ok := loadFast(doc, &conf)
		Expect(ok).To(BeTrue())
		Expect(c.IPAM.Type).To(Equal("static"))
		Expect(string(confDoc)).To(Equal(`{"master": "eth0"}`))
		_, confDoc, ok = loadFast(doc, &ipamConf{})
		Expect(ok).To(BeTrue())
		Expect(&confDoc[0]).To(BeIdenticalTo(&doc[0]), "a config that is mostly ipam is decoded whole")
		Expect(compareLoad(doc)).To(Succeed())
	})

	It("declines what is not written plainly", func() {
		for _, doc := range []string{`{"cniVersion": "1.1.0", "mtu": 1500.5}`, `{"CNIVersion": "1.1.0"}`, `{"cniVersion": "1.1.0", "x": null}`, `[]`} {
			_, _, ok := loadFast([]byte(doc), nil)
			Expect(ok).To(BeFalse(), doc)
		}
	})

	It("lists the member names encoding/json can store", func() {
		names, ok := memberNames(reflect.TypeOf(&embeddingConf{}))
		Expect(ok).To(BeTrue())
		Expect(names).To(ContainElements("bridge", "Untagged", "type", "named", "-", "a\\b", "Bad"))
		Expect(names).NotTo(ContainElement("Skipped"))
		for _, conf := range []any{&map[string]any{}, &selfDecoding{}, linkConf{}, new(int)} {
			_, ok := memberNames(reflect.TypeOf(conf))
			Expect(ok).To(BeFalse(), "%T", conf)
		}
	})
})

// FuzzLoad checks that whatever loadFast decodes, encoding/json decodes
// the same, for every kind of plugin config struct.
func FuzzLoad(f *testing.F) {
	for _, doc := range loadDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, stdin []byte) {
		if err := compareLoad(stdin); err != nil {
			t.Fatal(err)
		}
	})
}
