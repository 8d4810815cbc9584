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

if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -E env "PATH=$PATH" "$0" "$@"
	fi
	echo "bench.sh: needs root (network namespaces)" >&2
	exit 1
fi

./build_linux.sh >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bench" ./tools/bench
"$tmp/bench" -bin bin "$@"
