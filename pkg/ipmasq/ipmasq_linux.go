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

package ipmasq

import (
	"errors"
	"fmt"
	"net"
	"os/exec"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// ResolveBackend returns the backend Setup and Check use for backend:
// "iptables" or "nftables" as given, and for "" what upstream's plugins
// pick: iptables when the iptables binary is in PATH, nftables otherwise.
// Any other name is an error naming it.
func ResolveBackend(backend string) (string, error) {
	switch backend {
	case BackendIPTables, BackendNFTables:
		return backend, nil
	case "":
		if _, err := exec.LookPath("iptables"); err == nil {
			return BackendIPTables, nil
		}
		return BackendNFTables, nil
	}
	return "", fmt.Errorf("invalid ipMasqBackend %q: want %q or %q", backend, BackendIPTables, BackendNFTables)
}

// masqAddr is one container address with its subnet, in canonical form.
type masqAddr struct {
	ip     net.IP     // 4 bytes for IPv4, 16 for IPv6
	subnet *net.IPNet // host bits cleared
	family int
}

// masqAddrs validates ipns and drops nil entries.
func masqAddrs(ipns []*net.IPNet) ([]masqAddr, error) {
	out := make([]masqAddr, 0, len(ipns))
	for _, ipn := range ipns {
		if ipn == nil {
			continue
		}
		ip := ipaddr.Normalize(ipn.IP)
		subnet := ipaddr.Canonical(ipn)
		if ip == nil || subnet == nil {
			return nil, fmt.Errorf("invalid address %v to masquerade", ipn)
		}
		out = append(out, masqAddr{ip: ip, subnet: subnet, family: ipaddr.Family(ip)})
	}
	return out, nil
}

// Setup masquerades the traffic that each address of ipns sends to
// destinations outside its own subnet and outside multicast, with backend
// ("" as ResolveBackend). It is safe to call again for the same attachment:
// the rules are not duplicated.
//
//	iptables -t nat -A POSTROUTING -s 192.0.2.2 -j CNI-<hash>
//	iptables -t nat -A CNI-<hash> -d 192.0.2.0/24 -j ACCEPT
//	iptables -t nat -A CNI-<hash> ! -d 224.0.0.0/4 -j MASQUERADE
//
//	nft add rule inet cni_plugins_masquerade masq_checks \
//	    ip saddr 192.0.2.2 ip daddr != 192.0.2.0/24 masquerade
func Setup(backend string, ipns []*net.IPNet, network, ifName, containerID string) error {
	b, err := ResolveBackend(backend)
	if err != nil {
		return err
	}
	addrs, err := masqAddrs(ipns)
	if err != nil {
		return err
	}
	if b == BackendIPTables {
		return setupIPTables(addrs, network, containerID)
	}
	return setupNFTables(addrs, network, ifName, containerID)
}

// Check verifies that Setup's rules for ipns are in place with backend.
func Check(backend string, ipns []*net.IPNet, network, ifName, containerID string) error {
	b, err := ResolveBackend(backend)
	if err != nil {
		return err
	}
	addrs, err := masqAddrs(ipns)
	if err != nil {
		return err
	}
	if b == BackendIPTables {
		return checkIPTables(addrs, network, containerID)
	}
	return checkNFTables(addrs, network, ifName, containerID)
}

// Teardown removes the masquerading of an attachment from both backends,
// whichever Setup used; ipns may be empty (a DEL that no longer knows the
// addresses): the rules are found by their chain name and comment. Rules
// or tables that are not there are not an error, nor is a missing iptables
// binary or nf_tables support: there is nothing to remove then.
func Teardown(ipns []*net.IPNet, network, ifName, containerID string) error {
	addrs, _ := masqAddrs(ipns) // only a hint for iptables; invalid entries are skipped
	return errors.Join(
		teardownIPTables(addrs, network, containerID),
		teardownNFTables(network, ifName, containerID),
	)
}

// GC removes, from both backends, the masquerading rules of network whose
// attachment is not in keep.
func GC(network string, keep []types.GCAttachment) error {
	return errors.Join(gcIPTables(network, keep), gcNFTables(network, keep))
}
