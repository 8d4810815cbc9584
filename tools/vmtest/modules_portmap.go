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

// portmapModules are what the portmap plugin's nftables backend needs in
// the guest: the nat chain type, the dnat and masquerade expressions, and
// "fib daddr type local" for each family; nf_tables, nf_nat and conntrack
// come as dependencies. crc32c_generic goes first for libcrc32c, which
// finds it through the crypto API (a softdep, not in modules.dep).
// Modules listed twice (the bridge plugin's list has some) load once.
var portmapModules = []string{"crc32c_generic", "nft_chain_nat", "nft_nat", "nft_masq", "nft_fib_ipv4", "nft_fib_ipv6"}

// The list is kept in a file of its own so that it merges without
// conflict with the other plugins' additions to defaultModules.
func init() { defaultModules = append(defaultModules, portmapModules...) }
