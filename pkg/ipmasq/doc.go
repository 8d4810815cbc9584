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

// Package ipmasq masquerades the traffic a container sends out of its own
// subnet, with either of the two netfilter front ends found on Linux hosts:
//
//   - "iptables": a chain CNI-<hash> per attachment in the nat table, jumped
//     to from POSTROUTING for each container address, run through the
//     iptables and ip6tables binaries (github.com/coreos/go-iptables);
//   - "nftables": one rule per container address in the chain masq_checks of
//     the table "inet cni_plugins_masquerade", written over netlink with
//     github.com/google/nftables.
//
// Names, hashes and rule comments are those upstream's plugins create, so an
// upgrade from upstream's binaries finds and removes the rules they left,
// and the reverse.
//
// Why github.com/google/nftables: it speaks nf_tables' netlink protocol
// itself, so no nft binary is needed (the QEMU guest of the VM suite has
// none, and minimal hosts often lack one); it sends a change as one netlink
// transaction, so plugins running at once never see half of one; it is
// maintained under Google's GitHub organization and used by tailscale's
// Linux firewall code. The alternative, driving the nft binary with JSON,
// needs that binary. Its v0.3.0 cannot set comments on tables and chains;
// rules carry theirs (see Documentation/compatibility.md).
//
// Teardown and GC touch both backends, so a config whose ipMasqBackend
// changed between ADD and DEL still leaves nothing behind.
package ipmasq
