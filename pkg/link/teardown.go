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

package link

import (
	"encoding/json"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// teardownConf is all a link plugin's DEL, GC and STATUS read of its
// config: the IPAM plugin that holds the allocation. Everything else (mode, mtu, mac,
// master, CNI_ARGS, prevResult) only ADD needs, and a config edited since
// the ADD, or one that ADD refused, must still delete: a runtime retries a
// failing DEL forever, and every pod of the network would stay.
type teardownConf struct {
	IPAM struct {
		Type string `json:"type"`
	} `json:"ipam"`
}

// LoadTeardown reads of stdin only what DEL needs (see teardownConf) and
// returns it as the common part of the config. Only a config whose "ipam"
// cannot be read is an error (code 6): the allocation could not be
// released.
func LoadTeardown(stdin []byte) (*netconf.Common, error) {
	var c teardownConf
	if err := json.Unmarshal(stdin, &c); err != nil {
		return nil, netconf.Undecodable("decode ipam type of network config: %v", err)
	}
	common := &netconf.Common{}
	common.IPAM.Type = c.IPAM.Type
	return common, nil
}
