#!/usr/bin/env bash
# `npm run db`: a MongoDB-wire database for `npm start` on this machine: FerretDB v1.24.2 over
# SQLite, built once into the cache folder, listening on 127.0.0.1:${DB_PORT:-27017} with its
# data in ${DB_DIR:-.cache/ferretdb-data}. Runs in the foreground; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(bash scripts/install-ferretdb.sh)
port="${DB_PORT:-27017}"
dir="${DB_DIR:-$PWD/.cache/ferretdb-data}"
mkdir -p "$dir"
echo "FerretDB on 127.0.0.1:$port, data in $dir. In another terminal:" >&2
echo "  MONGODB_URI=mongodb://127.0.0.1:$port MONGODB_DB=scim npm start" >&2
exec "$bin" --handler=sqlite "--sqlite-url=file:$dir/" "--listen-addr=127.0.0.1:$port" \
  --debug-addr=- --telemetry=disable "--state-dir=$dir" --log-level=error
