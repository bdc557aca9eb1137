#!/usr/bin/env bash
# The real pc-x86-64 node image for the boot tests: built once per machine from
# images/pc-x86-64-default (cache outside the checkout, keyed by the recipe's hash), then pushed to
# the local test registry as waltplatform/pc-x86-64-default:latest. Needs the images section of
# start-daemons.sh (/tmp/walt-ci-env). Exports WALT_TEST_NODE_IMAGE (the registry reference).
set -euo pipefail
cd "$(dirname "$0")/.."
# KEY=VALUE lines whose values may hold spaces (not shell syntax)
while IFS='=' read -r key value; do [ -n "$key" ] && export "$key=$value"; done < /tmp/walt-ci-env
recipe=images/pc-x86-64-default
hash=$($recipe/recipe-hash.sh)
cache=${WALT_NODE_IMAGE_CACHE:-/var/cache/walt-ci/node-images}
tar=$cache/pc-x86-64-default-$hash.tar
mkdir -p "$cache"
if [ ! -s "$tar" ]; then
  echo "node image: building $recipe (recipe $hash), a few minutes"
  $recipe/build.sh "$tar.part" >"$cache/build-$hash.log" 2>&1 || { tail -20 "$cache/build-$hash.log"; exit 1; }
  mv "$tar.part" "$tar"
  # older builds of the recipe are of no use any more
  find "$cache" -name 'pc-x86-64-default-*.tar' ! -name "$(basename "$tar")" -delete
fi
ref=$WALT_TEST_REGISTRY/waltplatform/pc-x86-64-default:latest
# Already in the registry with this recipe hash? (the label is in the image config)
# shellcheck disable=SC2086
if ! podman $WALT_TEST_PODMAN_ARGS image inspect --format '{{index .Labels "walt.image.recipe.hash"}}' "$ref" 2>/dev/null | grep -qx "$hash" \
   || ! curl -sf "http://$WALT_TEST_REGISTRY/v2/waltplatform/pc-x86-64-default/tags/list" | grep -q latest; then
  # shellcheck disable=SC2086
  $recipe/publish.sh "$tar" "$ref" $WALT_TEST_PODMAN_ARGS >/dev/null
fi
grep -q '^WALT_TEST_NODE_IMAGE=' /tmp/walt-ci-env || echo "WALT_TEST_NODE_IMAGE=$ref" >> /tmp/walt-ci-env
echo "node image: $ref (recipe $hash)"
