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
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

var (
	masqTable = &nftables.Table{Name: tableName, Family: nftables.TableFamilyINet}
	// postroutingChain skips multicast, then goes to masq_checks.
	postroutingChain = &nftables.Chain{
		Name:     postroutingName,
		Table:    masqTable,
		Type:     nftables.ChainTypeNAT,
		Hooknum:  nftables.ChainHookPostrouting,
		Priority: nftables.ChainPriorityNATSource,
		Policy:   policyRef(nftables.ChainPolicyAccept),
	}
	// checksChain holds one masquerade rule per container address.
	checksChain = &nftables.Chain{Name: checksName, Table: masqTable}
)

func policyRef(p nftables.ChainPolicy) *nftables.ChainPolicy { return &p }

// Header offsets of the addresses (RFC 791, RFC 8200).
const (
	ip4Src = 12
	ip4Dst = 16
	ip6Src = 8
	ip6Dst = 24
)

func offsets(family int) (src, dst uint32, nfproto byte) {
	if family == ipaddr.FamilyV6 {
		return ip6Src, ip6Dst, unix.NFPROTO_IPV6
	}
	return ip4Src, ip4Dst, unix.NFPROTO_IPV4
}

// matchFamily is `meta nfproto ipv4|ipv6`: an inet chain sees both.
func matchFamily(nfproto byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{nfproto}},
	}
}

// postroutingRules: `ip daddr 224.0.0.0/4 return`, `ip6 daddr ff00::/8
// return`, `goto masq_checks`.
func postroutingRules() [][]expr.Any {
	// The whole address masked, as nft itself encodes a prefix match, so
	// that `nft list` shows `ip daddr 224.0.0.0/4` as for upstream's rule.
	v4 := append(matchFamily(unix.NFPROTO_IPV4),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: ip4Dst, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: []byte{0xf0, 0, 0, 0}, Xor: []byte{0, 0, 0, 0}},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{0xe0, 0, 0, 0}},
		&expr.Verdict{Kind: expr.VerdictReturn},
	)
	v6 := append(matchFamily(unix.NFPROTO_IPV6),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: ip6Dst, Len: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{0xff}},
		&expr.Verdict{Kind: expr.VerdictReturn},
	)
	jump := []expr.Any{&expr.Verdict{Kind: expr.VerdictGoto, Chain: checksName}}
	return [][]expr.Any{v4, v6, jump}
}

// masqRule is `ip saddr A ip daddr != S masquerade` (ip6 likewise).
func masqRule(a masqAddr) []expr.Any {
	src, dst, nfproto := offsets(a.family)
	n := uint32(len(a.ip))
	exprs := append(matchFamily(nfproto),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: src, Len: n},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte(a.ip)},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: dst, Len: n},
	)
	mask := []byte(net.CIDRMask(a.subnet.Mask.Size()))
	if ones, bits := a.subnet.Mask.Size(); ones != bits {
		exprs = append(exprs, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: n,
			Mask: mask, Xor: make([]byte, n)})
	}
	return append(exprs,
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: []byte(a.subnet.IP)},
		&expr.Masq{},
	)
}

func ruleComment(r *nftables.Rule) string {
	c, _ := userdata.GetString(r.UserData, userdata.TypeComment)
	return c
}

// ruleSource returns the source address a masq_checks rule matches: the
// operand of the comparison that follows the load of the source address.
func ruleSource(r *nftables.Rule) net.IP {
	var family byte
	for i, e := range r.Exprs {
		switch e := e.(type) {
		case *expr.Cmp:
			if len(e.Data) == 1 && i > 0 {
				if m, ok := r.Exprs[i-1].(*expr.Meta); ok && m.Key == expr.MetaKeyNFPROTO {
					family = e.Data[0]
				}
			}
		case *expr.Payload:
			if e.Base != expr.PayloadBaseNetworkHeader || i+1 >= len(r.Exprs) {
				continue
			}
			want := uint32(ip4Src)
			if family == unix.NFPROTO_IPV6 {
				want = ip6Src
			}
			if e.Offset != want {
				continue
			}
			if c, ok := r.Exprs[i+1].(*expr.Cmp); ok && c.Op == expr.CmpOpEq {
				return net.IP(c.Data)
			}
		}
	}
	return nil
}

// ensureBase creates the table and its chains when missing and gives
// postrouting its three rules unless it has them. Each change is one
// netlink transaction; a concurrent caller doing the same ends with the
// same result, since the rules are replaced by a flush in the same batch.
func ensureBase(conn *nftables.Conn) error {
	if err := probe(conn); err != nil {
		return err
	}
	conn.AddTable(masqTable)
	conn.AddChain(postroutingChain)
	conn.AddChain(checksChain)
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("create nftables table inet %s: %w", tableName, err)
	}
	rules, err := conn.GetRules(masqTable, postroutingChain)
	if err != nil {
		return fmt.Errorf("list nftables chain %s: %w", postroutingName, err)
	}
	if postroutingComplete(rules) {
		return nil
	}
	conn.FlushChain(postroutingChain)
	for _, exprs := range postroutingRules() {
		conn.AddRule(&nftables.Rule{Table: masqTable, Chain: postroutingChain, Exprs: exprs})
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("add nftables rules to chain %s: %w", postroutingName, err)
	}
	return nil
}

// postroutingComplete reports whether postrouting ends with the goto to
// masq_checks after the two multicast returns.
func postroutingComplete(rules []*nftables.Rule) bool {
	if len(rules) != 3 {
		return false
	}
	last := rules[2].Exprs
	if len(last) != 1 {
		return false
	}
	v, ok := last[0].(*expr.Verdict)
	return ok && v.Kind == expr.VerdictGoto && v.Chain == checksName
}

// attachmentRules returns the masq_checks rules whose comment starts with
// prefix.
func attachmentRules(conn *nftables.Conn, prefix string) ([]*nftables.Rule, error) {
	rules, err := conn.GetRules(masqTable, checksChain)
	if err != nil {
		return nil, fmt.Errorf("list nftables chain %s: %w", checksName, err)
	}
	var out []*nftables.Rule
	for _, r := range rules {
		if strings.HasPrefix(ruleComment(r), prefix) {
			out = append(out, r)
		}
	}
	return out, nil
}

func setupNFTables(addrs []masqAddr, network, ifName, containerID string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	if err := ensureBase(conn); err != nil {
		return err
	}
	old, err := attachmentRules(conn, attachmentPrefix(network, ifName, containerID))
	if err != nil {
		return err
	}
	// Replace the attachment's rules in one transaction: a repeated ADD
	// does not duplicate them.
	for _, r := range old {
		if err := conn.DelRule(r); err != nil {
			return fmt.Errorf("delete nftables rule %d: %w", r.Handle, err)
		}
	}
	comment := userdata.AppendString(nil, userdata.TypeComment, nftComment(network, ifName, containerID))
	for _, a := range addrs {
		conn.AddRule(&nftables.Rule{Table: masqTable, Chain: checksChain, Exprs: masqRule(a), UserData: comment})
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("add nftables masquerade rules for %s: %w", containerID, err)
	}
	return nil
}

func checkNFTables(addrs []masqAddr, network, ifName, containerID string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	post, err := conn.GetRules(masqTable, postroutingChain)
	if err != nil {
		return fmt.Errorf("masquerading: list nftables chain inet %s %s: %w", tableName, postroutingName, err)
	}
	if !postroutingComplete(post) {
		return fmt.Errorf("masquerading: nftables chain inet %s %s lacks its goto %s", tableName, postroutingName, checksName)
	}
	rules, err := attachmentRules(conn, attachmentPrefix(network, ifName, containerID))
	if err != nil {
		return err
	}
	for _, a := range addrs {
		found := false
		for _, r := range rules {
			if a.ip.Equal(ruleSource(r)) {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("masquerading of %s: nftables rule in inet %s %s missing", a.ip, tableName, checksName)
		}
	}
	return nil
}

// probe asks the kernel for its inet tables, to find out that nf_tables
// answers before a batch is sent: when the nf_tables module is missing but
// nfnetlink is there, the kernel refuses a whole batch with one error, while
// the library waits for an answer to each message of it, forever.
func probe(conn *nftables.Conn) error {
	if _, err := conn.ListTablesOfFamily(nftables.TableFamilyINet); err != nil {
		return fmt.Errorf("nftables unavailable (is the nf_tables module loaded?): %w", err)
	}
	return nil
}

// hasTable reports whether the masquerade table exists. An error listing
// tables (nf_tables missing from the kernel, say) counts as no table: a
// teardown then has nothing it could remove.
func hasTable(conn *nftables.Conn) bool {
	tables, err := conn.ListTablesOfFamily(nftables.TableFamilyINet)
	if err != nil {
		return false
	}
	for _, t := range tables {
		if t.Name == tableName {
			return true
		}
	}
	return false
}

// deleteRules removes the masq_checks rules for which stale is true. The
// deletions are one transaction; when another process removed one of the
// rules meanwhile the kernel refuses the whole batch (ENOENT), and the
// rules are listed again.
func deleteRules(stale func(comment string) bool) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	if !hasTable(conn) {
		return nil
	}
	for attempt := 0; ; attempt++ {
		rules, err := conn.GetRules(masqTable, checksChain)
		if err != nil {
			return fmt.Errorf("list nftables chain %s: %w", checksName, err)
		}
		n := 0
		for _, r := range rules {
			if !stale(ruleComment(r)) {
				continue
			}
			if err := conn.DelRule(r); err != nil {
				return fmt.Errorf("delete nftables rule %d: %w", r.Handle, err)
			}
			n++
		}
		if n == 0 {
			return nil
		}
		switch err := conn.Flush(); {
		case err == nil:
			return nil
		case !errors.Is(err, unix.ENOENT) || attempt == 2:
			return fmt.Errorf("delete nftables masquerade rules: %w", err)
		}
	}
}

func teardownNFTables(network, ifName, containerID string) error {
	prefix := attachmentPrefix(network, ifName, containerID)
	return deleteRules(func(c string) bool { return strings.HasPrefix(c, prefix) })
}

func gcNFTables(network string, keep []types.GCAttachment) error {
	kept := make(map[string]bool, len(keep))
	for _, k := range keep {
		kept[attachmentPrefix(network, k.IfName, k.ContainerID)] = true
	}
	netPrefix := networkPrefix(network)
	n := len(attachmentPrefix(network, "", ""))
	return deleteRules(func(c string) bool {
		return strings.HasPrefix(c, netPrefix) && len(c) >= n && !kept[c[:n]]
	})
}
