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
	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// decodeCurrent decodes the result an IPAM plugin printed when it is of the
// current type in the form plugins print, without the cni library's
// per-route decoding (netconf.DecodeResult). false means the library must
// decode it.
func decodeCurrent(out []byte) (types.Result, bool) {
	res, ok := netconf.DecodeResult(out)
	if !ok {
		return nil, false
	}
	return res, true
}
