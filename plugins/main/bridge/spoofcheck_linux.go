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
	"errors"
	"fmt"
	"net"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"
)

// The MAC spoof check (macspoofchk) is upstream's nftables layout, so that
// a DEL by either removes what the other's ADD made:
//
//	table bridge nat {
//	  chain PREROUTING {
//	    type filter hook prerouting priority dstnat; policy accept;
//	    iifname "HOSTVETH" jump cni-br-iface-ID-IF comment "macspoofchk-ID-IF"
//	  }
//	  chain cni-br-iface-ID-IF { jump cni-br-iface-ID-IF-mac comment "..." }
//	  chain cni-br-iface-ID-IF-mac {
//	    ether saddr MAC return comment "..."
//	    drop comment "..."
//	  }
//	}
var (
	spoofTable = &nftables.Table{Name: "nat", Family: nftables.TableFamilyBridge}
	spoofPre   = &nftables.Chain{
		Name:     "PREROUTING",
		Table:    spoofTable,
		Type:     nftables.ChainTypeFilter,
		Hooknum:  nftables.ChainHookPrerouting,
		Priority: nftables.ChainPriorityRef(-300), // dstnat in the bridge family
		Policy:   policyAccept(),
	}
)

func policyAccept() *nftables.ChainPolicy {
	p := nftables.ChainPolicyAccept
	return &p
}

// spoofNames returns the attachment's chains and rule comment.
func spoofNames(containerID, ifName string) (iface, mac, comment string) {
	iface = "cni-br-iface-" + containerID + "-" + ifName
	return iface, iface + "-mac", "macspoofchk-" + containerID + "-" + ifName
}

func commentData(c string) []byte {
	return userdata.AppendString(nil, userdata.TypeComment, c)
}

func ruleComment(r *nftables.Rule) string {
	c, _ := userdata.GetString(r.UserData, userdata.TypeComment)
	return c
}

// ifnameData is an interface name as the kernel compares it: IFNAMSIZ
// bytes, NUL padded.
func ifnameData(name string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return b
}

// setupSpoofCheck drops the frames that enter the bridge from hostVeth
// with a source MAC other than mac. Repeating it replaces the rules.
func setupSpoofCheck(containerID, ifName, hostVeth string, mac net.HardwareAddr) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	// A GET first: without the nf_tables module (nfnetlink loaded) the
	// kernel refuses a batch with one error while the library waits for
	// one per message, forever.
	if _, err := conn.ListTablesOfFamily(nftables.TableFamilyBridge); err != nil {
		return fmt.Errorf("mac spoof check: nftables unavailable (is the nf_tables module loaded?): %w", err)
	}
	ifaceName, macName, comment := spoofNames(containerID, ifName)
	conn.AddTable(spoofTable)
	conn.AddChain(spoofPre)
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("create nftables table bridge nat: %w", err)
	}
	chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyBridge)
	if err != nil {
		return fmt.Errorf("list nftables chains of family bridge: %w", err)
	}
	existing := map[string]bool{}
	for _, c := range chains {
		if c.Table.Name == spoofTable.Name {
			existing[c.Name] = true
		}
	}
	old, err := conn.GetRules(spoofTable, spoofPre)
	if err != nil {
		return fmt.Errorf("list nftables chain bridge nat PREROUTING: %w", err)
	}
	for _, r := range old {
		if ruleComment(r) == comment {
			if err := conn.DelRule(r); err != nil {
				return fmt.Errorf("delete nftables rule %d: %w", r.Handle, err)
			}
		}
	}
	// A repeated ADD replaces the chains' rules; new chains are only added.
	ifaceChain := &nftables.Chain{Name: ifaceName, Table: spoofTable}
	macChain := &nftables.Chain{Name: macName, Table: spoofTable}
	for _, c := range []*nftables.Chain{ifaceChain, macChain} {
		if existing[c.Name] {
			conn.FlushChain(c)
		} else {
			conn.AddChain(c)
		}
	}
	ud := commentData(comment)
	conn.AddRule(&nftables.Rule{Table: spoofTable, Chain: spoofPre, UserData: ud, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifnameData(hostVeth)},
		&expr.Verdict{Kind: expr.VerdictJump, Chain: ifaceName},
	}})
	conn.AddRule(&nftables.Rule{Table: spoofTable, Chain: ifaceChain, UserData: ud, Exprs: []expr.Any{
		&expr.Verdict{Kind: expr.VerdictJump, Chain: macName},
	}})
	conn.AddRule(&nftables.Rule{Table: spoofTable, Chain: macChain, UserData: ud, Exprs: []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseLLHeader, Offset: 6, Len: 6},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte(mac)},
		&expr.Verdict{Kind: expr.VerdictReturn},
	}})
	conn.AddRule(&nftables.Rule{Table: spoofTable, Chain: macChain, UserData: ud, Exprs: []expr.Any{
		&expr.Verdict{Kind: expr.VerdictDrop},
	}})
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("add mac spoof check of %s: %w", hostVeth, err)
	}
	return nil
}

// checkSpoofCheck verifies that the attachment's chain lets mac through.
func checkSpoofCheck(containerID, ifName string, mac net.HardwareAddr) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	_, macName, _ := spoofNames(containerID, ifName)
	rules, err := conn.GetRules(spoofTable, &nftables.Chain{Name: macName, Table: spoofTable})
	if err != nil {
		return fmt.Errorf("mac spoof check: list nftables chain bridge nat %s: %w", macName, err)
	}
	for _, r := range rules {
		for _, e := range r.Exprs {
			if c, ok := e.(*expr.Cmp); ok && bytes.Equal(c.Data, mac) {
				return nil
			}
		}
	}
	return fmt.Errorf("mac spoof check: no rule for %s in nftables chain bridge nat %s", mac, macName)
}

// teardownSpoofCheck removes the attachment's rules and chains; what is
// not there (or nf_tables itself) is not an error.
func teardownSpoofCheck(containerID, ifName string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	ifaceName, macName, comment := spoofNames(containerID, ifName)
	chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyBridge)
	if err != nil {
		return nil // no nf_tables: nothing could have been added
	}
	have := map[string]*nftables.Chain{}
	for _, c := range chains {
		if c.Table.Name == spoofTable.Name {
			have[c.Name] = c
		}
	}
	n := 0
	if _, ok := have[spoofPre.Name]; ok {
		rules, err := conn.GetRules(spoofTable, spoofPre)
		if err != nil {
			return fmt.Errorf("list nftables chain bridge nat PREROUTING: %w", err)
		}
		for _, r := range rules {
			if ruleComment(r) == comment {
				if err := conn.DelRule(r); err != nil {
					return fmt.Errorf("delete nftables rule %d: %w", r.Handle, err)
				}
				n++
			}
		}
	}
	for _, name := range []string{ifaceName, macName} {
		if c, ok := have[name]; ok {
			conn.FlushChain(c)
			n++
		}
	}
	for _, name := range []string{ifaceName, macName} {
		if c, ok := have[name]; ok {
			conn.DelChain(c)
		}
	}
	if n == 0 {
		return nil
	}
	if err := conn.Flush(); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("delete mac spoof check of %s: %w", ifName, err)
	}
	return nil
}
