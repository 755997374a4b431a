#!/usr/bin/env bash
# `buf breaking` of the working tree's proto/ against main's previous proto/, with the rules in
# buf.yaml (WIRE_JSON: a renumbered, retyped or renamed-in-JSON field fails). The previous proto/
# is read from git into a temporary folder, which works in any clone layout (buf's own
# '.git#branch=main' input needs a local branch of that name).
#   On a branch: compared with where it left main (the merge-base).
#   On main itself, as in CI's clone of main: compared with the commit before HEAD (or HEAD
#   itself in a clone that has no earlier commit, which still catches uncommitted changes).
#   PROTO_BREAKING_AGAINST=<rev> compares with that revision instead.
# When that revision has no proto/ there is nothing to compare, and it says so.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=node_modules/.bin/buf

rev="${PROTO_BREAKING_AGAINST:-}"
if [ -z "$rev" ]; then
  head=$(git rev-parse HEAD)
  for ref in main origin/main; do
    if git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
      rev=$(git merge-base HEAD "$ref" 2>/dev/null || true)
      break
    fi
  done
  if [ -z "$rev" ] || [ "$rev" = "$head" ]; then
    rev=$(git rev-parse -q --verify "HEAD~1^{commit}" || echo "$head")
  fi
fi
short=$(git rev-parse --short "$rev")
if [ -z "$(git ls-tree -d "$rev" proto)" ]; then
  echo "proto breaking check: NOT RUN: $short has no proto/ to compare with"
  exit 0
fi

previous=$(mktemp -d)
trap 'rm -rf "$previous"' EXIT
git archive "$rev" proto | tar -x -C "$previous"
# The module layout (proto/ as the root) must match; the rules come from the current buf.yaml.
cp buf.yaml "$previous/buf.yaml"
"$buf" breaking . --against "$previous"
echo "proto breaking check: proto/ is wire- and JSON-compatible with $short"
