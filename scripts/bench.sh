#!/usr/bin/env bash
# Benchmark the plugins as a runtime sees them (see Documentation/performance.md).
#
#   ./scripts/bench.sh              full run, ~30 runs per row (several minutes)
#   ./scripts/bench.sh -quick       IPv4 only, up to 1,000 routes
#   ./scripts/bench.sh -runs 50
#
# Needs root (network namespaces); uses sudo when not root and available.
# Not part of the test run: figures depend on the machine.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

. scripts/lib/root.sh
as_root "bench.sh: needs root (network namespaces)" "$@"

# GNU time reads the peak memory of one ADD (tools/bench says why).
if [ ! -x /usr/bin/time ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time
fi

./build_linux.sh >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bench" ./tools/bench
"$tmp/bench" -bin bin "$@"
