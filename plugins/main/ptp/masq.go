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
	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// setupMasq masquerades the container's addresses when ipMasq is set.
func setupMasq(conf *NetConf, _ *netconf.Common, _ *skel.CmdArgs, _ *current.Result) error {
	if conf.IPMasq {
		// TODO(issue 16): masquerading comes with pkg/ipmasq (branch bridge).
		return netconf.Unsupported("ipMasq", "masquerading is not available in this build yet")
	}
	return nil
}

// checkMasq checks the masquerade rules of the attachment when ipMasq is set.
func checkMasq(conf *NetConf, common *netconf.Common, args *skel.CmdArgs, res *current.Result) error {
	return setupMasq(conf, common, args, res)
}

// teardownMasq removes the masquerade rules of the attachment.
func teardownMasq(delConf, *skel.CmdArgs) error { return nil }

// gcMasq removes the masquerade rules of attachments that are gone.
func gcMasq(*netconf.Common) error { return nil }
