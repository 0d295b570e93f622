#!/usr/bin/env bash
# Installs the Go-built tools the deploy tests use into the cache outside the clone, only when
# missing or changed, and prints shell assignments on stdout:
#
#   eval "$(scripts/install-go-tools.sh)"
#   # LOOKOUT_HELM, LOOKOUT_KUBECONFORM, LOOKOUT_COMPOSE_CONFIG, LOOKOUT_DOCKERFILE_CHECK,
#   # LOOKOUT_KUBERNETES_OPENAPI, LOOKOUT_KUBERNETES_VERSION
#
# - helm and kubeconform: pinned releases built with `go install`.
# - compose-config (deploy/elk/compose-config) and dockerfile-check (deploy/docker/
#   dockerfile-check): the project's own small programs over the libraries docker itself uses
#   (compose-spec's loader; BuildKit's Dockerfile parser and build checks). The docker compose
#   CLI cannot be built with `go install` (its go.mod has replace/exclude directives).
# - The Kubernetes API's OpenAPI document (a file of the k8s.io/kubernetes Go module), from
#   which the tests generate kubeconform's schemas (kubeconform would download them otherwise).
#
# HELM_VERSION, KUBECONFORM_VERSION and KUBERNETES_VERSION override the pins; LOOKOUT_CACHE the
# cache (default $HOME/.cache/lookout). A first build on a 2-core machine takes several minutes
# (helm ~7, the rest ~1 each, module downloads included); afterwards nothing is rebuilt.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v4.3.1}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.36.3}"
CACHE_ROOT="${LOOKOUT_CACHE:-$HOME/.cache/lookout}"
BIN_DIR="$CACHE_ROOT/bin"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[go-tools] %s\n' "$*" >&2; }

command -v go >/dev/null || { log "error: Go is needed to build helm, kubeconform and the deploy checks"; exit 1; }
mkdir -p "$BIN_DIR"

# The module version a Go binary was built from (`go version -m` reads it from the binary).
installed_version() {
  local binary="$1" module="$2"
  [[ -x "$binary" ]] || return 1
  go version -m "$binary" 2>/dev/null | awk -v module="$module" '$1 == "mod" && $2 == module { print $3 }'
}

# install NAME MODULE PACKAGE VERSION: builds PACKAGE@VERSION and caches it as $BIN_DIR/NAME.
install() {
  local name="$1" module="$2" package="$3" version="$4"
  local target="$BIN_DIR/$name"
  if [[ "$(installed_version "$target" "$module" || true)" == "$version" ]]; then
    log "$name $version: cached"
    return 0
  fi
  local staging
  staging="$(mktemp -d "$BIN_DIR/.$name-build.XXXXXX")"
  log "building $name $version with $(go version | awk '{ print $3 }') (minutes on a cold cache) ..."
  local started=$SECONDS
  if ! GOBIN="$staging" go install "$package@$version" >&2; then
    rm -rf "$staging"
    log "error: go install $package@$version failed"
    return 1
  fi
  mv -f "$staging/$(basename "$package")" "$target"
  rm -rf "$staging"
  log "built $name $version in $((SECONDS - started))s"
}

# build_local NAME DIR: builds the Go program in $ROOT/DIR as $BIN_DIR/NAME when its sources changed.
build_local() {
  local name="$1" directory="$ROOT/$2"
  local target="$BIN_DIR/$name" stamp="$BIN_DIR/$name.sources"
  local sources
  sources="$(cat "$directory"/go.mod "$directory"/go.sum "$directory"/*.go | sha256sum | cut -d' ' -f1)"
  if [[ -x "$target" && -f "$stamp" && "$(cat "$stamp")" == "$sources" ]]; then
    log "$name: cached"
    return 0
  fi
  log "building $name from $2 ..."
  local started=$SECONDS
  (cd "$directory" && go build -trimpath -o "$target.new" .) >&2
  mv -f "$target.new" "$target"
  echo "$sources" >"$stamp"
  log "built $name in $((SECONDS - started))s"
}

install helm helm.sh/helm/v4 helm.sh/helm/v4/cmd/helm "$HELM_VERSION"
install kubeconform github.com/yannh/kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
build_local compose-config deploy/elk/compose-config
build_local dockerfile-check deploy/docker/dockerfile-check

# The Kubernetes API's OpenAPI v2 document, from the module cache (downloaded once, ~20 MB).
kubernetes_dir="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | awk -F'"' '$2 == "Dir" { print $4 }')"
openapi="$kubernetes_dir/api/openapi-spec/swagger.json"
[[ -f "$openapi" ]] || { log "error: no $openapi in k8s.io/kubernetes@$KUBERNETES_VERSION"; exit 1; }
log "kubernetes OpenAPI $KUBERNETES_VERSION: $openapi"

printf 'export LOOKOUT_HELM=%q\n' "$BIN_DIR/helm"
printf 'export LOOKOUT_KUBECONFORM=%q\n' "$BIN_DIR/kubeconform"
printf 'export LOOKOUT_COMPOSE_CONFIG=%q\n' "$BIN_DIR/compose-config"
printf 'export LOOKOUT_DOCKERFILE_CHECK=%q\n' "$BIN_DIR/dockerfile-check"
printf 'export LOOKOUT_KUBERNETES_OPENAPI=%q\n' "$openapi"
printf 'export LOOKOUT_KUBERNETES_VERSION=%q\n' "${KUBERNETES_VERSION#v}"
