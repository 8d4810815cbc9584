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
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"
)

// defaultModules are the kernel modules the guest loads: the link types the
// tests create. Their dependencies (llc, stp, garp, mrp for 8021q) come
// from modules.dep. Multipath routing, IPv6 and policy routing are built
// into Debian's kernel. The guest cannot load modules on demand, so a test
// needing another module must get it added here (or through -modules).
var defaultModules = []string{"veth", "dummy", "macvlan", "ipvlan", "8021q", "vrf", "bridge",
	// tap's tun device.
	"tun",
	// nftables masquerading (pkg/ipmasq, bridge's ipMasq): the nat chain
	// type and the masquerade expression; nf_tables, nf_nat and conntrack
	// come as their dependencies. libcrc32c, which nf_tables needs, finds
	// its crc32c through the crypto API at init (a softdep, not in
	// modules.dep), so crc32c_generic is loaded first.
	"crc32c_generic", "nft_chain_nat", "nft_masq",
	// bridge's macspoofchk: with NFT_BRIDGE_META a module, the kernel's
	// meta expression refuses the bridge family until nft_meta_bridge is
	// loaded (ENOENT when it cannot be).
	"nft_meta_bridge",
	// portmap's nftables backend: DNAT and the fib expression (local
	// destinations).
	"nft_nat", "nft_fib_ipv4", "nft_fib_ipv6",
	// bandwidth: the ifb device, the tbf and ingress qdiscs, the u32
	// classifier and the mirred action.
	"ifb", "sch_tbf", "sch_ingress", "cls_u32", "act_mirred"}

// moduleName turns "kernel/net/8021q/8021q.ko" into "8021q"; the kernel
// treats '-' and '_' in module names alike, so they are folded to '_'.
func moduleName(p string) string {
	b := path.Base(p)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}

// parseModulesDep reads depmod's modules.dep: "<module path>: <dep path>...".
func parseModulesDep(r io.Reader) (map[string][]string, error) {
	deps := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		deps[strings.TrimSpace(mod)] = strings.Fields(rest)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read modules.dep: %w", err)
	}
	return deps, nil
}

// loadOrder returns the module files (paths as in modules.dep) for want and
// everything they depend on, each after its dependencies: the order insmod
// must load them in. A wanted module that is unknown is an error.
func loadOrder(deps map[string][]string, want []string) ([]string, error) {
	byName := map[string]string{}
	for p := range deps {
		byName[moduleName(p)] = p
	}
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(p string) error
	visit = func(p string) error {
		switch state[p] {
		case 1:
			return fmt.Errorf("module dependency cycle at %s", moduleName(p))
		case 2:
			return nil
		}
		state[p] = 1
		for _, d := range deps[p] {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[p] = 2
		order = append(order, p)
		return nil
	}
	for _, w := range want {
		p, ok := byName[strings.ReplaceAll(w, "-", "_")]
		if !ok {
			return nil, fmt.Errorf("find module %s: not in modules.dep (built in, or misspelled?)", w)
		}
		if err := visit(p); err != nil {
			return nil, err
		}
	}
	return order, nil
}
