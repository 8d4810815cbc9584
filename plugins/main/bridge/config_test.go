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
	"testing"

	"github.com/containernetworking/cni/pkg/types"
)

func TestParseConf(t *testing.T) {
	const head = `{"cniVersion":"1.0.0","name":"mynet","type":"bridge"`
	for _, tc := range []struct {
		name, in, args string
		wantCode       uint // 0: valid
		check          func(*NetConf) bool
	}{
		{"defaults", head + `}`, "", 0, func(c *NetConf) bool {
			return c.BrName == "cni0" && !bool(c.IsGW) && c.preserveDefaultVlan() && !c.vlanFiltering()
		}},
		{"isDefaultGateway implies isGateway", head + `,"isDefaultGateway":true}`, "", 0, func(c *NetConf) bool { return bool(c.IsGW) }},
		{"string booleans of upstream's docs", head + `,"disableContainerInterface":"true","portIsolation":"true","ipMasq":"false"}`, "", 0,
			func(c *NetConf) bool {
				return bool(c.DisableContainerInterface) && bool(c.PortIsolation) && !bool(c.IPMasq)
			}},
		{"bad boolean", head + `,"hairpinMode":"yes"}`, "", 6, nil},
		{"negative mtu", head + `,"mtu":-1}`, "", 7, nil},
		{"hairpin and promisc", head + `,"hairpinMode":true,"promiscMode":true}`, "", 7, nil},
		{"unknown backend", head + `,"ipMasqBackend":"ebtables"}`, "", 7, nil},
		{"vlan too big", head + `,"vlan":4095}`, "", 7, nil},
		{"vlan with gateway", head + `,"vlan":10,"isGateway":true}`, "", 2, nil},
		{"trunk", head + `,"vlanTrunk":[{"id":5},null,{"minID":10,"maxID":12}]}`, "", 0, func(c *NetConf) bool {
			return len(c.vlans) == 2 && c.vlans[1] == (vlanRange{10, 12}) && c.vlanFiltering()
		}},
		{"trunk id zero", head + `,"vlanTrunk":[{"id":0}]}`, "", 7, nil},
		{"trunk id and range", head + `,"vlanTrunk":[{"id":3,"minID":1,"maxID":4}]}`, "", 7, nil},
		{"trunk half range", head + `,"vlanTrunk":[{"minID":1}]}`, "", 7, nil},
		{"trunk reversed", head + `,"vlanTrunk":[{"minID":9,"maxID":4}]}`, "", 7, nil},
		{"preserveDefaultVlan false", head + `,"vlan":3,"preserveDefaultVlan":false}`, "", 0, func(c *NetConf) bool { return !c.preserveDefaultVlan() }},
		{"disabled interface with ipam", head + `,"disableContainerInterface":true,"ipam":{"type":"host-local"}}`, "", 7, nil},
		{"mac precedence", head + `,"args":{"cni":{"mac":"02:00:00:00:00:02"}},"runtimeConfig":{"mac":"02:00:00:00:00:03"}}`,
			"IgnoreUnknown=1;MAC=02:00:00:00:00:01", 0, func(c *NetConf) bool { return c.mac.String() == "02:00:00:00:00:03" }},
		{"CNI_ARGS mac", head + `}`, "MAC=02:00:00:00:00:01", 0, func(c *NetConf) bool { return c.mac.String() == "02:00:00:00:00:01" }},
		{"bad mac", head + `,"runtimeConfig":{"mac":"nope"}}`, "", 7, nil},
		{"multicast mac", head + `,"runtimeConfig":{"mac":"01:00:5e:00:00:01"}}`, "", 7, nil},
	} {
		conf, _, err := parseConf([]byte(tc.in), tc.args)
		var code uint
		if err != nil {
			code = 999
			var e *types.Error
			if errors.As(err, &e) {
				code = e.Code
			}
		}
		if code != tc.wantCode {
			t.Errorf("%s: parseConf(%s) error = %v (code %d), want code %d", tc.name, tc.in, err, code, tc.wantCode)
			continue
		}
		if err == nil && tc.check != nil && !tc.check(conf) {
			t.Errorf("%s: parseConf(%s) = %+v, fails its check", tc.name, tc.in, conf)
		}
	}
}

func TestParseDelConfIsLenient(t *testing.T) {
	for _, in := range []string{
		`{"cniVersion":"1.0.0","name":"n","type":"bridge","ipMasq":true,"mtu":-5,"ipMasqBackend":"x","vlan":99999}`,
		`{"cniVersion":"1.0.0","name":"n","type":"bridge","ipMasq":"yes","macspoofchk":7}`,
	} {
		if _, _, err := parseDelConf([]byte(in)); err != nil {
			t.Errorf("parseDelConf(%s) = %v, want no error", in, err)
		}
	}
	dc, _, err := parseDelConf([]byte(`{"cniVersion":"1.0.0","name":"n","type":"bridge","ipMasq":"true","macspoofchk":true}`))
	if err != nil || !bool(dc.IPMasq) || !bool(dc.MacSpoofChk) {
		t.Errorf("parseDelConf = %+v, %v, want ipMasq and macspoofchk", dc, err)
	}
}
