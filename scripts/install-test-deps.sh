#!/usr/bin/env bash
# Install what the test suites need on a Debian 12 machine. Idempotent: a
# package already present is not installed again, and apt is only asked when
# something is missing. Runs as root, or through sudo when available.
set -euo pipefail

SUDO=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-test-deps.sh: not root and no sudo; install packages by hand" >&2
		exit 1
	fi
fi

# command -> Debian package
declare -A want=(
	[ip]=iproute2
	[gcc]=gcc
)

missing=()
for cmd in "${!want[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	echo "note: add /usr/local/go/bin to PATH" >&2
fi
