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

package netconf

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// Load reads the network config once, with the strict reader of
// DecodeResult, when the config is written plainly: it decodes the common
// part itself and hands to encoding/json, for the plugin's own struct,
// only the top-level members that struct can hold. A link plugin's config
// carries the IPAM plugin's section, which for 1,000 routes is most of its
// bytes and which the link plugin never reads; encoding/json went through
// all of it four times (a validating scan and a decode, for the common
// part and for the plugin's struct).

// commonNames are the members of the config that Common holds.
var commonNames = []string{
	"cniVersion", "name", "type", "capabilities", "ipam", "dns", "prevResult", "args", "cni.dev/valid-attachments",
}

// member is one top-level member of the config: from the opening quote of
// its name to the end of its value.
type member struct {
	name       []byte
	start, end int
}

// loadFast decodes the common part of stdin and returns the document conf
// is to be decoded from: stdin itself, or an object of only the members
// conf can hold. It reports false when stdin is not written plainly (see
// reader) or when a member does not decode on its own; then everything is
// decoded by encoding/json, which gives the same values or the error.
func loadFast(stdin []byte, conf any) (*Common, []byte, bool) {
	c := &Common{}
	r := reader{data: stdin}
	m := members{names: commonNames}
	var all []member
	ok := r.object(func(name []byte) bool {
		start, valueStart := r.memberStart, r.pos
		i, ok := m.index(name)
		if !ok {
			return false
		}
		switch i {
		case 0:
			c.CNIVersion, ok = r.string()
		case 1:
			c.Name, ok = r.string()
		case 2:
			c.Type, ok = r.string()
		case 4:
			ok = readIPAMType(&r, &c.IPAM.Type)
		default:
			ok = r.skip(0) && decodeCommon(c, i, stdin[valueStart:r.pos])
		}
		all = append(all, member{name: name, start: start, end: r.pos})
		return ok
	})
	if !ok || !r.end() {
		return nil, nil, false
	}
	if conf == nil {
		return c, nil, true
	}
	return c, confDocument(stdin, conf, all), true
}

// decodeCommon decodes value, the member commonNames[i] of the config,
// into c, as encoding/json would in the whole config: the member appears
// once, so decoding it alone into the still empty field is the same. An
// unknown member (i -1) needs nothing.
func decodeCommon(c *Common, i int, value []byte) bool {
	var into any
	switch i {
	case -1:
		return true
	case 3:
		into = &c.Capabilities
	case 5:
		into = &c.DNS
	case 6:
		into = &c.RawPrevResult
	case 7:
		into = &c.Args
	case 8:
		into = &c.ValidAttachments
	default:
		return false
	}
	return json.Unmarshal(value, into) == nil
}

// readIPAMType reads the "ipam" object for its "type" alone, skipping the
// rest: the IPAM plugin's own configuration.
func readIPAMType(r *reader, typ *string) bool {
	m := members{names: []string{"type"}}
	return r.object(func(name []byte) bool {
		i, ok := m.index(name)
		switch {
		case !ok:
			return false
		case i == 0:
			*typ, ok = r.string()
			return ok
		}
		return r.skip(0)
	})
}

// confDocument returns the document to decode conf from: an object of the
// members of all that conf can hold, in their order — encoding/json
// ignores the rest — or stdin when those are most of it anyway, or when
// conf's members cannot be known.
func confDocument(stdin []byte, conf any, all []member) []byte {
	names, ok := memberNames(reflect.TypeOf(conf))
	if !ok {
		return stdin
	}
	var keep []member
	size := 2
	for _, o := range all {
		for _, n := range names {
			if bytes.EqualFold(o.name, []byte(n)) {
				keep = append(keep, o)
				size += o.end - o.start + 1
				break
			}
		}
	}
	if size > len(stdin)/2 {
		return stdin
	}
	doc := make([]byte, 0, size)
	doc = append(doc, '{')
	for i, o := range keep {
		if i > 0 {
			doc = append(doc, ',')
		}
		doc = append(doc, stdin[o.start:o.end]...)
	}
	return append(doc, '}')
}

// memberNamesCache maps a config type to its member names.
var memberNamesCache sync.Map

type memberNamesEntry struct {
	names []string
	ok    bool
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// memberNames returns the names of the top-level members encoding/json can
// store in *t — a superset: every field's tag name and field name, through
// embedded structs — or false when that cannot be known: t is not a
// pointer to a struct, or decodes itself.
func memberNames(t reflect.Type) ([]string, bool) {
	if e, ok := memberNamesCache.Load(t); ok {
		e := e.(memberNamesEntry)
		return e.names, e.ok
	}
	var names []string
	ok := t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct &&
		!t.Implements(unmarshalerType) && !t.Implements(textUnmarshalerType) &&
		fieldNames(t.Elem(), &names, 0)
	memberNamesCache.Store(t, memberNamesEntry{names: names, ok: ok})
	return names, ok
}

// fieldNames adds the names of the fields of struct type t to names,
// descending into embedded structs as encoding/json does.
func fieldNames(t reflect.Type, names *[]string, depth int) bool {
	if depth > 16 {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if !fieldNames(ft, names, depth+1) {
					return false
				}
				continue
			}
		}
		*names = append(*names, f.Name)
		if name != "" {
			*names = append(*names, name)
		}
	}
	return true
}
