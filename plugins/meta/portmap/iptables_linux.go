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
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/coreos/go-iptables/iptables"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// The nat table's chains, named as upstream's plugin names them so that
// either plugin finds and removes the other's rules.
const (
	natTable         = "nat"
	chainDNAT        = "CNI-HOSTPORT-DNAT"
	chainSetMark     = "CNI-HOSTPORT-SETMARK"
	chainMasq        = "CNI-HOSTPORT-MASQ"
	commentMasqJump  = "CNI portfwd requiring masquerade"
	commentSetMark   = "CNI portfwd masquerade mark"
	dnChainPrefix    = "CNI-DN-"
	maxChainNameLen  = 28
	multiportMaxPort = 15
)

// dnChainName returns the container's chain: "CNI-DN-" and the first hex
// digits of SHA-512 over the network name and container ID, 28 characters
// in all (iptables' limit is 28 usable characters).
func dnChainName(name, containerID string) string {
	sum := sha512.Sum512([]byte(name + containerID))
	return dnChainPrefix + hex.EncodeToString(sum[:])[:maxChainNameLen-len(dnChainPrefix)]
}

// dnatComment is the comment of the rules in CNI-HOSTPORT-DNAT that lead
// to a container's chain; GC reads the network name and container ID back
// from it.
func dnatComment(name, containerID string) string {
	return fmt.Sprintf("dnat name: %q id: %q", name, containerID)
}

// iptablesBackend writes the rules with iptables and ip6tables.
type iptablesBackend struct{}

// family is one of iptables' two families, with its handle.
type family struct {
	v6  bool
	ipt *iptables.IPTables
}

// families returns a handle per family; a missing ip6tables is not an
// error for a config that needs only IPv4, so those are skipped with the
// error kept for whoever needs them.
func families(need4, need6 bool) ([]family, error) {
	var out []family
	var errs []error
	for _, f := range []struct {
		v6   bool
		need bool
		p    iptables.Protocol
	}{{false, need4, iptables.ProtocolIPv4}, {true, need6, iptables.ProtocolIPv6}} {
		if !f.need {
			continue
		}
		ipt, err := iptables.New(iptables.IPFamily(f.p), iptables.Timeout(10))
		if err != nil {
			errs = append(errs, fmt.Errorf("open %s: %w", famName(f.v6), err))
			continue
		}
		out = append(out, family{v6: f.v6, ipt: ipt})
	}
	return out, errors.Join(errs...)
}

// famName names the command of a family.
func famName(v6 bool) string {
	if v6 {
		return "ip6tables"
	}
	return "iptables"
}

// rule is one rule: the chain and its match and target arguments.
type rule struct {
	chain string
	spec  []string
}

// topRules are the rules of the shared chains, in the order they are
// ensured.
func topRules(p *plan) []rule {
	r := []rule{
		{"PREROUTING", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", chainDNAT}},
		{"OUTPUT", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", chainDNAT}},
	}
	if p.snat() && p.ExternalSetMarkChain == nil {
		mark := fmt.Sprintf("%#x/%#x", 1<<p.markBit(), 1<<p.markBit())
		r = append(r,
			rule{"POSTROUTING", []string{"-m", "comment", "--comment", commentMasqJump, "-j", chainMasq}},
			rule{chainMasq, []string{"-m", "mark", "--mark", mark, "-j", "MASQUERADE"}},
			rule{chainSetMark, []string{"-m", "comment", "--comment", commentSetMark, "-j", "MARK", "--set-xmark", mark}},
		)
	}
	return r
}

// markChain is the chain that marks a connection for masquerading.
func (p *plan) markChain() string {
	if p.ExternalSetMarkChain != nil {
		return *p.ExternalSetMarkChain
	}
	return chainSetMark
}

// dnRules are the rules of the container's chain: per mapping, the marks
// for hairpin and localhost connections (or for all, masqAll), then the
// DNAT.
func dnRules(p *plan, t *target, v6 bool) [][]string {
	var out [][]string
	for _, m := range p.mappingsFor(v6) {
		match := []string{}
		if m.hostIP != nil {
			match = append(match, "-d", hostPrefix(m.hostIP))
		}
		match = append(match, "-p", m.Protocol, "-m", m.Protocol, "--dport", strconv.Itoa(m.HostPort))
		if p.snat() {
			if p.MasqAll {
				out = append(out, join(match, "-j", p.markChain()))
			} else {
				out = append(out, join([]string{"-s", t.subnet.String()}, append(match, "-j", p.markChain())...))
				if !v6 {
					// Connections from 127.0.0.1 need route_localnet on
					// the way out, and a source the container can answer.
					out = append(out, join([]string{"-s", "127.0.0.1/32"}, append(match, "-j", p.markChain())...))
				}
			}
		}
		out = append(out, join(match, "-j", "DNAT", "--to-destination", hostPort(t.ip.String(), v6, m.ContainerPort)))
	}
	return out
}

// join returns a new slice of a's elements followed by b's.
func join(a []string, b ...string) []string {
	return append(append([]string{}, a...), b...)
}

// hostPrefix returns ip as a host prefix, as iptables prints it.
func hostPrefix(ip net.IP) string { return ipaddr.HostPrefix(ip).String() }

// hostPort returns DNAT's --to-destination for ip and port.
func hostPort(ip string, v6 bool, port int) string {
	if v6 {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

// jumpRules are the rules in CNI-HOSTPORT-DNAT that send connections to
// the container's chain: one per protocol, in alphabetical order as
// upstream's plugin writes them, and group of at most 15 ports
// (multiport's limit), in the order the mappings name them.
func jumpRules(p *plan, v6 bool) [][]string {
	var protos []string
	ports := map[string][]string{}
	for _, m := range p.mappings {
		if _, ok := ports[m.Protocol]; !ok {
			protos = append(protos, m.Protocol)
		}
		ports[m.Protocol] = append(ports[m.Protocol], strconv.Itoa(m.HostPort))
	}
	sort.Strings(protos)
	dn := dnChainName(p.name, p.containerID)
	var out [][]string
	for _, proto := range protos {
		list := ports[proto]
		for len(list) > 0 {
			n := min(len(list), multiportMaxPort)
			r := join(p.conditions(v6), "-p", proto, "-m", "comment", "--comment", dnatComment(p.name, p.containerID),
				"-m", "multiport", "--dports", strings.Join(list[:n], ","), "-j", dn)
			out = append(out, r)
			list = list[n:]
		}
	}
	return out
}

func (b *iptablesBackend) add(p *plan) error {
	fams, err := families(p.v4 != nil, p.v6 != nil)
	if err != nil {
		return err
	}
	for _, f := range fams {
		if err := addFamily(f, p); err != nil {
			return fmt.Errorf("set up %s port mappings: %w", famName(f.v6), err)
		}
	}
	return nil
}

// addFamily ensures the shared chains and their rules, then writes the
// container's chain and the rules leading to it.
func addFamily(f family, p *plan) error {
	t := p.targetFor(f.v6)
	chains := []string{chainDNAT}
	if p.snat() && p.ExternalSetMarkChain == nil {
		chains = append(chains, chainSetMark, chainMasq)
	}
	for _, c := range chains {
		if err := ensureChain(f.ipt, c); err != nil {
			return err
		}
	}
	for _, r := range topRules(p) {
		add := f.ipt.AppendUnique
		if r.chain == "POSTROUTING" {
			// First in POSTROUTING, as upstream puts it: a masquerading
			// chain jumped to before it (bridge's ipMasq ACCEPTs traffic
			// to the container's subnet) would end the nat table's
			// traversal, and hairpin traffic would leave unmasqueraded.
			add = func(table, chain string, spec ...string) error {
				return f.ipt.InsertUnique(table, chain, 1, spec...)
			}
		}
		if err := add(natTable, r.chain, r.spec...); err != nil {
			return fmt.Errorf("add rule to %s: %w", r.chain, err)
		}
	}
	dn := dnChainName(p.name, p.containerID)
	// ClearChain creates the chain or empties what an earlier ADD of
	// the same container left.
	if err := f.ipt.ClearChain(natTable, dn); err != nil {
		return fmt.Errorf("create chain %s: %w", dn, err)
	}
	for _, r := range dnRules(p, t, f.v6) {
		if err := f.ipt.Append(natTable, dn, r...); err != nil {
			return fmt.Errorf("add rule to %s: %w", dn, err)
		}
	}
	if err := deleteJumps(f.ipt, dn); err != nil {
		return err
	}
	for _, r := range jumpRules(p, f.v6) {
		if err := f.ipt.Append(natTable, chainDNAT, r...); err != nil {
			return fmt.Errorf("add rule to %s: %w", chainDNAT, err)
		}
	}
	return nil
}

// ensureChain creates chain in the nat table unless it exists.
func ensureChain(ipt *iptables.IPTables, chain string) error {
	ok, err := ipt.ChainExists(natTable, chain)
	if err != nil {
		return fmt.Errorf("list chain %s: %w", chain, err)
	}
	if ok {
		return nil
	}
	if err := ipt.NewChain(natTable, chain); err != nil && !isExist(err) {
		return fmt.Errorf("create chain %s: %w", chain, err)
	}
	return nil
}

// isExist reports whether err says the chain exists: another ADD made it
// between our look and our create.
func isExist(err error) bool {
	var e *iptables.Error
	return errors.As(err, &e) && e.ExitStatus() == 1 && strings.Contains(e.Error(), "exists")
}

// deleteJumps removes the rules of CNI-HOSTPORT-DNAT that jump to dn,
// from the last up so that the numbers of those left stay valid.
func deleteJumps(ipt *iptables.IPTables, dn string) error {
	ok, err := ipt.ChainExists(natTable, chainDNAT)
	if err != nil || !ok {
		return err
	}
	rules, err := ipt.List(natTable, chainDNAT)
	if err != nil {
		return fmt.Errorf("list chain %s: %w", chainDNAT, err)
	}
	// rules[0] is the chain's "-N" line, so a rule's index is its number.
	for i := len(rules) - 1; i >= 1; i-- {
		if strings.HasSuffix(rules[i], " -j "+dn) {
			if err := ipt.DeleteById(natTable, chainDNAT, i); err != nil {
				return fmt.Errorf("delete rule %d of %s: %w", i, chainDNAT, err)
			}
		}
	}
	return nil
}

func (b *iptablesBackend) check(p *plan) error {
	fams, err := families(p.v4 != nil, p.v6 != nil)
	if err != nil {
		return err
	}
	dn := dnChainName(p.name, p.containerID)
	for _, f := range fams {
		want := topRules(p)
		for _, r := range dnRules(p, p.targetFor(f.v6), f.v6) {
			want = append(want, rule{dn, r})
		}
		for _, r := range jumpRules(p, f.v6) {
			want = append(want, rule{chainDNAT, r})
		}
		for _, r := range want {
			ok, err := f.ipt.Exists(natTable, r.chain, r.spec...)
			if err != nil {
				return fmt.Errorf("check %s rule in %s: %w", famName(f.v6), r.chain, err)
			}
			if !ok {
				return fmt.Errorf("check %s: missing rule in %s: %s", famName(f.v6), r.chain, strings.Join(r.spec, " "))
			}
		}
	}
	return nil
}

func (b *iptablesBackend) del(name, containerID string) error {
	return delChain(dnChainName(name, containerID))
}

// delChain removes the jumps to dn and dn itself, in both families. A
// family without its iptables command, without the nat chains or
// without dn has nothing to remove.
func delChain(dn string) error {
	fams, _ := families(true, true)
	var errs []error
	for _, f := range fams {
		if err := deleteJumps(f.ipt, dn); err != nil {
			errs = append(errs, err)
			continue
		}
		ok, err := f.ipt.ChainExists(natTable, dn)
		if err != nil {
			errs = append(errs, fmt.Errorf("list chain %s: %w", dn, err))
			continue
		}
		if ok {
			if err := f.ipt.ClearAndDeleteChain(natTable, dn); err != nil {
				errs = append(errs, fmt.Errorf("delete chain %s: %w", dn, err))
			}
		}
	}
	return errors.Join(errs...)
}

// gc removes the chains of the network's containers that are not valid
// attachments: the comments of CNI-HOSTPORT-DNAT name both.
func (b *iptablesBackend) gc(name string, valid map[string]bool) error {
	fams, _ := families(true, true)
	stale := map[string]bool{}
	for _, f := range fams {
		ok, err := f.ipt.ChainExists(natTable, chainDNAT)
		if err != nil || !ok {
			continue
		}
		rules, err := f.ipt.List(natTable, chainDNAT)
		if err != nil {
			return fmt.Errorf("list chain %s: %w", chainDNAT, err)
		}
		for _, r := range rules {
			n, id, ok := parseDNATComment(r)
			if ok && n == name && !valid[id] {
				stale[dnChainName(n, id)] = true
			}
		}
	}
	var errs []error
	for dn := range stale {
		errs = append(errs, delChain(dn))
	}
	return errors.Join(errs...)
}

// parseDNATComment reads the network name and container ID from a rule of
// CNI-HOSTPORT-DNAT as iptables -S prints it: --comment "dnat name:
// \"N\" id: \"ID\"".
func parseDNATComment(r string) (name, id string, ok bool) {
	const start = `--comment "dnat name: \"`
	i := strings.Index(r, start)
	if i < 0 {
		return "", "", false
	}
	rest := r[i+len(start):]
	name, rest, ok = strings.Cut(rest, `\" id: \"`)
	if !ok {
		return "", "", false
	}
	id, _, ok = strings.Cut(rest, `\""`)
	return name, id, ok
}

func (b *iptablesBackend) status() error {
	_, err := families(true, false)
	return err
}
