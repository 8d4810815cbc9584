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

// Package netconf is the one way plugins load their configuration: the
// network config on stdin, its prevResult converted to the current result
// type, CNI_ARGS, and the conventional args and runtimeConfig keys. Each
// plugin declares its own config struct for its own fields and validates it.
//
// Errors are *types.Error values with the code the CNI spec assigns:
// undecodable input is code 6, invalid configuration code 7, an unsupported
// field code 2.
package netconf

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
)

// Common is the part of every network config that the spec defines, with
// the prevResult already converted to the current result type.
type Common struct {
	types.PluginConf

	// PrevResult is the converted prevResult, nil when there is none. It
	// shadows PluginConf.PrevResult.
	PrevResult *current.Result `json:"-"`

	// Args holds the conventional "args" key.
	Args *Args `json:"args,omitempty"`
}

// Args is the conventional "args" object of a network config.
type Args struct {
	CNI *ArgsCNI `json:"cni,omitempty"`
}

// ArgsCNI is "args.cni": per-attachment requests from the runtime.
type ArgsCNI struct {
	IPs []string `json:"ips,omitempty"`
	MAC string   `json:"mac,omitempty"`
}

// Invalid returns a code 7 (invalid network config) error.
func Invalid(format string, a ...any) *types.Error {
	return types.NewError(types.ErrInvalidNetworkConfig, fmt.Sprintf(format, a...), "")
}

// Undecodable returns a code 6 (decoding failure) error.
func Undecodable(format string, a ...any) *types.Error {
	return types.NewError(types.ErrDecodingFailure, fmt.Sprintf(format, a...), "")
}

// Unsupported returns a code 2 (unsupported field) error naming key.
func Unsupported(key, why string) *types.Error {
	return types.NewError(types.ErrUnsupportedField, fmt.Sprintf("unsupported field %q: %s", key, why), "")
}

// Load decodes stdin into conf, a pointer to the plugin's own config struct,
// and returns the common part with the prevResult converted to the current
// result type. conf may be nil when the plugin needs only the common part.
//
// A plugin's struct should not embed types.PluginConf just to get the common
// fields: its pointer MarshalJSON would be promoted and replace the plugin's
// own encoding.
func Load(stdin []byte, conf any) (*Common, error) {
	c := &Common{}
	if err := json.Unmarshal(stdin, c); err != nil {
		return nil, Undecodable("decode network config: %v", err)
	}
	if conf != nil {
		if err := json.Unmarshal(stdin, conf); err != nil {
			return nil, Undecodable("decode network config: %v", err)
		}
	}
	if c.CNIVersion == "" {
		// The spec lets a missing version mean 0.1.0; libcni sends one.
		c.CNIVersion = "0.1.0"
	}
	if _, _, _, err := version.ParseVersion(c.CNIVersion); err != nil {
		return nil, Invalid("invalid cniVersion %q: %v", c.CNIVersion, err)
	}
	if c.RawPrevResult != nil {
		res, err := prevResult(&c.PluginConf)
		if err != nil {
			return nil, err
		}
		c.PrevResult = res
	}
	return c, nil
}

// prevResult decodes conf's prevResult and converts it to the current
// result type.
//
// Every list element of a result may be null in its JSON. The library
// keeps such an element as a nil pointer, and its conversions between
// versions dereference it: a runtime's malformed prevResult must be
// refused, not crash the plugin, so a panic in them is turned into a code
// 6 error. Results of the current type need no conversion and keep their
// nil elements, which the code reading them skips.
func prevResult(conf *types.PluginConf) (res *current.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, Undecodable("decode prevResult: malformed result (a null where an object is required?): %v", r)
		}
	}()
	if err := version.ParsePrevResult(conf); err != nil {
		return nil, Undecodable("decode prevResult: %v", err)
	}
	// The library's conversion of a 0.3.x or 0.4.0 result dereferences
	// every element of its lists. A current result is handed on as
	// decoded: its users check the elements they use (NullElement).
	if _, isCurrent := conf.PrevResult.(*current.Result); !isCurrent {
		if err := NullElement(conf.PrevResult, "prevResult"); err != nil {
			return nil, Invalid("%v", err)
		}
	}
	res, err = current.NewResultFromResult(conf.PrevResult)
	if err != nil {
		return nil, Undecodable("convert prevResult to version %s: %v", current.ImplementedSpecVersion, err)
	}
	return res, nil
}

// CNIArgsIPs returns the IPs of args.cni.ips, or nil.
func (c *Common) CNIArgsIPs() []string {
	if c.Args == nil || c.Args.CNI == nil {
		return nil
	}
	return c.Args.CNI.IPs
}

// LoadArgs parses CNI_ARGS ("K1=V1;K2=V2") into into, a pointer to a struct
// that embeds types.CommonArgs and has one encoding.TextUnmarshaler field per
// accepted key (types.UnmarshallableString and friends). Unknown keys are an
// error naming them unless IgnoreUnknown=1 (or true) is among the args, as
// the CNI_ARGS convention requires.
func LoadArgs(cniArgs string, into any) error {
	if strings.TrimSpace(cniArgs) == "" {
		return nil
	}
	if err := types.LoadArgs(cniArgs, into); err != nil {
		return Invalid("invalid CNI_ARGS %q: %v", cniArgs, err)
	}
	return nil
}
