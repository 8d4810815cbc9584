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
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"

	"github.com/coreos/go-iptables/iptables"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

// Chains and comments of the iptables backend, as upstream's release makes
// them, so that an upgrade finds upstream's rules and the other way round.
const (
	filterTable    = "filter"
	forwardChain   = "FORWARD"
	cniForward     = "CNI-FORWARD"
	isoStage1      = "CNI-ISOLATION-STAGE-1"
	isoStage2      = "CNI-ISOLATION-STAGE-2"
	commentForward = "CNI firewall plugin rules"
	commentAdmin   = "CNI firewall plugin admin overrides"
	commentIso     = "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)"
)

// policyComment is the comment of a stage-1 rule of policy.
func policyComment(policy string) string {
	return "CNI firewall plugin rules (ingressPolicy: " + policy + ")"
}

func comment(c string) []string { return []string{"-m", "comment", "--comment", c} }

func jump(c, target string) []string { return append(comment(c), "-j", target) }

// ipRules are the two CNI-FORWARD rules of one container address: replies
// to it, and everything from it.
func ipRules(ip *net.IPNet) [][]string {
	return [][]string{
		{"-d", ip.String(), "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
		{"-s", ip.String(), "-j", "ACCEPT"},
	}
}

// stage1Rules are the CNI-ISOLATION-STAGE-1 rules of bridge, top first:
// traffic leaving the bridge for another interface goes to stage 2, which
// drops it when it enters another isolated bridge; with "isolated", traffic
// between two ports of the bridge is dropped too. Bridged traffic passes
// FORWARD only with br_netfilter's bridge-nf-call-iptables; routed
// traffic in and out of the bridge device always does.
func stage1Rules(bridge, policy string) [][]string {
	toStage2 := append([]string{"-i", bridge, "!", "-o", bridge}, jump(policyComment(policy), isoStage2)...)
	if policy == policyIsolated {
		return [][]string{
			append([]string{"-i", bridge, "-o", bridge}, jump(policyComment(policy), "DROP")...),
			toStage2,
		}
	}
	return [][]string{toStage2}
}

// stage2Rule is the CNI-ISOLATION-STAGE-2 rule of bridge.
func stage2Rule(bridge string) []string {
	return append([]string{"-o", bridge}, jump(commentIso, "DROP")...)
}

// ipt is one family's iptables with an undo log of what it made.
type ipt struct {
	*iptables.IPTables
	family int
	undo   *[]func() error
}

// ipTables returns the iptables handles of the families of ips.
func ipTables(ips []*net.IPNet, undo *[]func() error) ([]*ipt, error) {
	var out []*ipt
	for _, fam := range []struct {
		family int
		proto  iptables.Protocol
	}{{4, iptables.ProtocolIPv4}, {6, iptables.ProtocolIPv6}} {
		has := false
		for _, ip := range ips {
			has = has || (fam.family == 4) == ipaddr.Is4(ip.IP)
		}
		if !has {
			continue
		}
		t, err := iptables.NewWithProtocol(fam.proto)
		if err != nil {
			return nil, fmt.Errorf("iptables for IPv%d: %w", fam.family, err)
		}
		out = append(out, &ipt{IPTables: t, family: fam.family, undo: undo})
	}
	return out, nil
}

// familyIPs returns the addresses of ips in t's family.
func (t *ipt) familyIPs(ips []*net.IPNet) []*net.IPNet {
	var out []*net.IPNet
	for _, ip := range ips {
		if (t.family == 4) == ipaddr.Is4(ip.IP) {
			out = append(out, ip)
		}
	}
	return out
}

// ensureChain creates chain in the filter table unless it exists; a chain
// it creates gets the rules of tail appended.
func (t *ipt) ensureChain(chain string, tail ...[]string) error {
	ok, err := t.ChainExists(filterTable, chain)
	if err != nil {
		return fmt.Errorf("list chain %s: %w", chain, err)
	}
	if ok {
		return nil
	}
	if err := t.NewChain(filterTable, chain); err != nil {
		// A concurrent ADD (of another attachment) may have made it
		// between the two commands; then it is that ADD's.
		if ok, cerr := t.ChainExists(filterTable, chain); cerr == nil && ok {
			return nil
		}
		return fmt.Errorf("create chain %s: %w", chain, err)
	}
	// Undone after the rules added to it, so it is empty then; a chain
	// another ADD has meanwhile put rules in is not deleted.
	*t.undo = append(*t.undo, func() error { return t.DeleteChain(filterTable, chain) })
	for _, r := range tail {
		if err := t.ensureLast(chain, r); err != nil {
			return err
		}
	}
	return nil
}

// ensureFirst inserts rule at the top of chain unless chain has it.
func (t *ipt) ensureFirst(chain string, rule []string) error {
	return t.ensure(chain, rule, func() error { return t.Insert(filterTable, chain, 1, rule...) })
}

// ensureLast appends rule to chain unless chain has it.
func (t *ipt) ensureLast(chain string, rule []string) error {
	return t.ensure(chain, rule, func() error { return t.Append(filterTable, chain, rule...) })
}

func (t *ipt) ensure(chain string, rule []string, add func() error) error {
	ok, err := t.Exists(filterTable, chain, rule...)
	if err != nil {
		return fmt.Errorf("check rule %v in %s: %w", rule, chain, err)
	}
	if ok {
		return nil
	}
	if err := add(); err != nil {
		return fmt.Errorf("add rule %v to %s: %w", rule, chain, err)
	}
	*t.undo = append(*t.undo, func() error { return t.DeleteIfExists(filterTable, chain, rule...) })
	return nil
}

// add makes the rules of a in t's family: the CNI-FORWARD chain at the top
// of FORWARD, the admin chain at the top of CNI-FORWARD, the address rules
// at its end, and the isolation chains of the policy above CNI-FORWARD.
func (t *ipt) add(a *attachment) error {
	if err := t.ensureChain(cniForward); err != nil {
		return err
	}
	if err := t.ensureFirst(forwardChain, jump(commentForward, cniForward)); err != nil {
		return err
	}
	if err := t.ensureChain(a.adminChain); err != nil {
		return err
	}
	if err := t.ensureFirst(cniForward, jump(commentAdmin, a.adminChain)); err != nil {
		return err
	}
	for _, ip := range t.familyIPs(a.ips) {
		for _, r := range ipRules(ip) {
			if err := t.ensureLast(cniForward, r); err != nil {
				return err
			}
		}
	}
	if a.policy == policyOpen {
		return nil
	}
	ret := append(comment(commentIso), "-j", "RETURN")
	for _, c := range []string{isoStage1, isoStage2} {
		if err := t.ensureChain(c, ret); err != nil {
			return err
		}
	}
	if err := t.ensureFirst(forwardChain, jump(commentIso, isoStage1)); err != nil {
		return err
	}
	rules := stage1Rules(a.bridge, a.policy)
	for i := len(rules) - 1; i >= 0; i-- {
		if err := t.ensureFirst(isoStage1, rules[i]); err != nil {
			return err
		}
	}
	return t.ensureFirst(isoStage2, stage2Rule(a.bridge))
}

// check reports the first missing rule of a in t's family. The isolation
// rules are shared by every attachment of a bridge and not checked, as
// upstream.
func (t *ipt) check(a *attachment) error {
	want := []struct {
		chain string
		rule  []string
	}{
		{forwardChain, jump(commentForward, cniForward)},
		{cniForward, jump(commentAdmin, a.adminChain)},
	}
	for _, ip := range t.familyIPs(a.ips) {
		for _, r := range ipRules(ip) {
			want = append(want, struct {
				chain string
				rule  []string
			}{cniForward, r})
		}
	}
	for _, w := range want {
		ok, err := t.Exists(filterTable, w.chain, w.rule...)
		if err != nil && !isNotExist(err) {
			return fmt.Errorf("check rule %v in %s: %w", w.rule, w.chain, err)
		}
		if !ok {
			return fmt.Errorf("IPv%d rule %v not found in chain %s", t.family, w.rule, w.chain)
		}
	}
	return nil
}

// del removes the address rules of a in t's family. The chains, the jumps
// and the isolation rules stay: other attachments share them.
func (t *ipt) del(a *attachment) error {
	ok, err := t.ChainExists(filterTable, cniForward)
	if err != nil {
		return fmt.Errorf("list chain %s: %w", cniForward, err)
	}
	if !ok {
		return nil
	}
	var errs []error
	for _, ip := range t.familyIPs(a.ips) {
		for _, r := range ipRules(ip) {
			if err := t.DeleteIfExists(filterTable, cniForward, r...); err != nil && !isNotExist(err) {
				errs = append(errs, fmt.Errorf("delete rule %v from %s: %w", r, cniForward, err))
			}
		}
	}
	return errors.Join(errs...)
}

// isNotExist tells whether err is iptables reporting a missing chain or rule.
func isNotExist(err error) bool {
	var e *iptables.Error
	return errors.As(err, &e) && e.IsNotExist()
}

// iptablesMissing tells whether err says that the iptables command is
// missing: then nothing can have been added.
func iptablesMissing(err error) bool {
	return errors.Is(err, exec.ErrNotFound)
}

// lockNetNS takes an exclusive flock(2) on the network namespace the
// plugin runs in and returns its release. Each rule is added only when
// iptables -C does not find it, two commands apart: without the lock two
// ADDs at once (a runtime starting several containers) both add the shared
// jumps and isolation rules. flock locks the inode, and every open of
// /proc/self/ns/net in one namespace is the same nsfs inode, so ADDs and
// DELs in one namespace are serialized, those in others not, and no lock
// file is left anywhere.
func lockNetNS() (func(), error) {
	f, err := os.Open("/proc/self/ns/net")
	if err != nil {
		return nil, fmt.Errorf("open network namespace to lock it: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock network namespace: %w", err)
	}
	return func() { _ = f.Close() }, nil
}

// iptablesAdd makes the rules of a in every family of its addresses; when
// one step fails, everything made so far is removed.
func iptablesAdd(a *attachment) (err error) {
	unlock, err := lockNetNS()
	if err != nil {
		return err
	}
	defer unlock()
	var undo []func() error
	defer func() {
		if err == nil {
			return
		}
		for i := len(undo) - 1; i >= 0; i-- {
			if uerr := undo[i](); uerr != nil {
				logf("undo after failed ADD: %v", uerr)
			}
		}
	}()
	ts, err := ipTables(a.ips, &undo)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := t.add(a); err != nil {
			return fmt.Errorf("IPv%d: %w", t.family, err)
		}
	}
	return nil
}

// iptablesCheck verifies the rules of a in every family of its addresses.
func iptablesCheck(a *attachment) error {
	var undo []func() error
	ts, err := ipTables(a.ips, &undo)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := t.check(a); err != nil {
			return err
		}
	}
	return nil
}

// iptablesDel removes the address rules of a in every family.
func iptablesDel(a *attachment) error {
	unlock, err := lockNetNS()
	if err != nil {
		return err
	}
	defer unlock()
	var undo []func() error
	ts, err := ipTables(a.ips, &undo)
	if err != nil {
		if iptablesMissing(err) {
			return nil
		}
		return err
	}
	var errs []error
	for _, t := range ts {
		errs = append(errs, t.del(a))
	}
	return errors.Join(errs...)
}
