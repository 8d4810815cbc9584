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
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"
)

// The nftables table and chains, named as upstream's plugin names them:
// one table per family, rules found again by their comment, the
// container ID.
const (
	nftTable          = "cni_hostport"
	nftHostPorts      = "hostports"
	nftHostIPPorts    = "hostip_hostports"
	nftHostPortsAll   = "hostports_all"
	nftPrerouting     = "prerouting"
	nftOutput         = "output"
	nftMasquerading   = "masquerading"
	ipv4DaddrOffset   = 16
	ipv4SaddrOffset   = 12
	ipv6DaddrOffset   = 24
	ipv6SaddrOffset   = 8
	transportDportOff = 2
)

// nftablesBackend writes the rules through nf_tables' netlink interface.
type nftablesBackend struct{}

// nftFamily is the table family of an address family.
func nftFamily(v6 bool) nftables.TableFamily {
	if v6 {
		return nftables.TableFamilyIPv6
	}
	return nftables.TableFamilyIPv4
}

// familyName is what nft calls the family.
func familyName(v6 bool) string {
	if v6 {
		return "ip6"
	}
	return "ip"
}

// baseChain describes one of the table's chains; hook nil for a regular
// chain.
type baseChain struct {
	name     string
	hook     *nftables.ChainHook
	priority *nftables.ChainPriority
}

var nftChains = []baseChain{
	{nftHostPorts, nil, nil},
	{nftHostIPPorts, nil, nil},
	{nftHostPortsAll, nil, nil},
	{nftPrerouting, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest},
	{nftOutput, nftables.ChainHookOutput, nftables.ChainPriorityNATDest},
	{nftMasquerading, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource},
}

// comment is the userdata of a rule commented with s, as nft writes it.
func comment(s string) []byte { return userdata.AppendString(nil, userdata.TypeComment, s) }

// ruleComment returns a rule's comment, "" when it has none.
func ruleComment(r *nftables.Rule) string {
	s, _ := userdata.GetString(r.UserData, userdata.TypeComment)
	return s
}

// ensureTable adds the family's table and whichever of its chains is
// missing to the batch of conn, with the fixed rules of a new chain:
// hostports_all jumps to hostip_hostports and hostports, prerouting and
// output jump to hostports_all for locally addressed packets ("fib daddr
// type local"). The masquerading chain is left out without snat, as
// upstream's plugin does. It returns the table and chains.
func ensureTable(conn *nftables.Conn, v6, snat bool) (*nftables.Table, map[string]*nftables.Chain, error) {
	t := &nftables.Table{Name: nftTable, Family: nftFamily(v6)}
	chains, err := conn.ListChainsOfTableFamily(t.Family)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s chains: %w", familyName(v6), err)
	}
	have := map[string]*nftables.Chain{}
	for _, c := range chains {
		if c.Table != nil && c.Table.Name == nftTable {
			have[c.Name] = c
		}
	}
	conn.AddTable(t)
	for _, bc := range nftChains {
		if c, ok := have[bc.name]; ok {
			c.Table = t
			continue
		}
		if bc.name == nftMasquerading && !snat {
			continue
		}
		c := &nftables.Chain{Name: bc.name, Table: t}
		if bc.hook != nil {
			c.Type = nftables.ChainTypeNAT
			c.Hooknum = bc.hook
			c.Priority = bc.priority
		}
		have[bc.name] = conn.AddChain(c)
		switch bc.name {
		case nftHostPortsAll:
			for _, to := range []string{nftHostIPPorts, nftHostPorts} {
				conn.AddRule(&nftables.Rule{Table: t, Chain: c, Exprs: []expr.Any{
					&expr.Verdict{Kind: expr.VerdictJump, Chain: to},
				}})
			}
		case nftPrerouting, nftOutput:
			conn.AddRule(&nftables.Rule{Table: t, Chain: c, Exprs: []expr.Any{
				&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binary.NativeEndian.AppendUint32(nil, unix.RTN_LOCAL)},
				&expr.Verdict{Kind: expr.VerdictJump, Chain: nftHostPortsAll},
			}})
		}
	}
	return t, have, nil
}

// addrExprs match the network header's address at offset with ip.
func addrExprs(offset uint32, ip net.IP) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: uint32(len(ip))},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte(ip)},
	}
}

// protoNumber is the IP protocol number of a mapping's protocol.
func protoNumber(proto string) byte {
	switch proto {
	case "udp":
		return unix.IPPROTO_UDP
	case "sctp":
		return unix.IPPROTO_SCTP
	}
	return unix.IPPROTO_TCP
}

// dnatRule is "[ip daddr HOSTIP] PROTO dport HOSTPORT dnat to IP:PORT".
func dnatRule(m PortMapping, to net.IP, v6 bool) []expr.Any {
	var e []expr.Any
	daddr, nfproto := uint32(ipv4DaddrOffset), uint32(unix.NFPROTO_IPV4)
	if v6 {
		daddr, nfproto = ipv6DaddrOffset, unix.NFPROTO_IPV6
	}
	if m.hostIP != nil {
		e = append(e, addrExprs(daddr, m.hostIP)...)
	}
	return append(e,
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{protoNumber(m.Protocol)}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: transportDportOff, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binary.BigEndian.AppendUint16(nil, uint16(m.HostPort))},
		&expr.Immediate{Register: 1, Data: []byte(to)},
		&expr.Immediate{Register: 2, Data: binary.BigEndian.AppendUint16(nil, uint16(m.ContainerPort))},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: nfproto, RegAddrMin: 1, RegProtoMin: 2, Specified: true},
	)
}

// masqRules are the masquerading rules for connections to the container:
// hairpin (from the container itself) and, for IPv4, from 127.0.0.1; or
// from anywhere with masqAll.
func masqRules(p *plan, to net.IP, v6 bool) [][]expr.Any {
	if !p.snat() {
		return nil
	}
	saddr, daddr := uint32(ipv4SaddrOffset), uint32(ipv4DaddrOffset)
	if v6 {
		saddr, daddr = ipv6SaddrOffset, ipv6DaddrOffset
	}
	masq := func(src net.IP) []expr.Any {
		return append(append(addrExprs(saddr, src), addrExprs(daddr, to)...), &expr.Masq{})
	}
	if p.MasqAll {
		// "ip saddr 0.0.0.0/0" (ip6: ::/0) as upstream writes it: the
		// source masked to nothing, a match of every packet.
		zero := make([]byte, len(to))
		e := []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: saddr, Len: uint32(len(to))},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: uint32(len(to)), Mask: zero, Xor: zero},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: zero},
		}
		return [][]expr.Any{append(append(e, addrExprs(daddr, to)...), &expr.Masq{})}
	}
	out := [][]expr.Any{masq(to)}
	if !v6 {
		out = append(out, masq(net.IPv4(127, 0, 0, 1).To4()))
	}
	return out
}

// addrBytes returns ip in its family's length.
func addrBytes(ip net.IP, v6 bool) net.IP {
	if v6 {
		return ip.To16()
	}
	return ip.To4()
}

func (b *nftablesBackend) add(p *plan) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	for _, v6 := range []bool{false, true} {
		t := p.targetFor(v6)
		if t == nil {
			continue
		}
		table, chains, err := ensureTable(conn, v6, p.snat())
		if err != nil {
			return err
		}
		// An earlier ADD of the same container is replaced.
		if err := delRules(conn, table, chains, p.containerID); err != nil {
			return err
		}
		to := addrBytes(t.ip, v6)
		for _, m := range p.mappingsFor(v6) {
			conn.AddRule(&nftables.Rule{Table: table, Chain: chains[nftHostPorts], Exprs: dnatRule(m, to, v6), UserData: comment(p.containerID)})
		}
		for _, e := range masqRules(p, to, v6) {
			conn.AddRule(&nftables.Rule{Table: table, Chain: chains[nftMasquerading], Exprs: e, UserData: comment(p.containerID)})
		}
	}
	// One batch: the kernel applies all of it or none.
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("set up nftables rules for port mappings: %w", err)
	}
	return nil
}

// delRules adds to the batch of conn the deletion of the rules commented
// with containerID in the chains that hold per-container rules.
func delRules(conn *nftables.Conn, table *nftables.Table, chains map[string]*nftables.Chain, containerID string) error {
	for _, name := range []string{nftHostPorts, nftHostIPPorts, nftMasquerading} {
		c, ok := chains[name]
		if !ok {
			continue
		}
		rules, err := conn.GetRules(table, c)
		if err != nil {
			return fmt.Errorf("list %s %s %s: %w", familyName(table.Family == nftables.TableFamilyIPv6), nftTable, name, err)
		}
		for _, r := range rules {
			if ruleComment(r) == containerID {
				if err := conn.DelRule(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// existingTable returns the family's table and its chains, or nil when
// there is no table.
func existingTable(conn *nftables.Conn, v6 bool) (*nftables.Table, map[string]*nftables.Chain, error) {
	chains, err := conn.ListChainsOfTableFamily(nftFamily(v6))
	if err != nil {
		return nil, nil, fmt.Errorf("list %s chains: %w", familyName(v6), err)
	}
	have := map[string]*nftables.Chain{}
	var table *nftables.Table
	for _, c := range chains {
		if c.Table != nil && c.Table.Name == nftTable {
			have[c.Name] = c
			table = c.Table
		}
	}
	return table, have, nil
}

func (b *nftablesBackend) check(p *plan) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	for _, v6 := range []bool{false, true} {
		t := p.targetFor(v6)
		if t == nil {
			continue
		}
		table, chains, err := existingTable(conn, v6)
		if err != nil {
			return err
		}
		if table == nil {
			return fmt.Errorf("check port mappings: no table %s %s", familyName(v6), nftTable)
		}
		for _, bc := range nftChains {
			if _, ok := chains[bc.name]; !ok && (bc.name != nftMasquerading || p.snat()) {
				return fmt.Errorf("check port mappings: no chain %s in table %s %s", bc.name, familyName(v6), nftTable)
			}
		}
		to := addrBytes(t.ip, v6)
		if err := checkChain(conn, table, chains[nftHostPorts], p.containerID, len(p.mappingsFor(v6))); err != nil {
			return err
		}
		if c, ok := chains[nftMasquerading]; ok {
			if err := checkChain(conn, table, c, p.containerID, len(masqRules(p, to, v6))); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkChain verifies that chain holds n rules commented with containerID.
func checkChain(conn *nftables.Conn, table *nftables.Table, chain *nftables.Chain, containerID string, n int) error {
	rules, err := conn.GetRules(table, chain)
	if err != nil {
		return fmt.Errorf("list chain %s: %w", chain.Name, err)
	}
	got := 0
	for _, r := range rules {
		if ruleComment(r) == containerID {
			got++
		}
	}
	if got != n {
		return fmt.Errorf("check port mappings: chain %s of table %s has %d rules of container %q, want %d", chain.Name, nftTable, got, containerID, n)
	}
	return nil
}

func (b *nftablesBackend) del(_, containerID string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	for _, v6 := range []bool{false, true} {
		table, chains, err := existingTable(conn, v6)
		if noNFTables(err) {
			// A kernel without nf_tables holds no rules of ours.
			continue
		}
		if err != nil {
			return err
		}
		if table == nil {
			continue
		}
		if err := delRules(conn, table, chains, containerID); err != nil {
			return err
		}
	}
	if err := conn.Flush(); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("delete nftables rules of container %q: %w", containerID, err)
	}
	return nil
}

// noNFTables reports whether err says the kernel has no nf_tables (or not
// for this family): the netlink family or the message type is unknown.
func noNFTables(err error) bool {
	return errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.EAFNOSUPPORT) || errors.Is(err, unix.EOPNOTSUPP)
}

// gc does nothing: a rule's comment is the container ID alone, as
// upstream's plugin writes it, so the rules of one network cannot be told
// from another's, and removing every container not valid in this network
// would break the others. DEL removes a container's rules.
func (b *nftablesBackend) gc(string, map[string]bool) error { return nil }

func (b *nftablesBackend) status() error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	if _, err := conn.ListTablesOfFamily(nftables.TableFamilyIPv4); err != nil {
		return fmt.Errorf("list nftables tables: %w", err)
	}
	return nil
}
