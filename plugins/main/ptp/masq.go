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
	"net"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/ipmasq"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// masqNets returns the container's addresses with their prefixes: traffic
// from each address to anything outside its prefix is masqueraded.
func masqNets(res *current.Result) []*net.IPNet {
	var out []*net.IPNet
	for _, ipc := range res.IPs {
		if ipc != nil {
			out = append(out, &net.IPNet{IP: ipc.Address.IP, Mask: ipc.Address.Mask})
		}
	}
	return out
}

// setupMasq masquerades the container's addresses when ipMasq is set.
func setupMasq(conf *NetConf, common *netconf.Common, args *skel.CmdArgs, res *current.Result) error {
	if !conf.IPMasq {
		return nil
	}
	return ipmasq.Setup(conf.IPMasqBackend, masqNets(res), common.Name, args.IfName, args.ContainerID)
}

// checkMasq checks the masquerade rules of the attachment when ipMasq is set.
func checkMasq(conf *NetConf, common *netconf.Common, args *skel.CmdArgs, res *current.Result) error {
	if !conf.IPMasq {
		return nil
	}
	return ipmasq.Check(conf.IPMasqBackend, masqNets(res), common.Name, args.IfName, args.ContainerID)
}

// teardownMasq removes the masquerade rules of the attachment, from both
// backends; the rules are found by name, so no address is needed.
func teardownMasq(conf delConf, args *skel.CmdArgs) error {
	if !conf.IPMasq {
		return nil
	}
	return ipmasq.Teardown(nil, conf.Name, args.IfName, args.ContainerID)
}

// gcMasq removes the masquerade rules of the network's attachments that
// are not among the valid ones.
func gcMasq(common *netconf.Common) error {
	return ipmasq.GC(common.Name, common.ValidAttachments)
}
