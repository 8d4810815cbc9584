#!/usr/bin/env bash
# ECMP in a few seconds: attach a macvlan interface with a dual-stack static
# config listing two gateways per destination, through cnitool, and watch
# the traffic split between two routers.
#
#   sudo ./scripts/ecmp-demo.sh
#
# Everything lives in throwaway network namespaces named ecmp-demo-<pid>-*:
#
#   container --net1 (macvlan)--> master0 [host ns] --- br0 [switch ns] --- seg0 [router-a]
#                                                                      \--- seg0 [router-b]
#
# Each router owns a gateway address (198.51.100.1 / 2001:db8:1::1 and .2 /
# ::2) and accepts every address of 203.0.113.0/24, 192.0.2.0/24,
# 2001:db8:2::/64 and 2001:db8:3::/64 as local, so a datagram sent to any of
# them is counted by the router the container's route chose (the kernel's
# per-namespace UDP "NoPorts" counter: nothing listens). cnitool's result
# cache goes to a temporary directory, never /var/lib/cni. Everything is
# removed on exit, Ctrl-C included. Needs root, iproute2 and Go.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

. scripts/lib/root.sh
as_root "ecmp-demo.sh: needs root (network namespaces); run as root" "$@"
for cmd in ip go unshare mount; do
	command -v "$cmd" >/dev/null 2>&1 || { echo "ecmp-demo.sh: $cmd not found" >&2; exit 1; }
done

FLOWS=${FLOWS:-64}
prefix="ecmp-demo-$$"
sw="$prefix-switch" host="$prefix-host" cont="$prefix-container"
routers=("$prefix-router-a" "$prefix-router-b")
tmp=$(mktemp -d /tmp/ecmp-demo.XXXXXX)
made=()

cleanup() {
	trap - EXIT INT TERM
	if [ -n "${attached:-}" ]; then
		cnitool del ecmp-demo "/run/netns/$cont" >/dev/null 2>&1 || true
	fi
	for n in "${made[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n== %s\n' "$*"; }

step "building the plugins and cnitool"
BINDIR="$repo/bin" ./build_linux.sh >/dev/null
CNITOOL=${CNITOOL:-}
if [ -z "$CNITOOL" ]; then
	if [ -x "$repo/.cache/bin/cnitool" ]; then
		CNITOOL=$repo/.cache/bin/cnitool
	elif command -v cnitool >/dev/null 2>&1; then
		CNITOOL=$(command -v cnitool)
	else
		echo "installing cnitool into .cache/bin"
		GOBIN="$repo/.cache/bin" CGO_ENABLED=0 go install github.com/containernetworking/cni/cnitool@v1.3.1
		CNITOOL=$repo/.cache/bin/cnitool
	fi
fi
echo "plugins: $repo/bin   cnitool: $CNITOOL"

# cnitool runs in the host namespace (where the master link is), in a mount
# namespace of its own whose /var/lib is $tmp/varlib: cnitool always caches
# its results in /var/lib/cni and has no option to move it.
mkdir -p "$tmp/varlib" "$tmp/net.d"
cnitool() {
	ip netns exec "$host" unshare --mount --propagation private \
		sh -c 'mount --bind "$1" /var/lib && shift && exec "$@"' sh "$tmp/varlib" \
		env NETCONFPATH="$tmp/net.d" CNI_PATH="$repo/bin" CNI_IFNAME=net1 "$CNITOOL" "$@"
}

step "creating namespaces: a switch, a host, two routers, a container"
for n in "$sw" "$host" "$cont" "${routers[@]}"; do
	ip netns add "$n"
	made+=("$n")
	ip -n "$n" link set lo up
done
ip -n "$sw" link add br0 type bridge mcast_snooping 0
ip -n "$sw" link set br0 up
ip -n "$sw" link add host0 type veth peer name master0 netns "$host"
ip -n "$sw" link set host0 master br0 up
ip -n "$host" link set master0 up
for i in 0 1; do
	r=${routers[$i]} gw=$((i + 1))
	ip -n "$sw" link add "port$i" type veth peer name seg0 netns "$r"
	ip -n "$sw" link set "port$i" master br0 up
	ip -n "$r" link set seg0 up
	ip -n "$r" addr add "198.51.100.$gw/24" dev seg0
	ip -n "$r" -6 addr add "2001:db8:1::$gw/64" dev seg0 nodad
	for dst in 203.0.113.0/24 192.0.2.0/24; do
		ip -n "$r" route add local "$dst" dev lo table local
	done
	for dst in 2001:db8:2::/64 2001:db8:3::/64; do
		ip -n "$r" -6 route add local "$dst" dev lo table local
	done
done

cat >"$tmp/net.d/10-ecmp-demo.conflist" <<'EOF'
{
  "cniVersion": "1.1.0",
  "name": "ecmp-demo",
  "plugins": [
    {
      "type": "macvlan",
      "master": "master0",
      "mode": "bridge",
      "ipam": {
        "type": "static",
        "addresses": [
          { "address": "198.51.100.100/24" },
          { "address": "2001:db8:1::100/64" }
        ],
        "routes": [
          { "dst": "0.0.0.0/0",      "gw": "198.51.100.1" },
          { "dst": "0.0.0.0/0",      "gw": "198.51.100.2" },
          { "dst": "203.0.113.0/24", "gw": "198.51.100.1" },
          { "dst": "203.0.113.0/24", "gw": "198.51.100.2" },
          { "dst": "::/0",            "gw": "2001:db8:1::1" },
          { "dst": "::/0",            "gw": "2001:db8:1::2" },
          { "dst": "2001:db8:2::/64", "gw": "2001:db8:1::1" },
          { "dst": "2001:db8:2::/64", "gw": "2001:db8:1::2" }
        ]
      }
    }
  ]
}
EOF
step "the network config (two gateways per destination, one config entry each)"
cat "$tmp/net.d/10-ecmp-demo.conflist"

step "cnitool add ecmp-demo /run/netns/$cont"
cnitool add ecmp-demo "/run/netns/$cont" >"$tmp/result.json"
attached=1
echo "attached net1: $(grep -o '"address": *"[^"]*"' "$tmp/result.json" | cut -d'"' -f4 | tr '\n' ' ')"

step "routes in the container (ip route / ip -6 route)"
ip -n "$cont" route show | grep -v 'proto kernel'
ip -n "$cont" -6 route show | grep -v -e 'proto kernel' -e '^fe80' -e '^multicast'

# noports NS FAMILY: datagrams the router received for a port nobody listens on.
noports() {
	if [ "$2" = 4 ]; then
		ip netns exec "$1" awk '/^Udp: [0-9]/ {print $3}' /proc/net/snmp
	else
		ip netns exec "$1" awk '$1 == "Udp6NoPorts" {print $2}' /proc/net/snmp6
	fi
}

# send FAMILY DST...: one datagram per destination, each on a new socket.
send() {
	ip netns exec "$cont" bash -c 'for d in "$@"; do echo ecmp-demo >"/dev/udp/$d/5555"; done' sh "${@:2}"
}

# count FAMILY LABEL DST...: send and print what each router received.
count() {
	local fam=$1 label=$2 r total want
	shift 2
	local -a before=()
	for r in "${routers[@]}"; do before+=("$(noports "$r" "$fam")"); done
	send "$fam" "$@"
	want=$#
	# Delivery is asynchronous (neighbour discovery first): wait up to ~2 s.
	for _ in $(seq 20); do
		total=0
		for i in 0 1; do total=$((total + $(noports "${routers[$i]}" "$fam") - before[i])); done
		[ "$total" -ge "$want" ] && break
		sleep 0.1
	done
	printf '  %-37s' "$label:"
	for i in 0 1; do
		printf '  %s %3d' "${routers[$i]#"$prefix-"}" $(($(noports "${routers[$i]}" "$fam") - before[i]))
	done
	printf '   (of %d)\n' "$want"
}

step "datagrams per router, $FLOWS flows to distinct destinations each (default L3 hash)"
count 4 "IPv4 to 203.0.113.1-$FLOWS" $(for i in $(seq "$FLOWS"); do echo "203.0.113.$i"; done)
count 4 "IPv4 to 192.0.2.1-$FLOWS (default)" $(for i in $(seq "$FLOWS"); do echo "192.0.2.$i"; done)
count 6 "IPv6 to 2001:db8:2::1-$FLOWS" $(for i in $(seq "$FLOWS"); do printf '2001:db8:2::%x\n' "$i"; done)
count 6 "IPv6 to 2001:db8:3::1-$FLOWS (default)" $(for i in $(seq "$FLOWS"); do printf '2001:db8:3::%x\n' "$i"; done)

step "$FLOWS flows (new source ports) to ONE destination: L3 hash, then L4 hash in the container"
one4=$(for _ in $(seq "$FLOWS"); do echo 203.0.113.7; done)
one6=$(for _ in $(seq "$FLOWS"); do echo 2001:db8:2::7; done)
# shellcheck disable=SC2086
count 4 "IPv4 to 203.0.113.7, L3 hash" $one4
# shellcheck disable=SC2086
count 6 "IPv6 to 2001:db8:2::7, L3 hash" $one6
ip netns exec "$cont" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
# shellcheck disable=SC2086
count 4 "IPv4 to 203.0.113.7, L4 hash" $one4
# shellcheck disable=SC2086
count 6 "IPv6 to 2001:db8:2::7, L4 hash" $one6

step "cnitool check, then del"
cnitool check ecmp-demo "/run/netns/$cont" && echo "check: ok"
cnitool del ecmp-demo "/run/netns/$cont" && echo "del: ok"
attached=
echo
echo "done; namespaces and temporary files are removed on exit"
