#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (MongoDB wire protocol over SQLite) from the Go module proxy into a cache
# folder, once. `go install` alone yields a binary that panics at start: the module ships without
# the generated build/version/version.txt, so we build from a writable copy with that file written.
set -euo pipefail
version=v1.24.2
cache="${SCIM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scim-config-service}"
bin="$cache/bin/ferretdb-$version"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-ferretdb: Go is required to build FerretDB" >&2; exit 1; }
mkdir -p "$cache/bin"
src=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "install-ferretdb: go mod download gave no source folder" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
printf '%s' "$version" > "$work/build/version/version.txt"
(cd "$work" && CGO_ENABLED=0 go build -o "$bin.tmp" ./cmd/ferretdb) >&2
mv "$bin.tmp" "$bin"
echo "$bin"
