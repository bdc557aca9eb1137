#!/usr/bin/env bash
# Turn the root filesystem tar made by build.sh into the OCI image WalT servers boot, with the WalT
# labels, and push it.
#   images/pc-x86-64-default/publish.sh ROOTFS.tar DEST-REF [podman options...]
# DEST-REF: docker.io/waltplatform/pc-x86-64-default:latest for the production image (after
# `podman login docker.io`), or e.g. 127.0.0.1:15000/waltplatform/pc-x86-64-default:latest for a
# local registry (pushed without TLS when the host is an IP or localhost).
set -euo pipefail
tar=${1:?usage: publish.sh ROOTFS.tar DEST-REF [podman options...]}
ref=${2:?usage: publish.sh ROOTFS.tar DEST-REF [podman options...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
recipe_hash=$("$here/recipe-hash.sh")
podman "$@" import \
  --change 'LABEL walt.node.models=pc-x86-64' \
  --change 'LABEL walt.server.minversion=5' \
  --change "LABEL walt.image.recipe=pc-x86-64-default walt.image.recipe.hash=$recipe_hash" \
  --change 'CMD ["/bin/bash"]' \
  "$tar" "$ref" >/dev/null
tls=()
case "${ref%%/*}" in localhost*|127.*|[0-9]*.[0-9]*.[0-9]*.[0-9]*) tls=(--tls-verify=false) ;; esac
podman "$@" push "${tls[@]}" "$ref"
echo "published $ref (recipe $recipe_hash)"
