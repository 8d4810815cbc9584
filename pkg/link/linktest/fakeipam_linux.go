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

package linktest

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// FakeIPAM writes, in a temporary directory of the spec, an IPAM plugin
// named "fake" whose ADD prints output and exits 0, and which appends
// every verb it is called with to a log. It returns the directory, to put
// first in the plugin's CNI_PATH, and a function that returns the log
// ("ADD\nDEL\n" for an ADD that was rolled back).
func FakeIPAM(output string) (dir string, log func() string) {
	GinkgoHelper()
	dir = GinkgoT().TempDir()
	script := "#!/bin/sh\ncat >/dev/null\necho \"$CNI_COMMAND\" >> \"$(dirname \"$0\")/log\"\n" +
		"[ \"$CNI_COMMAND\" = ADD ] && cat <<'EOF'\n" + output + "\nEOF\nexit 0\n"
	Expect(os.WriteFile(filepath.Join(dir, "fake"), []byte(script), 0o755)).To(Succeed())
	return dir, func() string {
		GinkgoHelper()
		b, err := os.ReadFile(filepath.Join(dir, "log"))
		Expect(err).NotTo(HaveOccurred())
		return string(b)
	}
}
