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
	"testing"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// FuzzAppendResult checks that AppendResult prints every result, built
// from the fuzzer's bytes, as the library does (compacted), and fails
// exactly when the library fails.
func FuzzAppendResult(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte("\x01\x02\x02\x03\x01\x05\x07\x03\x02\x01\x00\xff\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := gen{c: &byteChoices{data: data}}.result()
		_, want, libErr := libraryBytes(r)
		got, err := netconf.AppendResult(nil, r)
		if (err != nil) != (libErr != nil) {
			t.Fatalf("AppendResult error %v, library error %v", err, libErr)
		}
		if err == nil && string(got) != string(want) {
			t.Fatalf("AppendResult printed\n%s\nthe library\n%s", got, want)
		}
	})
}
