# Sourced (not run) by the scripts that need root for network namespaces.
#
#   . scripts/lib/root.sh
#   as_root "name.sh: needs root (network namespaces)" "$@"
#
# as_root MESSAGE ARGS...: when not root, runs the calling script ($0) again
# with ARGS under sudo, keeping the environment and PATH; without sudo it
# prints MESSAGE to stderr and exits 1. As root it returns at once.
as_root() {
	local msg=$1
	shift
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			exec sudo -E env "PATH=$PATH" "$0" "$@"
		fi
		echo "$msg" >&2
		exit 1
	fi
}
