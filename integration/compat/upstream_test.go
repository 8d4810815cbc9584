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

import "github.com/containernetworking/plugins/pkg/testutils/upstream"

// UpstreamRelease is the release the suite compares with.
const UpstreamRelease = upstream.Release

// upstreamPlugins are the plugins the cases use; both sides need them
// (pkg/testutils/upstream builds upstream's).
var upstreamPlugins = []string{
	"static", "host-local", "macvlan", "ipvlan", "loopback", "ptp", "tuning",
	"bridge", "portmap", "firewall", "tap", "host-device", "sbr", "bandwidth",
}
