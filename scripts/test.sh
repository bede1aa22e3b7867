#!/usr/bin/env bash
# Command 2: every check and test of the project, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

step "format"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step "clippy (wasm32)"
cargo clippy -p kling-expand-core --lib --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy -p kling-expand --lib --bins --tests --target wasm32-unknown-unknown --quiet -- -D warnings

step "native tests: core, widget models, proxy"
cargo test --workspace --quiet

step "browser unit tests (wasm-bindgen-test, headless Chromium)"
cargo test -p kling-expand --target wasm32-unknown-unknown --tests

step "release build of the widget and the proxy"
scripts/build-widget.sh
cargo build --release --quiet -p kling-expand-proxy
node --test scripts/

step "end-to-end journeys (playwright-core, headless Chromium, proxy with its local engine)"
node --test --test-concurrency=1 e2e/

step "size report"
# Fails above 150 KB brotli for wasm + JS + CSS, the widget's budget.
node scripts/size-report.mjs dist 150
