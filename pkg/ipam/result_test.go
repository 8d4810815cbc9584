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

package ipam

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/version"
)

// routesResult returns a 1.1.0 result as static prints it, with n routes.
func routesResult(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"cniVersion":"1.1.0","ips":[{"address":"192.0.2.10/24","gateway":"192.0.2.1"}],"routes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"dst":"198.18.%d.%d/32","gw":"192.0.2.1"}`, i/256, i%256)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func TestDecodeResult(t *testing.T) {
	conf := []byte(`{"cniVersion":"1.1.0","name":"n","type":"x"}`)
	tests := []struct {
		name, out string
		wantErr   string // "" for success
	}{
		{name: "plain", out: string(routesResult(3))},
		{name: "indented", out: "{\n    \"cniVersion\": \"1.0.0\",\n    \"routes\": [\n        {\n            \"dst\": \"0.0.0.0/0\"\n        }\n    ]\n}"},
		{name: "escaped, for the library", out: `{"cniVersion":"1.1.0","interfaces":[{"name":"eth\u0030"}]}`},
		{name: "0.4.0", out: `{"cniVersion":"0.4.0","ips":[{"version":"4","address":"192.0.2.10/24"}]}`},
		{name: "bad CIDR", out: `{"cniVersion":"1.1.0","routes":[{"dst":"198.51.100.300/24"}]}`,
			wantErr: "decode result of IPAM plugin p: invalid CIDR address: 198.51.100.300/24"},
		{name: "bad gateway", out: `{"cniVersion":"1.1.0","routes":[{"dst":"0.0.0.0/0","gw":"banana"}]}`,
			wantErr: "decode result of IPAM plugin p: invalid IP address: banana"},
		{name: "unknown version", out: `{"cniVersion":"9.9.9"}`,
			wantErr: "decode result of IPAM plugin p: unsupported CNI result version \"9.9.9\""},
		{name: "not JSON", out: `garbage`, wantErr: "decode result of IPAM plugin p: invalid character"},
	}
	for _, tt := range tests {
		got, err := decodeResult("p", []byte(tt.out), conf)
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%s: decodeResult error %v, want one starting %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: decodeResult error %v", tt.name, err)
			continue
		}
		want, err := version.NewResult(got.Version(), []byte(tt.out))
		if err != nil {
			t.Fatalf("%s: the library fails: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decodeResult = %+v, the library %+v", tt.name, got, want)
		}
	}
}

// BenchmarkDecodeResult decodes the result of an IPAM plugin's ADD with 1
// and 1,000 routes: "library" is version.NewResult, as decodeResult did
// for every result before it had a fast path.
func BenchmarkDecodeResult(b *testing.B) {
	conf := []byte(`{"cniVersion":"1.1.0","name":"n","type":"x"}`)
	for _, n := range []int{1, 1000} {
		out := routesResult(n)
		b.Run(fmt.Sprintf("routes=%d/library", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := version.NewResult("1.1.0", out); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("routes=%d/decodeResult", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeResult("p", out, conf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
