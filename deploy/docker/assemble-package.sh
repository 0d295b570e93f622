#!/bin/sh
# Assembles the production files of one workspace package and its workspace dependencies in
# workspace layout, for an image's last stage:
#
#   assemble-package.sh @lookout/slo-engine /out     # run from the workspace root
#
# A filtered production install (`pnpm install --prod --filter-prod "PACKAGE..."`, offline from
# the store that `pnpm fetch` filled), then node_modules and each selected package's
# package.json, src/ (without tests) and node_modules/ copied to OUT, symlinks kept.
#
# Why not `pnpm deploy`: it copies workspace packages into node_modules, and Node refuses to
# strip types from .ts files under node_modules (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING);
# the slo-engine and the workspace packages run from their TypeScript sources.
# PNPM names the pnpm command (default `pnpm`).
set -eu

package="$1"
out="$2"
pnpm="${PNPM:-pnpm}"

$pnpm install --offline --frozen-lockfile --prod --filter-prod "$package..."
mkdir -p "$out"
cp -a node_modules "$out/"
for dir in $($pnpm list --filter-prod "$package..." --depth -1 --parseable); do
  relative="${dir#"$PWD"/}"
  mkdir -p "$out/$relative"
  cp -a "$dir/package.json" "$out/$relative/"
  if [ -d "$dir/src" ]; then cp -a "$dir/src" "$out/$relative/"; fi
  if [ -d "$dir/node_modules" ]; then cp -a "$dir/node_modules" "$out/$relative/"; fi
  find "$out/$relative" -path "$out/$relative/node_modules" -prune -o -name '*.test.ts' -type f -exec rm -f {} +
done
