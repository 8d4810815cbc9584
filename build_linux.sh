#!/usr/bin/env bash
# Build every plugin under plugins/ into bin/ (or $BINDIR).
#
# Release-style by default: static (CGO_ENABLED=0), trimmed paths, no symbol
# tables. The version reported in each binary's about string comes from
# `git describe`, or from $VERSION when set.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

BINDIR=${BINDIR:-$PWD/bin}
VERSION=${VERSION:-$(git describe --tags --dirty --always 2>/dev/null || echo unknown)}
export CGO_ENABLED=${CGO_ENABLED:-0}
export GOFLAGS="${GOFLAGS:-} -trimpath"

ldflags="-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=${VERSION}"

mkdir -p "$BINDIR"
echo "building plugins ${VERSION} into ${BINDIR}"
mapfile -t pkgs < <(go list -f '{{if eq .Name "main"}}{{.Dir}}{{end}}' ./plugins/...)
for dir in "${pkgs[@]}"; do
	name=$(basename "$dir")
	echo "  $name"
	go build -ldflags "$ldflags" -o "$BINDIR/$name" "./${dir#"$PWD"/}"
done
