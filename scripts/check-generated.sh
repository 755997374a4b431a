#!/usr/bin/env bash
# gen/ must be exactly what `buf generate` writes from proto/ (it is committed, never edited).
# Generates into a temporary folder and compares with the working tree, so a proto change that
# was regenerated but not yet committed passes, and one that was not regenerated fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node_modules/.bin/buf generate -o "$tmp"
if ! diff -r "$tmp/gen" gen >/dev/null; then
  diff -r "$tmp/gen" gen | head -20 >&2 || true
  echo "check-generated: gen/ differs from what 'buf generate' writes from proto/: run npm run generate" >&2
  exit 1
fi
