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
	"os/exec"
	"regexp"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/coreos/go-iptables/iptables"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

const natTable = "nat"

// multicastDst is the destination never masqueraded: a multicast datagram
// does not leave the link, and the kernel does not NAT it anyway.
func multicastDst(family int) string {
	if family == ipaddr.FamilyV6 {
		return "ff00::/8"
	}
	return "224.0.0.0/4"
}

// protoBinary maps a family to go-iptables' protocol and its binary.
func protoBinary(family int) (iptables.Protocol, string) {
	if family == ipaddr.FamilyV6 {
		return iptables.ProtocolIPv6, "ip6tables"
	}
	return iptables.ProtocolIPv4, "iptables"
}

// newIPTables returns the iptables or ip6tables front end for family; ok is
// false when its binary is not installed.
func newIPTables(family int) (ipt *iptables.IPTables, ok bool, err error) {
	proto, bin := protoBinary(family)
	if _, err := exec.LookPath(bin); err != nil {
		return nil, false, nil
	}
	// -w: wait for the xtables lock, as other users of the nat table do.
	ipt, err = iptables.New(iptables.IPFamily(proto), iptables.Timeout(0))
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", bin, err)
	}
	return ipt, true, nil
}

func commentSpec(comment string) []string {
	return []string{"-m", "comment", "--comment", comment}
}

func setupIPTables(addrs []masqAddr, network, containerID string) error {
	chain := ChainName(network, containerID)
	comment := commentSpec(iptablesComment(network, containerID))
	for _, a := range addrs {
		ipt, ok, err := newIPTables(a.family)
		if err != nil {
			return err
		}
		if !ok {
			_, bin := protoBinary(a.family)
			return fmt.Errorf("masquerade %s with iptables: %s not found in PATH", a.ip, bin)
		}
		if err := ensureChain(ipt, chain); err != nil {
			return err
		}
		// The subnet's ACCEPT goes first, so that with several addresses
		// of one family in the chain no MASQUERADE precedes another
		// subnet's ACCEPT.
		accept := append([]string{"-d", a.subnet.String(), "-j", "ACCEPT"}, comment...)
		if err := ipt.InsertUnique(natTable, chain, 1, accept...); err != nil {
			return fmt.Errorf("add iptables rule %s: %w", strings.Join(accept, " "), err)
		}
		masq := append([]string{"!", "-d", multicastDst(a.family), "-j", "MASQUERADE"}, comment...)
		if err := ipt.AppendUnique(natTable, chain, masq...); err != nil {
			return fmt.Errorf("add iptables rule %s: %w", strings.Join(masq, " "), err)
		}
		jump := append([]string{"-s", a.ip.String(), "-j", chain}, comment...)
		if err := ipt.AppendUnique(natTable, "POSTROUTING", jump...); err != nil {
			return fmt.Errorf("add iptables rule %s: %w", strings.Join(jump, " "), err)
		}
	}
	return nil
}

// ensureChain creates chain in the nat table unless it exists; a chain
// created meanwhile by another process is not an error.
func ensureChain(ipt *iptables.IPTables, chain string) error {
	exists, err := ipt.ChainExists(natTable, chain)
	if err != nil {
		return fmt.Errorf("list iptables chain %s: %w", chain, err)
	}
	if exists {
		return nil
	}
	if err := ipt.NewChain(natTable, chain); err != nil {
		if exists, err2 := ipt.ChainExists(natTable, chain); err2 == nil && exists {
			return nil
		}
		return fmt.Errorf("create iptables chain %s: %w", chain, err)
	}
	return nil
}

func checkIPTables(addrs []masqAddr, network, containerID string) error {
	chain := ChainName(network, containerID)
	comment := commentSpec(iptablesComment(network, containerID))
	for _, a := range addrs {
		ipt, ok, err := newIPTables(a.family)
		if err != nil {
			return err
		}
		if !ok {
			_, bin := protoBinary(a.family)
			return fmt.Errorf("check masquerading of %s: %s not found in PATH", a.ip, bin)
		}
		// iptables -C fails, rather than answering no, for a missing chain.
		exists, err := ipt.ChainExists(natTable, chain)
		if err != nil {
			return fmt.Errorf("list iptables chain %s: %w", chain, err)
		}
		if !exists {
			return fmt.Errorf("masquerading of %s: iptables chain %s missing", a.ip, chain)
		}
		for _, r := range []struct {
			chain string
			spec  []string
		}{
			{"POSTROUTING", []string{"-s", a.ip.String(), "-j", chain}},
			{chain, []string{"-d", a.subnet.String(), "-j", "ACCEPT"}},
			{chain, []string{"!", "-d", multicastDst(a.family), "-j", "MASQUERADE"}},
		} {
			spec := append(r.spec, comment...)
			ok, err := ipt.Exists(natTable, r.chain, spec...)
			if err != nil {
				return fmt.Errorf("check iptables rule -A %s %s: %w", r.chain, strings.Join(r.spec, " "), err)
			}
			if !ok {
				return fmt.Errorf("masquerading of %s: iptables rule -A %s %s missing", a.ip, r.chain, strings.Join(r.spec, " "))
			}
		}
	}
	return nil
}

// teardownIPTables removes the attachment's chain and every POSTROUTING
// rule that jumps to it, in both families. The jumps are found by listing
// POSTROUTING, so the addresses are not needed.
func teardownIPTables(_ []masqAddr, network, containerID string) error {
	var errs []error
	for _, family := range []int{ipaddr.FamilyV4, ipaddr.FamilyV6} {
		ipt, ok, err := newIPTables(family)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, removeChain(ipt, ChainName(network, containerID)))
	}
	return errors.Join(errs...)
}

// removeChain deletes POSTROUTING's jumps to chain, then chain.
func removeChain(ipt *iptables.IPTables, chain string) error {
	exists, err := ipt.ChainExists(natTable, chain)
	if err != nil {
		return fmt.Errorf("list iptables chain %s: %w", chain, err)
	}
	rules, err := ipt.List(natTable, "POSTROUTING")
	if err != nil {
		return fmt.Errorf("list iptables chain POSTROUTING: %w", err)
	}
	for _, rule := range rules {
		spec, ok := jumpSpec(rule, chain)
		if !ok {
			continue
		}
		if err := ipt.DeleteIfExists(natTable, "POSTROUTING", spec...); err != nil {
			return fmt.Errorf("delete iptables rule %s: %w", rule, err)
		}
	}
	if !exists {
		return nil
	}
	if err := ipt.ClearAndDeleteChain(natTable, chain); err != nil {
		return fmt.Errorf("delete iptables chain %s: %w", chain, err)
	}
	return nil
}

// jumpSpec parses one line of `iptables -S POSTROUTING` and, when it is a
// jump to chain, returns its rule spec for -D: the source, the target and
// the comment, as Setup (ours or upstream's) writes them.
func jumpSpec(rule, chain string) ([]string, bool) {
	args, ok := splitRule(rule)
	if !ok || len(args) < 2 || args[0] != "-A" {
		return nil, false
	}
	args = args[2:]
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-j" && args[i+1] == chain {
			return args, true
		}
	}
	return nil, false
}

// splitRule splits an `iptables -S` line into arguments: fields separated
// by spaces, a double-quoted field with \" and \\ escapes as one argument.
func splitRule(line string) ([]string, bool) {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == '"':
			inQuote = !inQuote
			have = true
		case c == ' ' && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if inQuote {
		return nil, false
	}
	if have {
		args = append(args, cur.String())
	}
	return args, true
}

// commentRE matches the comment Setup puts on an attachment's rules, as
// `iptables -S` prints it (quotes escaped).
var commentRE = regexp.MustCompile(`^name: "(.*)" id: "(.*)"$`)

// gcIPTables removes the chains of network's attachments whose container
// is not in keep: the chain name is a hash, so the container is read from
// the comment of POSTROUTING's jumps to it.
func gcIPTables(network string, keep []types.GCAttachment) error {
	kept := make(map[string]bool, len(keep))
	for _, k := range keep {
		kept[k.ContainerID] = true
	}
	var errs []error
	for _, family := range []int{ipaddr.FamilyV4, ipaddr.FamilyV6} {
		ipt, ok, err := newIPTables(family)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		rules, err := ipt.List(natTable, "POSTROUTING")
		if err != nil {
			errs = append(errs, fmt.Errorf("list iptables chain POSTROUTING: %w", err))
			continue
		}
		stale := map[string]bool{}
		for _, rule := range rules {
			id, ok := ruleContainer(rule, network)
			if ok && !kept[id] {
				stale[ChainName(network, id)] = true
			}
		}
		for chain := range stale {
			errs = append(errs, removeChain(ipt, chain))
		}
	}
	return errors.Join(errs...)
}

// ruleContainer returns the container ID of a POSTROUTING rule that jumps
// to the chain of one of network's attachments.
func ruleContainer(rule, network string) (string, bool) {
	args, ok := splitRule(rule)
	if !ok {
		return "", false
	}
	var comment, target string
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "--comment":
			comment = args[i+1]
		case "-j":
			target = args[i+1]
		}
	}
	m := commentRE.FindStringSubmatch(comment)
	if m == nil || m[1] != network || target != ChainName(network, m[2]) {
		return "", false
	}
	return m[2], true
}
