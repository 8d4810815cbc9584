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

package testutils

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

// KernelFeatureMissing starts the message of a spec skipped because the
// kernel lacks a feature. The VM runner fails a run whose guest prints it:
// the guest kernel is where every feature must exist.
const KernelFeatureMissing = "kernel feature missing:"

// KernelFeatures lists the features ProbeKernelFeature knows.
var KernelFeatures = []string{"ipvlan", "macvlan", "dummy", "vlan", "vrf", "multipath"}

// FeatureMissingError reports that the kernel refused to provide a feature.
type FeatureMissingError struct {
	Feature string
	Err     error // the kernel's answer
}

func (e *FeatureMissingError) Error() string {
	return fmt.Sprintf("%s %s: %v", KernelFeatureMissing, e.Feature, e.Err)
}

// Unwrap returns the kernel's error.
func (e *FeatureMissingError) Unwrap() error { return e.Err }

var (
	probeMu    sync.Mutex
	probeCache = map[string]error{}
)

// ProbeKernelFeature tells whether the kernel provides feature (one of
// KernelFeatures) by creating it in a throwaway namespace: a link of that
// type, or for "multipath" an IPv4 multipath route. It returns nil when the
// feature works, a *FeatureMissingError carrying the kernel's error when
// the kernel refuses it, and another error when the probe itself could not
// run (unknown feature, no privileges to create a namespace). Results are
// cached per process.
func ProbeKernelFeature(feature string) error {
	probeMu.Lock()
	defer probeMu.Unlock()
	if err, ok := probeCache[feature]; ok {
		return err
	}
	err := probe(feature)
	var missing *FeatureMissingError
	if err == nil || errors.As(err, &missing) {
		probeCache[feature] = err
	}
	return err
}

func probe(feature string) (err error) {
	known := false
	for _, f := range KernelFeatures {
		known = known || f == feature
	}
	if !known {
		return fmt.Errorf("probe kernel feature %q: unknown feature, want one of %v", feature, KernelFeatures)
	}
	n, err := NewNS()
	if err != nil {
		return fmt.Errorf("probe kernel feature %s: %w", feature, err)
	}
	defer func() {
		if uerr := UnmountNS(n); uerr != nil && err == nil {
			err = fmt.Errorf("probe kernel feature %s: %w", feature, uerr)
		}
	}()
	return n.Do(func(ns.NetNS) error {
		h, err := netlinksafe.NewHandle()
		if err != nil {
			return fmt.Errorf("probe kernel feature %s: %w", feature, err)
		}
		defer h.Close()
		missing := func(err error) error { return &FeatureMissingError{Feature: feature, Err: err} }

		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "probe0"}, PeerName: "probe1"}
		if err := h.LinkAdd(veth); err != nil {
			if feature == "multipath" || feature == "ipvlan" || feature == "macvlan" || feature == "vlan" {
				return missing(fmt.Errorf("add veth parent: %w", err))
			}
			return fmt.Errorf("probe kernel feature %s: add veth: %w", feature, err)
		}
		parent, err := h.LinkByName("probe0")
		if err != nil {
			return fmt.Errorf("probe kernel feature %s: %w", feature, err)
		}
		attrs := func(name string) netlink.LinkAttrs {
			return netlink.LinkAttrs{Name: name, ParentIndex: parent.Attrs().Index}
		}
		var link netlink.Link
		switch feature {
		case "ipvlan":
			link = &netlink.IPVlan{LinkAttrs: attrs("probe2"), Mode: netlink.IPVLAN_MODE_L2}
		case "macvlan":
			link = &netlink.Macvlan{LinkAttrs: attrs("probe2"), Mode: netlink.MACVLAN_MODE_BRIDGE}
		case "vlan":
			link = &netlink.Vlan{LinkAttrs: attrs("probe2"), VlanId: 10}
		case "dummy":
			link = &netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: "probe2"}}
		case "vrf":
			link = &netlink.Vrf{LinkAttrs: netlink.LinkAttrs{Name: "probe2"}, Table: 100}
		case "multipath":
			return probeMultipath(h, missing)
		}
		if err := h.LinkAdd(link); err != nil {
			return missing(fmt.Errorf("add %s link: %w", feature, err))
		}
		return nil
	})
}

// probeMultipath adds 203.0.113.0/24 with two nexthops on the probe veth.
func probeMultipath(h *netlinksafe.Handle, missing func(error) error) error {
	var idx []int
	for _, name := range []string{"probe0", "probe1"} {
		l, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("probe kernel feature multipath: %w", err)
		}
		if err := h.LinkSetUp(l); err != nil {
			return fmt.Errorf("probe kernel feature multipath: set %s up: %w", name, err)
		}
		idx = append(idx, l.Attrs().Index)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(192, 0, 2, 1), Mask: net.CIDRMask(24, 32)}}
	if err := h.AddrAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Index: idx[0]}}, addr); err != nil {
		return fmt.Errorf("probe kernel feature multipath: add address: %w", err)
	}
	route := &netlink.Route{
		Dst: &net.IPNet{IP: net.IPv4(203, 0, 113, 0), Mask: net.CIDRMask(24, 32)},
		MultiPath: []*netlink.NexthopInfo{
			{LinkIndex: idx[0], Gw: net.IPv4(192, 0, 2, 2)},
			{LinkIndex: idx[0], Gw: net.IPv4(192, 0, 2, 3)},
		},
	}
	if err := h.RouteAdd(route); err != nil {
		return missing(fmt.Errorf("add IPv4 multipath route: %w", err))
	}
	return nil
}
