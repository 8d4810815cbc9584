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

package ip

import (
	"fmt"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// Forwarding switches of the calling thread's namespace. IPv6 forwarding is
// switched through "all", which the kernel copies to every interface.
const (
	ip4ForwardKey = "net.ipv4.ip_forward"
	ip6ForwardKey = "net.ipv6.conf.all.forwarding"
)

// EnableIP4Forward is `sysctl -w net.ipv4.ip_forward=1`, written only when
// it is not already 1.
func EnableIP4Forward() error {
	return enableForward(ip4ForwardKey)
}

// EnableIP6Forward is `sysctl -w net.ipv6.conf.all.forwarding=1`, written
// only when it is not already 1.
func EnableIP6Forward() error {
	return enableForward(ip6ForwardKey)
}

// EnableForward enables forwarding for each family that has an address in
// ips, as EnableIP4Forward and EnableIP6Forward do.
func EnableForward(ips []*current.IPConfig) error {
	var v4, v6 bool
	for _, ipc := range ips {
		if ipc == nil {
			continue
		}
		switch ipaddr.Family(ipc.Address.IP) {
		case ipaddr.FamilyV4:
			v4 = true
		case ipaddr.FamilyV6:
			v6 = true
		}
	}
	if v4 {
		if err := EnableIP4Forward(); err != nil {
			return err
		}
	}
	if v6 {
		if err := EnableIP6Forward(); err != nil {
			return err
		}
	}
	return nil
}

func enableForward(key string) error {
	if _, err := sysctl.Ensure(key, "1"); err != nil {
		return fmt.Errorf("enable forwarding: %w", err)
	}
	return nil
}
