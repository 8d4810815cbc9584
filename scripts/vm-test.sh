#!/usr/bin/env bash
# Run the kernel tests in a throwaway QEMU guest that boots Debian's current
# stock kernel, which has the link types this host's kernel may lack
# (ipvlan, dummy, 802.1Q vlan, vrf). The work is done by tools/vmtest; see
# Documentation/testing.md.
#
#   scripts/vm-test.sh                                 every package whose tests import pkg/testutils
#   scripts/vm-test.sh ./plugins/main/ipvlan ./pkg/ip  just these packages
#   scripts/vm-test.sh -focus 'l3s' -run TestIpvlan ./plugins/main/ipvlan
#   scripts/vm-test.sh -timeout 30m                    host-side limit for the guest (default 20m)
#   scripts/vm-test.sh -list                           print the selected packages
#   scripts/vm-test.sh -h                              every flag
#
# Missing host packages (qemu-system-x86, busybox-static, kmod) are installed
# through scripts/install-test-deps.sh. Needs no root itself (apt-get update
# goes through sudo when not root); the tests run as root inside the guest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"

# Built rather than `go run` so the runner's exit status reaches the caller
# unchanged and without go's "exit status N" line.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/vmtest" ./tools/vmtest
"$tmp/vmtest" "$@"
