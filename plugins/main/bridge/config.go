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
	"bytes"
	"encoding/json"
	"fmt"
	"net"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/containernetworking/plugins/pkg/ipmasq"
	"github.com/containernetworking/plugins/pkg/link"
	"github.com/containernetworking/plugins/pkg/netconf"
)

// defaultBridge is the bridge used when the config names none.
const defaultBridge = "cni0"

// maxVlanID is the highest usable 802.1Q VLAN ID (4095 is reserved).
const maxVlanID = 4094

// NetConf holds the plugin's own config fields; the common ones (cniVersion,
// name, type, ipam, dns, prevResult, args) come from netconf.Load.
type NetConf struct {
	// BrName is the bridge to use or create, "cni0" when empty.
	BrName string `json:"bridge,omitempty"`
	// IsGW gives the bridge the gateway address of each subnet.
	IsGW flexBool `json:"isGateway,omitempty"`
	// IsDefaultGW implies IsGW and routes the container's default traffic
	// through the bridge: one multipath default route per family when
	// there are several gateways.
	IsDefaultGW flexBool `json:"isDefaultGateway,omitempty"`
	// ForceAddress replaces a bridge address of the same subnet that
	// differs from the gateway, instead of failing.
	ForceAddress flexBool `json:"forceAddress,omitempty"`
	// IPMasq masquerades the container's traffic leaving its subnets.
	IPMasq flexBool `json:"ipMasq,omitempty"`
	// IPMasqBackend is "iptables", "nftables" or empty (see ipmasq).
	IPMasqBackend string `json:"ipMasqBackend,omitempty"`
	// MTU of the veth pair and of a bridge this plugin creates; 0 keeps
	// the kernel's.
	MTU int `json:"mtu,omitempty"`
	// HairpinMode lets frames leave the port they came in on.
	HairpinMode flexBool `json:"hairpinMode,omitempty"`
	// PromiscMode sets the bridge promiscuous.
	PromiscMode flexBool `json:"promiscMode,omitempty"`
	// Vlan is the port's untagged VLAN (its PVID); 0 means none.
	Vlan int `json:"vlan,omitempty"`
	// VlanTrunk lists the tagged VLANs of the port.
	VlanTrunk []*VlanTrunk `json:"vlanTrunk,omitempty"`
	// PreserveDefaultVlan keeps VLAN 1 on the port when Vlan or VlanTrunk
	// is set; true when absent.
	PreserveDefaultVlan *flexBool `json:"preserveDefaultVlan,omitempty"`
	// MacSpoofChk drops frames from the container whose source MAC is not
	// the container interface's.
	MacSpoofChk flexBool `json:"macspoofchk,omitempty"`
	// EnableDad keeps IPv6 duplicate address detection on the container
	// interface; off by default, as upstream.
	EnableDad flexBool `json:"enabledad,omitempty"`
	// DisableContainerInterface leaves the container interface down; it
	// excludes IPAM.
	DisableContainerInterface flexBool `json:"disableContainerInterface,omitempty"`
	// PortIsolation isolates the port from the other isolated ports.
	PortIsolation flexBool `json:"portIsolation,omitempty"`

	RuntimeConfig struct {
		// Mac is the runtime's "mac" capability.
		Mac string `json:"mac,omitempty"`
	} `json:"runtimeConfig,omitempty"`

	mac   net.HardwareAddr
	vlans []vlanRange // the trunk, validated
}

// VlanTrunk is one entry of vlanTrunk: an id, or a minID..maxID range.
type VlanTrunk struct {
	ID    *int `json:"id,omitempty"`
	MinID *int `json:"minID,omitempty"`
	MaxID *int `json:"maxID,omitempty"`
}

// vlanRange is an inclusive range of VLAN IDs.
type vlanRange struct{ min, max int }

// flexBool is a JSON boolean that also accepts the strings "true" and
// "false": upstream's documentation writes disableContainerInterface and
// portIsolation that way, and its examples must work unchanged.
type flexBool bool

// UnmarshalJSON accepts true, false, "true", "false" and null.
func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(bytes.TrimSpace(data)) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`, "null":
		*b = false
	default:
		return fmt.Errorf("invalid boolean %s: want true or false", data)
	}
	return nil
}

// envArgs are the CNI_ARGS keys the plugin reads.
type envArgs struct {
	types.CommonArgs
	MAC types.UnmarshallableString `json:"mac,omitempty"`
}

// parseConf decodes and validates a config for ADD and CHECK; cniArgs is
// CNI_ARGS.
func parseConf(stdin []byte, cniArgs string) (*NetConf, *netconf.Common, error) {
	conf := &NetConf{}
	common, err := netconf.Load(stdin, conf)
	if err != nil {
		return nil, nil, err
	}
	var env envArgs
	if err := netconf.LoadArgs(cniArgs, &env); err != nil {
		return nil, nil, err
	}
	if err := conf.validate(common, string(env.MAC)); err != nil {
		return nil, nil, err
	}
	return conf, common, nil
}

// validate checks the fields, fills the defaults and resolves the MAC and
// the trunk.
func (c *NetConf) validate(common *netconf.Common, envMAC string) error {
	if c.BrName == "" {
		c.BrName = defaultBridge
	}
	if c.IsDefaultGW {
		c.IsGW = true
	}
	if c.MTU < 0 {
		return netconf.Invalid("invalid mtu %d: must not be negative", c.MTU)
	}
	if c.HairpinMode && c.PromiscMode {
		return netconf.Invalid("hairpinMode and promiscMode cannot both be set")
	}
	if c.IPMasqBackend != "" {
		if _, err := ipmasq.ResolveBackend(c.IPMasqBackend); err != nil {
			return netconf.Invalid("%v", err)
		}
	}
	if c.Vlan < 0 || c.Vlan > maxVlanID {
		return netconf.Invalid("invalid vlan %d: want 0 (none) to %d", c.Vlan, maxVlanID)
	}
	vlans, err := trunkRanges(c.VlanTrunk)
	if err != nil {
		return err
	}
	c.vlans = vlans
	if c.Vlan != 0 && c.IsGW {
		return netconf.Unsupported("vlan", "a gateway address on a VLAN of the bridge is not implemented; use isGateway without vlan, or vlan without isGateway")
	}
	if c.DisableContainerInterface && common.IPAM.Type != "" {
		return netconf.Invalid("disableContainerInterface excludes ipam (the interface stays down): remove ipam.type %q", common.IPAM.Type)
	}
	for _, src := range []struct{ mac, from string }{
		{envMAC, "CNI_ARGS MAC"},
		{argsMAC(common), "args.cni.mac"},
		{c.RuntimeConfig.Mac, "runtimeConfig mac"},
	} {
		mac, err := link.ParseMAC(src.mac, src.from)
		if err != nil {
			return err
		}
		if mac != nil {
			c.mac = mac
		}
	}
	return nil
}

// preserveDefaultVlan is the preserveDefaultVlan field with its default.
func (c *NetConf) preserveDefaultVlan() bool {
	return c.PreserveDefaultVlan == nil || bool(*c.PreserveDefaultVlan)
}

// vlanFiltering reports whether the port needs a VLAN-filtering bridge.
func (c *NetConf) vlanFiltering() bool { return c.Vlan != 0 || len(c.vlans) > 0 }

func argsMAC(common *netconf.Common) string {
	if common.Args == nil || common.Args.CNI == nil {
		return ""
	}
	return common.Args.CNI.MAC
}

// trunkRanges validates vlanTrunk: each entry is an id or a minID..maxID
// range of valid IDs. A null entry is skipped.
func trunkRanges(trunk []*VlanTrunk) ([]vlanRange, error) {
	var out []vlanRange
	valid := func(field string, i, v int) error {
		if v < 1 || v > maxVlanID {
			return netconf.Invalid("invalid vlanTrunk[%d].%s %d: want 1 to %d", i, field, v, maxVlanID)
		}
		return nil
	}
	for i, t := range trunk {
		if t == nil {
			continue
		}
		switch {
		case t.ID != nil && (t.MinID != nil || t.MaxID != nil):
			return nil, netconf.Invalid("invalid vlanTrunk[%d]: id excludes minID and maxID", i)
		case t.ID != nil:
			if err := valid("id", i, *t.ID); err != nil {
				return nil, err
			}
			out = append(out, vlanRange{*t.ID, *t.ID})
		case t.MinID != nil && t.MaxID != nil:
			if err := valid("minID", i, *t.MinID); err != nil {
				return nil, err
			}
			if err := valid("maxID", i, *t.MaxID); err != nil {
				return nil, err
			}
			if *t.MinID > *t.MaxID {
				return nil, netconf.Invalid("invalid vlanTrunk[%d]: minID %d is above maxID %d", i, *t.MinID, *t.MaxID)
			}
			out = append(out, vlanRange{*t.MinID, *t.MaxID})
		default:
			return nil, netconf.Invalid("invalid vlanTrunk[%d]: want id, or both minID and maxID", i)
		}
	}
	return out, nil
}

// delConf is what DEL reads of the config: only what teardown needs, so
// that a config ADD would refuse is still torn down.
type delConf struct {
	IPMasq      flexBool `json:"ipMasq,omitempty"`
	MacSpoofChk flexBool `json:"macspoofchk,omitempty"`
}

// parseDelConf decodes the config for DEL. Fields of the wrong type are
// ignored: DEL must not fail on them (a runtime retries a failing DEL
// forever).
func parseDelConf(stdin []byte) (*delConf, *netconf.Common, error) {
	common, err := netconf.Load(stdin, nil)
	if err != nil {
		return nil, nil, err
	}
	conf := &delConf{}
	var raw map[string]json.RawMessage
	if json.Unmarshal(stdin, &raw) == nil {
		_ = json.Unmarshal(raw["ipMasq"], &conf.IPMasq)
		_ = json.Unmarshal(raw["macspoofchk"], &conf.MacSpoofChk)
	}
	return conf, common, nil
}

// gcConf is the part of a GC config the plugin reads itself.
type gcConf struct {
	// ValidAttachments is nil when the key is absent: then nothing is
	// known to be stale.
	ValidAttachments *[]types.GCAttachment `json:"cni.dev/valid-attachments,omitempty"`
}
