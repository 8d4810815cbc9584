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
	# pkg/ipmasq and bridge's ipMasq: both masquerading backends, and the
	# tools the tests read rules back with.
	[iptables]=iptables
	[nft]=nftables
	# the DHCP server the dhcp IPAM plugin's specs talk to; dnsmasq-base is
	# the binary alone, without the package that starts a system DNS service
	[dnsmasq]=dnsmasq-base
)

# Packages checked by name: the VM test runner (scripts/vm-test.sh) boots
# a QEMU guest (software emulation) with a static busybox as its userland,
# and runs depmod over the Debian kernel it downloads. A `busybox` command
# alone is not enough: the dynamic one cannot run in the guest.
vm_pkgs=(qemu-system-x86 busybox-static kmod)

# The podman suite (integration/podman) runs Debian's podman 4.3 with its
# CNI backend: runc (crun fails on some cgroup setups) and conmon. Debian's
# containers-common depends on containernetworking-plugins, so upstream's
# binaries land in /usr/lib/cni; the suite never uses them: its private
# containers.conf names our bin/ as the only plugin directory.
podman_pkgs=(podman runc conmon)

missing=()
for cmd in "${!want[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}")
done
for pkg in "${vm_pkgs[@]}"; do
	# shellcheck disable=SC2016 # ${Status} is dpkg-query's field, not ours
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
done
for pkg in "${podman_pkgs[@]}"; do
	# shellcheck disable=SC2016 # ${Status} is dpkg-query's field, not ours
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	echo "note: add /usr/local/go/bin to PATH" >&2
fi

# cnitool (the CNI project's reference client) drives the plugins in the
# integration suite and the ECMP demo. Installed once into the project-local
# .cache/bin (git-ignored), or $CNITOOL_BIN when set; skipped when present.
CNITOOL_VERSION=v1.3.1
CNITOOL_BIN=${CNITOOL_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/bin}
if [ ! -x "$CNITOOL_BIN/cnitool" ]; then
	if command -v go >/dev/null 2>&1; then
		echo "installing cnitool ${CNITOOL_VERSION} into ${CNITOOL_BIN}"
		mkdir -p "$CNITOOL_BIN"
		GOBIN="$CNITOOL_BIN" CGO_ENABLED=0 go install "github.com/containernetworking/cni/cnitool@${CNITOOL_VERSION}"
	else
		echo "note: go not found; cnitool not installed (the cnitool specs will skip)" >&2
	fi
fi

# firewall plugin: its firewalld backend specs start a real firewalld on a
# private D-Bus bus inside a throwaway network namespace. Debian's firewalld
# package is not installed (its service would take over the machine's own
# ruleset): its files are extracted into .cache/firewalld, and only the
# libraries it runs on (python3-firewall, python3-nftables) and dbus-daemon
# are installed. Skipped when already there.
FIREWALLD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/firewalld
fw_missing=()
for pkg in python3-firewall python3-nftables dbus-daemon; do
	# shellcheck disable=SC2016 # ${Status} is dpkg-query's field, not ours
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || fw_missing+=("$pkg")
done
if [ ${#fw_missing[@]} -gt 0 ]; then
	echo "installing: ${fw_missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${fw_missing[@]}"
fi
if [ ! -x "$FIREWALLD_ROOT/usr/sbin/firewalld" ]; then
	echo "extracting Debian's firewalld into ${FIREWALLD_ROOT}"
	fw_tmp=$(mktemp -d)
	# Without package lists (a fresh image) the download needs an update.
	(cd "$fw_tmp" && { apt-get download -qq firewalld 2>/dev/null ||
		{ $SUDO apt-get update -qq && apt-get download -qq firewalld; }; })
	mkdir -p "$FIREWALLD_ROOT"
	dpkg -x "$fw_tmp"/firewalld_*.deb "$FIREWALLD_ROOT"
	rm -rf "$fw_tmp"
fi
