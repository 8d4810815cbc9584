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

// Package gomaxprocs, imported for its side effect by the main package of
// every plugin, runs the plugin's Go scheduler with one P (GOMAXPROCS 1).
//
// A plugin is a short process whose Go code runs one step after another.
// With more than one P the scheduler starts and spins a thread whenever a
// goroutine becomes runnable while another runs — the runtime's own
// goroutines at start, the one that reads an IPAM plugin's stdout — and on
// the two-CPU machine of Documentation/performance.md those threads take
// the CPU from the IPAM plugin that starts alongside a link plugin. One P
// made an ADD of macvlan with static about 2 ms faster there.
//
// System calls still overlap: the P of a thread blocked in one goes to
// another thread, so for example a link plugin's DEL still deletes its link
// while its IPAM plugin's DEL runs.
//
// The package imports nothing but runtime, so that it is initialised before
// most of the standard library (a package is initialised once its imports
// are, in order of import path); the Ps the runtime made before that are
// given up then. A GOMAXPROCS in the environment is the runtime's (plugins
// inherit it from the container runtime) and is overridden.
package gomaxprocs

import "runtime"

func init() {
	runtime.GOMAXPROCS(1)
}
