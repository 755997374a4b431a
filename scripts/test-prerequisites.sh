#!/usr/bin/env bash
# The first step of `npm test`: makes sure everything the suites need is on the machine, so the
# README's test command passes by itself on a fresh machine. What can be installed is installed
# (Debian packages when running as root with apt, the rest into ~/.cache/scim-config-service);
# what cannot stops here at once with the exact command to run. Every step skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "test-prerequisites: $*" >&2; }

missing=()
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
# The interop suites run Python clients in a virtualenv (test/interop/, scripts/install-interop.sh).
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
# The admin console's browser suite drives Debian's Chromium through playwright-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    log "missing: ${missing[*]}. Install them, then run npm test again:"
    log "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
if ! command -v go >/dev/null; then
  log "Go 1.26 or newer is needed (FerretDB is built from source, and the Go interop suite runs on it)."
  log "  Install it from https://go.dev/dl/ (or: sudo apt-get install -y golang-go, if your release has 1.26), then run npm test again."
  exit 1
fi
if [ ! -d node_modules/.bin ]; then
  log "node_modules is missing: run npm install (or npm ci), then npm test."
  exit 1
fi

log "FerretDB (MongoDB wire protocol over SQLite), built once into the cache folder"
bash scripts/install-ferretdb.sh >/dev/null
log "interop clients: Python SDK virtualenv, upstream descriptors, grpcurl, protoc-gen-go"
bash scripts/install-interop.sh >/dev/null
