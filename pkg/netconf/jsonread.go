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
	"unicode/utf8"
)

// reader reads the plain JSON that plugins print, for the fast paths of
// this package. It accepts only a strict subset of JSON, one whose meaning
// encoding/json agrees with by construction:
//
//   - strings without escapes or control characters, valid UTF-8;
//   - integers without fraction or exponent, of at most 15 digits, so
//     that a float64 holds them exactly;
//   - no null.
//
// Anything else — including invalid JSON — makes a method return false,
// and the caller hands the whole input to encoding/json, which decides
// what it means or which error it is. The reader never decides that input
// is invalid; it only declines. Callers also decline on member names that
// are not exactly the ones they know (encoding/json matches names without
// regard to case) and on a name given twice.
type reader struct {
	data []byte
	pos  int
	// memberStart is where the name of the member object last passed to
	// its callback starts (its opening quote).
	memberStart int
}

// ws skips JSON whitespace.
func (r *reader) ws() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, 0 at the end.
func (r *reader) peek() byte {
	r.ws()
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

// end reports whether only whitespace is left.
func (r *reader) end() bool {
	r.ws()
	return r.pos == len(r.data)
}

// text reads a string and returns its bytes, which alias the input.
func (r *reader) text() ([]byte, bool) {
	start, end, ok := r.span()
	if !ok {
		return nil, false
	}
	return r.data[start:end], true
}

// span reads a string and returns where its text starts and ends in the
// input.
func (r *reader) span() (start, end int, ok bool) {
	if r.peek() != '"' {
		return 0, 0, false
	}
	start = r.pos + 1
	ascii := true
	for i := start; i < len(r.data); i++ {
		switch c := r.data[i]; {
		case c == '"':
			if !ascii && !utf8.Valid(r.data[start:i]) {
				return 0, 0, false
			}
			r.pos = i + 1
			return start, i, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, 0, false
}

// string reads a string.
func (r *reader) string() (string, bool) {
	b, ok := r.text()
	return string(b), ok
}

// int reads an integer of at most 15 digits.
func (r *reader) int() (int, bool) {
	r.ws()
	i := r.pos
	neg := i < len(r.data) && r.data[i] == '-'
	if neg {
		i++
	}
	start := i
	n := 0
	for i < len(r.data) && r.data[i] >= '0' && r.data[i] <= '9' {
		n = n*10 + int(r.data[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 15 || (digits > 1 && r.data[start] == '0') {
		return 0, false
	}
	if i < len(r.data) {
		switch r.data[i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	r.pos = i
	if neg {
		n = -n
	}
	return n, true
}

// object reads an object, calling member for each name with the reader
// at the member's value; member must read the value and report success.
func (r *reader) object(member func(name []byte) bool) bool {
	if r.peek() != '{' {
		return false
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		return true
	}
	for {
		r.ws()
		start := r.pos
		name, ok := r.text()
		if !ok || r.peek() != ':' {
			return false
		}
		r.pos++
		r.memberStart = start
		if !member(name) {
			return false
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling elem with the reader at each element;
// elem must read it and report success.
func (r *reader) array(elem func() bool) bool {
	if r.peek() != '[' {
		return false
	}
	r.pos++
	if r.peek() == ']' {
		r.pos++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return true
		default:
			return false
		}
	}
}

// strings reads an array of strings; an empty array gives an empty,
// non-nil slice, as encoding/json does.
func (r *reader) strings() ([]string, bool) {
	list := []string{}
	ok := r.array(func() bool {
		s, ok := r.string()
		list = append(list, s)
		return ok
	})
	return list, ok
}

// members tracks the member names of one object that a caller knows, to
// decline on a name that is known only case-insensitively or given twice.
type members struct {
	names []string
	seen  uint64
}

// index returns the index of name in m.names. ok is false when the caller
// must decline: name appeared before, or matches a known name only when
// case is ignored. An unknown name gives -1 and true.
func (m *members) index(name []byte) (int, bool) {
	for i, n := range m.names {
		if string(name) == n {
			if m.seen&(1<<i) != 0 {
				return i, false
			}
			m.seen |= 1 << i
			return i, true
		}
	}
	for _, n := range m.names {
		if bytes.EqualFold(name, []byte(n)) {
			return -1, false
		}
	}
	return -1, true
}
