#!/usr/bin/env bash
# Installs the pinned k6 (built from source with `go install`) into the cache outside the clone,
# only when it is missing or of another version, and prints its path on stdout:
#
#   LOOKOUT_K6="$(scripts/install-k6.sh)"
#
# K6_VERSION overrides the pin; LOOKOUT_CACHE the cache (default $HOME/.cache/lookout).
# A first build on a 2-core machine takes about 3 minutes (module downloads + compile); with
# Go's build cache warm it is a few seconds.
set -euo pipefail

K6_VERSION="${K6_VERSION:-v1.8.1}"
CACHE_ROOT="${LOOKOUT_CACHE:-$HOME/.cache/lookout}"
BIN_DIR="$CACHE_ROOT/bin"
K6="$BIN_DIR/k6"

log() { printf '[k6] %s\n' "$*" >&2; }

installed_version() {
  [[ -x "$K6" ]] || return 1
  # `k6 version` prints e.g. "k6 v1.8.1 (go1.26.8, linux/amd64)"
  "$K6" version 2>/dev/null | awk 'NR == 1 { print $2 }'
}

if [[ "$(installed_version || true)" == "$K6_VERSION" ]]; then
  echo "$K6"
  exit 0
fi

command -v go >/dev/null || { log "error: Go is needed to build k6 $K6_VERSION"; exit 1; }
mkdir -p "$BIN_DIR"
staging="$(mktemp -d "$BIN_DIR/.k6-build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
log "building k6 $K6_VERSION with $(go version | awk '{ print $3 }') (a few minutes on a cold cache) ..."
started=$SECONDS
GOBIN="$staging" go install "go.k6.io/k6@$K6_VERSION" >&2
mv -f "$staging/k6" "$K6"
log "built in $((SECONDS - started))s: $("$K6" version | head -n 1)"
echo "$K6"
