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
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"path"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// defaultDataDir is where the original link attributes are kept between ADD
// and DEL, one file per attachment, as upstream's tuning plugin keeps them.
const defaultDataDir = "/run/cni/tuning"

// NetConf holds the plugin's own config fields; the common ones (cniVersion,
// name, type, prevResult, args) come from netconf.Load.
type NetConf struct {
	// SysCtl maps sysctl keys ("net.core.somaxconn", or with slashes) to
	// values; the component IFNAME stands for the interface's name.
	SysCtl sysctlMap `json:"sysctl,omitempty"`
	// Mac is the MAC address to give the interface.
	Mac string `json:"mac,omitempty"`
	// Promisc turns promiscuous mode on.
	Promisc bool `json:"promisc,omitempty"`
	// AllMulti sets all-multicast mode on or off; nil leaves it (unlike
	// promisc, upstream's false turns the mode off).
	AllMulti *bool `json:"allmulti,omitempty"`
	// MTU of the interface; 0 keeps it.
	MTU int `json:"mtu,omitempty"`
	// TxQLen is the transmit queue length; nil keeps it.
	TxQLen *int `json:"txQLen,omitempty"`
	// DataDir is where the original attributes are kept for DEL.
	DataDir string `json:"dataDir,omitempty"`

	RuntimeConfig struct {
		// Mac is the runtime's "mac" capability.
		Mac string `json:"mac,omitempty"`
	} `json:"runtimeConfig,omitempty"`

	// Args is the conventional "args" key: args.cni overrides the fields
	// of the same names.
	Args *struct {
		CNI *argsCNI `json:"cni,omitempty"`
	} `json:"args,omitempty"`
}

// argsCNI holds the fields of "args.cni" the plugin reads; nil means unset.
type argsCNI struct {
	Mac      *string   `json:"mac,omitempty"`
	MTU      *int      `json:"mtu,omitempty"`
	Promisc  *bool     `json:"promisc,omitempty"`
	AllMulti *bool     `json:"allmulti,omitempty"`
	TxQLen   *int      `json:"txQLen,omitempty"`
	SysCtl   sysctlMap `json:"sysctl,omitempty"`
}

// envArgs are the CNI_ARGS keys the plugin reads.
type envArgs struct {
	types.CommonArgs
	MAC types.UnmarshallableString `json:"mac,omitempty"`
}

// sysctlMap is a sysctl object that refuses a key given twice: encoding/json
// would keep the last value silently, and which one the user meant is
// unknowable.
type sysctlMap map[string]string

// UnmarshalJSON decodes an object of strings, refusing duplicate keys.
func (m *sysctlMap) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*m = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("sysctl must be an object of strings")
	}
	out := sysctlMap{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		var value string
		if err := dec.Decode(&value); err != nil {
			return fmt.Errorf("sysctl %q: value must be a string", key)
		}
		if _, dup := out[key]; dup {
			return fmt.Errorf("duplicated sysctl key %q", key)
		}
		out[key] = value
	}
	*m = out
	return nil
}

// sysctlSetting is one sysctl to write: Key as the config wrote it, Path
// relative to /proc/sys with IFNAME replaced.
type sysctlSetting struct {
	Key, Path, Value string
}

// settings is what one ADD or CHECK applies, after args and runtimeConfig.
type settings struct {
	mac      net.HardwareAddr
	mtu      int
	promisc  bool
	allMulti *bool
	txQLen   *int
	sysctls  []sysctlSetting
}

// loadConf decodes the config; resolve then turns it into settings.
func loadConf(stdin []byte) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(stdin, conf)
	if err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// dataDir returns the configured data directory or the default.
func (c *NetConf) dataDir() string {
	if c.DataDir != "" {
		return c.DataDir
	}
	return defaultDataDir
}

// resolve merges the sources of each setting, validates them and expands
// the sysctl keys for ifName. Precedence, highest first (as upstream):
// args.cni, then for the MAC runtimeConfig.mac and the CNI_ARGS MAC, then
// the config's own fields.
func (c *NetConf) resolve(cniArgs, ifName string) (*settings, error) {
	var env envArgs
	if err := netconf.LoadArgs(cniArgs, &env); err != nil {
		return nil, err
	}
	s := &settings{mtu: c.MTU, promisc: c.Promisc, allMulti: c.AllMulti, txQLen: c.TxQLen}
	macs := []struct{ mac, from string }{
		{c.Mac, "config mac"},
		{string(env.MAC), "CNI_ARGS MAC"},
		{c.RuntimeConfig.Mac, "runtimeConfig mac"},
	}
	sysctls := maps.Clone(map[string]string(c.SysCtl))
	if sysctls == nil {
		sysctls = map[string]string{}
	}
	if c.Args != nil && c.Args.CNI != nil {
		a := c.Args.CNI
		if a.Mac != nil {
			macs = append(macs, struct{ mac, from string }{*a.Mac, "args.cni.mac"})
		}
		if a.MTU != nil {
			s.mtu = *a.MTU
		}
		if a.Promisc != nil {
			s.promisc = *a.Promisc
		}
		if a.AllMulti != nil {
			s.allMulti = a.AllMulti
		}
		if a.TxQLen != nil {
			s.txQLen = a.TxQLen
		}
		maps.Copy(sysctls, a.SysCtl)
	}
	for _, src := range macs {
		mac, err := link.ParseMAC(src.mac, src.from)
		if err != nil {
			return nil, err
		}
		if mac != nil {
			s.mac = mac
		}
	}
	if s.mtu < 0 {
		return nil, netconf.Invalid("invalid mtu %d: must not be negative", s.mtu)
	}
	if s.txQLen != nil && *s.txQLen < 0 {
		return nil, netconf.Invalid("invalid txQLen %d: must not be negative", *s.txQLen)
	}
	keys := make([]string, 0, len(sysctls))
	for k := range sysctls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := map[string]string{}
	for _, k := range keys {
		p, err := sysctlPath(k, ifName)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[p]; dup {
			return nil, netconf.Invalid("invalid sysctl %q: names the same file as %q", k, other)
		}
		seen[p] = k
		s.sysctls = append(s.sysctls, sysctlSetting{Key: k, Path: p, Value: sysctls[k]})
	}
	return s, nil
}

// sysctlPath turns a sysctl key into its path below /proc/sys: dots
// separate components unless the key holds a slash (interface names may
// contain dots, as sysctl(8) allows), and a component IFNAME becomes
// ifName. Only the network namespace's own sysctls (net/...) may be set:
// the others belong to the host.
func sysctlPath(key, ifName string) (string, error) {
	k := strings.TrimSpace(key)
	sep := "."
	if strings.Contains(k, "/") {
		sep = "/"
	}
	parts := strings.Split(strings.Trim(k, "/"), sep)
	for i, p := range parts {
		switch p {
		case "IFNAME":
			parts[i] = ifName
		case "", ".", "..":
			return "", netconf.Invalid("invalid sysctl key %q: empty, . or .. component", key)
		}
	}
	if parts[0] != "net" || len(parts) < 2 {
		return "", netconf.Invalid("invalid sysctl key %q: only net.* sysctls of the network namespace may be set", key)
	}
	return path.Join(parts...), nil
}
