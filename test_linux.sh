#!/usr/bin/env bash
# Build the plugins, then run every package's tests with the race detector
# as root: the kernel tests create network namespaces, links and routes.
#
#   ./test_linux.sh                 everything
#   PKGS="./pkg/ipam/..." ./test_linux.sh
#   GOTEST_ARGS="-run Planner" ./test_linux.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -E env "PATH=$PATH" "$0" "$@"
	fi
	echo "test_linux.sh: the tests need root (network namespaces); run as root" >&2
	exit 1
fi

./build_linux.sh

PKGS=${PKGS:-./...}
echo "running go test -race on ${PKGS}"
# shellcheck disable=SC2086
go test -race -count=1 -timeout 20m ${GOTEST_ARGS:-} ${PKGS}
