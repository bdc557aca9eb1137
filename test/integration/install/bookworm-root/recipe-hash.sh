#!/usr/bin/env sh
# The hash of this recipe (every file of this folder, names and contents): a built image is reused
# while it does not change (CI cache key, label walt.image.recipe.hash).
cd "$(dirname "$0")" && find . -type f -o -type l | LC_ALL=C sort | while read -r f; do
  printf '%s\n' "$f"; if [ -L "$f" ]; then readlink "$f"; else cat "$f"; fi
done | sha256sum | cut -c1-16
