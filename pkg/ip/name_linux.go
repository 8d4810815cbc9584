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

package ip

import (
	"fmt"
	"math/rand/v2"
)

// maxIfNameLen is IFNAMSIZ-1: the kernel stores interface names in 16 bytes
// including the terminating NUL.
const maxIfNameLen = 15

// randomSuffixLen is the number of hex characters RandomName appends.
const randomSuffixLen = 8

// RandomName returns prefix followed by 8 random hex characters, e.g.
// "veth1a2b3c4d". The result fits an interface name (15 bytes), so the
// prefix may be at most 7 bytes long.
func RandomName(prefix string) (string, error) {
	if len(prefix)+randomSuffixLen > maxIfNameLen {
		return "", fmt.Errorf("make random name: prefix %q longer than %d bytes", prefix, maxIfNameLen-randomSuffixLen)
	}
	// A name needs to be unlikely to be taken, not unpredictable: the
	// runtime's generator (seeded from the kernel at start) serves.
	return fmt.Sprintf("%s%08x", prefix, rand.Uint32()), nil
}

// RandomVethName returns a random host-side veth name, "veth" followed by 8
// hex characters.
func RandomVethName() (string, error) {
	return RandomName("veth")
}
