#!/usr/bin/env bash
# Builds the widget in release mode into dist/ (used by demo.sh and test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
# wasm-bindgen never removes JavaScript snippets of code that is gone, and Trunk ships all it
# finds: start from none so the bundle (and its size report) holds only what the code uses.
rm -rf target/wasm-bindgen/release/snippets
. scripts/wasm-release-env.sh
trunk build --release --offline
# The host bundle (dist/embed/) from the same build.
node scripts/build-embed.mjs dist
