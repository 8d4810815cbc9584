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

package ipaddr_test

import (
	"bytes"
	"net"
	"testing"

	"github.com/containernetworking/plugins/pkg/ipaddr"
)

func TestFillMask(t *testing.T) {
	for _, bits := range []int{32, 128} {
		for ones := 0; ones <= bits; ones++ {
			got := bytes.Repeat([]byte{0x5a}, bits/8) // dirty memory must be overwritten
			ipaddr.FillMask(got, ones)
			if want := net.CIDRMask(ones, bits); !bytes.Equal(got, want) {
				t.Errorf("FillMask(%d bytes, %d) = %x, want %x", bits/8, ones, got, want)
			}
		}
	}
}
