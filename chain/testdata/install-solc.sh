#!/usr/bin/env bash
# Installs the pinned solc-js compiler under chain/.tools (npm registry), for
# chain's EVM verifier test. .ci/run calls it before `go test ./...`; the test
# finds chain/.tools/node_modules/.bin/solcjs (or $ZKPOC_SOLC).
set -euo pipefail
SOLC_VERSION="${SOLC_VERSION:-0.8.30}"
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
if [ -x "$tools/node_modules/.bin/solcjs" ] && \
   "$tools/node_modules/.bin/solcjs" --version 2>/dev/null | grep -q "^${SOLC_VERSION}+"; then
  echo "solcjs ${SOLC_VERSION} already in $tools"
  exit 0
fi
command -v npm >/dev/null || { echo "install-solc: npm not found (needs Node.js)" >&2; exit 1; }
mkdir -p "$tools"
npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "solc@${SOLC_VERSION}"
"$tools/node_modules/.bin/solcjs" --version
