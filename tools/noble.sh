#!/usr/bin/env bash
# Installs the npm packages @noble/post-quantum and @noble/curves (the
# versions tests/unit/crypto/vectors/mldsa_vectors.h was made with) into
# DIR (default: build-noble/, outside what git tracks) and prints DIR.
# tests/interop/test_mldsa_noble.py finds them through NSSH_NOBLE=DIR.
#
#   NSSH_NOBLE=$(tools/noble.sh) python3 -m pytest tests/interop/test_mldsa_noble.py
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
dir=${1:-$PWD/build-noble}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_packages nodejs npm >&2
fi
if [ ! -f "$dir/node_modules/@noble/post-quantum/package.json" ] ||
   [ ! -f "$dir/node_modules/@noble/curves/package.json" ]; then
    mkdir -p "$dir"
    (cd "$dir" &&
        { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --no-audit --no-fund @noble/post-quantum@0.7.1 \
            @noble/curves@2.4.0 >&2)
fi
echo "$dir"
