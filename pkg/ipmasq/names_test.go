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
	"strings"
	"testing"
)

// The expected names were read from the rules upstream's bridge v1.10.0
// created for these attachments (iptables-save, nft list ruleset).
func TestChainName(t *testing.T) {
	for _, tc := range []struct{ network, id, want string }{
		{"mynet", "ctr1", "CNI-5145007e2a8415ce07579739"},
	} {
		if got := ChainName(tc.network, tc.id); got != tc.want {
			t.Errorf("ChainName(%q, %q) = %q, want %q", tc.network, tc.id, got, tc.want)
		}
	}
}

func TestComments(t *testing.T) {
	if got, want := iptablesComment("mynet", "ctr1"), `name: "mynet" id: "ctr1"`; got != want {
		t.Errorf("iptablesComment = %q, want %q", got, want)
	}
	long := strings.Repeat("n", 60)
	for _, tc := range []struct{ network, ifName, id, want string }{
		{"mynet", "eth0", "ctr1", "d23676b4f2d9fe04-7883a6f9ce71eedb, net: mynet, if: eth0, id: ctr1"},
		{"mynet", "eth1", "ctr2", "d23676b4f2d9fe04-bad102104eab4de6, net: mynet, if: eth1, id: ctr2"},
		// Cut at 128 bytes, as upstream does.
		{long, "eth2", strings.Repeat("a", 64),
			"3b457a62ab577ef7-b950b47c006f3d26, net: " + long + ", if: eth2, id: aaaaaaaaaaaa"},
	} {
		if got := nftComment(tc.network, tc.ifName, tc.id); got != tc.want {
			t.Errorf("nftComment(%q, %q, %q) = %q, want %q", tc.network, tc.ifName, tc.id, got, tc.want)
		}
	}
}

func TestSplitRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{`-A POSTROUTING -s 192.0.2.2/32 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j CNI-5145007e2a8415ce07579739`,
			[]string{"-A", "POSTROUTING", "-s", "192.0.2.2/32", "-m", "comment", "--comment", `name: "mynet" id: "ctr1"`, "-j", "CNI-5145007e2a8415ce07579739"}, true},
		{`-A X --comment ""`, []string{"-A", "X", "--comment", ""}, true},
		{`-A X "unterminated`, nil, false},
	} {
		got, ok := splitRule(tc.in)
		if ok != tc.ok || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitRule(%q) = %q, %v, want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRuleContainer(t *testing.T) {
	rule := `-A POSTROUTING -s 192.0.2.2/32 -m comment --comment "name: \"mynet\" id: \"ctr1\"" -j CNI-5145007e2a8415ce07579739`
	for _, tc := range []struct {
		rule, network, want string
		ok                  bool
	}{
		{rule, "mynet", "ctr1", true},
		{rule, "other", "", false},
		// A jump whose target is not the chain its comment names.
		{strings.Replace(rule, "CNI-5145", "CNI-0000", 1), "mynet", "", false},
		{`-A POSTROUTING -j MASQUERADE`, "mynet", "", false},
	} {
		got, ok := ruleContainer(tc.rule, tc.network)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ruleContainer(%q, %q) = %q, %v, want %q, %v", tc.rule, tc.network, got, ok, tc.want, tc.ok)
		}
	}
}

func TestResolveBackend(t *testing.T) {
	for _, b := range []string{BackendIPTables, BackendNFTables} {
		if got, err := ResolveBackend(b); got != b || err != nil {
			t.Errorf("ResolveBackend(%q) = %q, %v, want %q, nil", b, got, err, b)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if got, err := ResolveBackend(""); got != BackendNFTables || err != nil {
		t.Errorf("ResolveBackend(\"\") without iptables = %q, %v, want nftables", got, err)
	}
	if _, err := ResolveBackend("ebtables"); err == nil || !strings.Contains(err.Error(), `"ebtables"`) {
		t.Errorf("ResolveBackend(\"ebtables\") error = %v, want one naming it", err)
	}
}
