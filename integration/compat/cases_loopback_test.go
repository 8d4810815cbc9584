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

package compat_test

func loopbackCases() []Case {
	var cs []Case
	cs = append(cs, perVersion(Case{Name: "loopback/plain", Plugins: []string{`{"type":"loopback"}`}})...)
	cs = append(cs, perVersion(Case{
		Name:    "loopback/cri-args",
		Plugins: []string{`{"type":"loopback"}`},
		CNIArgs: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=ctr-1",
		IfName:  "lo",
	}, "0.3.1", "1.0.0")...)
	cs = append(cs, one(Case{
		Name:    "loopback/unknown-key",
		Plugins: []string{`{"type":"loopback","foo":"bar","args":{"cni":{"x":1}}}`},
	}, "1.0.0"))
	return cs
}
