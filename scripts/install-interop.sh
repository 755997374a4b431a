#!/usr/bin/env bash
# Installs what the interop suites (test/interop/) need into the cache folder, once: a Python
# virtualenv with the official Python SDK, grpcio and requests-oauthlib, the upstream descriptors shipped in
# gitpod-sdk 1.2.0, and the Go tools (grpcurl, protoc-gen-go). Every step skips what is present,
# so re-running is cheap. Prints the cache folder on stdout; progress goes to stderr.
set -euo pipefail
cache="${SCIM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scim-config-service}"
mkdir -p "$cache/bin"
log() { echo "install-interop: $*" >&2; }

# Pinned: gitpod-sdk 0.11.0 is the newest release whose Stainless client (with
# organizations.scim_configurations) imports: 0.12.0's gitpod/types/__init__.py imports
# codex_openai_model and codex_service_tier modules that its wheel lacks, and 1.x ships Connect
# stubs only.
python_requirements=(gitpod-sdk==0.11.0 grpcio==1.85.1 grpcio-tools==1.85.1)
# A standard OAuth 2.0 client library for the client-credentials suite (test/interop/python-oauth):
# requests-oauthlib's BackendApplicationClient is RFC 6749 section 4.4 as most Python code does it.
# Installed into the same virtualenv with a stamp of its own, so adding it rebuilds nothing else.
oauth_requirements=(requests-oauthlib==2.0.0 oauthlib==3.2.2 requests==2.32.3)
upstream_sdk=gitpod-sdk==1.2.0
grpcurl_version=v1.9.3
protoc_gen_go_version=v1.36.12

venv="$cache/python-interop"
stamp="$venv/.requirements"
if [ "$(cat "$stamp" 2>/dev/null)" != "${python_requirements[*]}" ]; then
  command -v python3 >/dev/null || { log "Python 3 is required"; exit 1; }
  log "building the Python virtualenv ($venv)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${python_requirements[@]}" >&2
  echo "${python_requirements[*]}" > "$stamp"
  rm -f "$venv/.oauth-requirements"
fi
if [ "$(cat "$venv/.oauth-requirements" 2>/dev/null)" != "${oauth_requirements[*]}" ]; then
  log "installing ${oauth_requirements[*]} into the Python virtualenv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${oauth_requirements[@]}" >&2
  echo "${oauth_requirements[*]}" > "$venv/.oauth-requirements"
fi

# Only the generated descriptors are used (read, not imported: they import protovalidate and
# gnostic modules that no package here provides), so no dependencies are installed.
upstream="$cache/upstream/$upstream_sdk"
if [ ! -f "$upstream/gitpod/v1/organization_pb2.py" ]; then
  log "fetching $upstream_sdk (upstream descriptors)"
  rm -rf "$upstream"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --target "$upstream" "$upstream_sdk" >&2
fi

command -v go >/dev/null || { log "Go is required"; exit 1; }
# go install <module>/<cmd>@<version> into the cache, unless the binary there was built from it.
go_tool() {
  local module=$1 cmd=$2 version=$3 bin="$cache/bin/${2##*/}"
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -qP "^\s+mod\s+$module\s+$version\s"; then return; fi
  log "building ${cmd##*/} $version"
  GOBIN="$cache/bin" CGO_ENABLED=0 go install "$module/$cmd@$version" >&2
}
go_tool github.com/fullstorydev/grpcurl cmd/grpcurl "$grpcurl_version"
go_tool google.golang.org/protobuf cmd/protoc-gen-go "$protoc_gen_go_version"
echo "$cache"
