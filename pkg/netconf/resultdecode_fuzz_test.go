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

package netconf_test

import (
	"reflect"
	"testing"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// FuzzDecodeResult checks that whatever DecodeResult accepts, the library
// decodes to the same value.
func FuzzDecodeResult(f *testing.F) {
	for _, s := range []string{
		`{"cniVersion":"1.1.0"}`,
		`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:42:c0:00:02:0a","mtu":1500,"sandbox":"/var/run/netns/a","socketPath":"/s","pciID":"0000:00:1f.6"}]}`,
		`{"cniVersion":"1.1.0","ips":[{"interface":0,"address":"192.0.2.10/24","gateway":"192.0.2.1"},{"address":"2001:db8::10/64","gateway":""}]}`,
		`{"cniVersion":"1.1.0","routes":[{"dst":"0.0.0.0/0","gw":"192.0.2.1","mtu":1400,"advmss":1360,"priority":10,"table":100,"scope":253}]}`,
		`{"cniVersion":"1.1.0","dns":{"nameservers":["192.0.2.53"],"domain":"example.com","search":["example.com"],"options":["ndots:2"]}}`,
		`{"cniVersion":"1.1.0","routes":[{"dst":"::ffff:192.0.2.0/120","gw":"::ffff:192.0.2.1"}]}`,
		`{"cniVersion":"0.4.0","ips":[{"version":"4","address":"192.0.2.10/24"}]}`,
	} {
		f.Add([]byte(s))
	}
	printed, _, err := libraryBytes(full)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(printed)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := netconf.DecodeResult(data)
		if !ok {
			if got != nil {
				t.Fatalf("DecodeResult declined but returned %+v", got)
			}
			return
		}
		want, err := libraryDecode(data)
		if err != nil {
			t.Fatalf("DecodeResult accepted %q, which the library refuses: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeResult(%q) = %+v, the library %+v", data, got, want)
		}
	})
}
