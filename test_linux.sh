#!/usr/bin/env bash
# Build the plugins, then run every package's tests with the race detector
# as root: the kernel tests create network namespaces, links and routes.
# Then the VM suite runs the kernel tests again on Debian's stock kernel in a
# QEMU guest (scripts/vm-test.sh; Documentation/testing.md).
#
#   ./test_linux.sh                 everything
#   PKGS="./pkg/ipam/..." ./test_linux.sh
#   GOTEST_ARGS="-run Planner" ./test_linux.sh
#   SKIP_VM_TESTS=1 ./test_linux.sh  host suite only (ignored when CI=true)
#   VM_TEST_ARGS="-focus ipvlan" VM_PKGS=./plugins/main/ipvlan ./test_linux.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

. scripts/lib/root.sh
as_root "test_linux.sh: the tests need root (network namespaces); run as root" "$@"

./build_linux.sh

# Formatting and vet first: cheap, and what a reviewer checks before anything.
echo "checking gofmt and go vet"
unformatted=$(git ls-files -z '*.go' | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
	printf 'gofmt would change:\n%s\n' "$unformatted" >&2
	exit 1
fi
go vet ./...

VM_PKGS=${VM_PKGS:-${PKGS:-}}
PKGS=${PKGS:-./...}
echo "running go test -race on ${PKGS}"
host_rc=0
# shellcheck disable=SC2086
go test -race -count=1 -timeout 20m ${GOTEST_ARGS:-} ${PKGS} || host_rc=$?

# The VM suite: the kernel tests again, in a QEMU guest booting Debian's
# stock kernel, where ipvlan, dummy, 802.1Q vlan and vrf exist (this host's
# kernel may lack them and then those specs skip). It runs even when the host
# suite failed, so one run shows both. SKIP_VM_TESTS=1 skips it for quick
# local loops, never in CI. VM_PKGS (default: $PKGS when set, else every
# package whose tests import pkg/testutils) and VM_TEST_ARGS (runner flags,
# e.g. "-focus ipvlan -timeout 30m") select what runs there.
if [ "${CI:-}" = true ] && [ -n "${SKIP_VM_TESTS:-}" ]; then
	echo "CI=true: ignoring SKIP_VM_TESTS=${SKIP_VM_TESTS}; the VM suite always runs in CI"
fi
vm_rc=0
if [ "${SKIP_VM_TESTS:-}" = 1 ] && [ "${CI:-}" != true ]; then
	echo "SKIP_VM_TESTS=1: skipping the VM suite (kernel tests on Debian's stock kernel)"
else
	vm_start=$(date +%s)
	echo "running the VM suite: scripts/vm-test.sh ${VM_TEST_ARGS:-} ${VM_PKGS}"
	# shellcheck disable=SC2086
	./scripts/vm-test.sh ${VM_TEST_ARGS:-} ${VM_PKGS} || vm_rc=$?
	echo "VM suite wall time: $(($(date +%s) - vm_start))s (exit status ${vm_rc})"
fi

if [ "$host_rc" != 0 ] || [ "$vm_rc" != 0 ]; then
	echo "test_linux.sh: host suite exit status ${host_rc}, VM suite exit status ${vm_rc}" >&2
	exit 1
fi
