#!/usr/bin/env bash
# Command 1: install what is missing, build the widget in release mode, and serve it with the
# proxy's offline local engine behind it on one origin. No API key, no network needed.
# KLING_EXPAND_LISTEN=127.0.0.1:9000 scripts/demo.sh picks another address.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

echo "==> building the widget (release)" >&2
scripts/build-widget.sh
echo "==> building the proxy (release)" >&2
cargo build --release --quiet -p kling-expand-proxy

echo "==> starting the proxy with its local engine; open the URL below, Ctrl-C stops it" >&2
exec target/release/kling-expand-proxy --provider local --static dist \
  --listen "${KLING_EXPAND_LISTEN:-127.0.0.1:8080}"
