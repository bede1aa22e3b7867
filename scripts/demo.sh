#!/usr/bin/env bash
# Command 1: install what is missing, build the widget in release mode, and serve it with the
# proxy's offline local engine behind it on one origin. No API key, no network needed.
# KLING_EXPAND_LISTEN=127.0.0.1:9000 scripts/demo.sh picks another address.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\033[1m==> [%3ds] %s\033[0m\n' "$((SECONDS - started))" "$*" >&2; }
scripts/setup.sh demo
export PATH="$PWD/node_modules/.bin:$PATH"

# On a first run setup.sh has compiled both already; then these only check and package.
step "building the widget (release) and the proxy"
scripts/build-widget.sh
cargo build --quiet -p kling-expand-proxy

step "starting the proxy with its local engine; open the URL below, Ctrl-C stops it"
exec target/debug/kling-expand-proxy --provider local --static dist \
  --listen "${KLING_EXPAND_LISTEN:-127.0.0.1:8080}"
