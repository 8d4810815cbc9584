#!/usr/bin/env bash
# Run golangci-lint with .golangci.yml, installing the pinned version into
# .cache/bin when missing (a several-minute build on first use, so CI does
# not run it; test_linux.sh runs gofmt and go vet).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

GOLANGCI_LINT_VERSION=v2.15.0
bin=$PWD/.cache/bin
if [ ! -x "$bin/golangci-lint" ] || ! "$bin/golangci-lint" version 2>/dev/null | grep -q "${GOLANGCI_LINT_VERSION#v}"; then
	echo "installing golangci-lint ${GOLANGCI_LINT_VERSION} into ${bin}"
	mkdir -p "$bin"
	GOBIN="$bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}"
fi
"$bin/golangci-lint" run ./...
