#!/usr/bin/env bash
# Command 2: every check and test of the project, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
started=$SECONDS
step() { printf '\033[1m==> [%3ds] %s\033[0m\n' "$((SECONDS - started))" "$*" >&2; }

# Clippy runs as the compiler of the workspace's own crates inside the test builds (the way
# `cargo clippy` itself works), so each crate is compiled once for linting and testing instead of
# twice; warnings are errors. Only the commands that set `lint` get it: a build without it (the
# builds of the widget, the proxy and the fake provider below, the demo's) keeps its own artifacts.
lint=(env "RUSTC_WORKSPACE_WRAPPER=$(rustc --print sysroot)/bin/clippy-driver"
  "CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")

step "format"
cargo fmt --all --check

step "native: clippy, then the tests (core unit and property tests, widget models, the proxy over HTTP with redis-server) (about 5 min the first time)"
"${lint[@]}" cargo test --workspace --all-targets --no-run --quiet
"${lint[@]}" cargo test --workspace --quiet

step "wasm32: clippy, then the component tests in headless Chromium (wasm-bindgen-test) (about 3 min the first time)"
CHROMEDRIVER=/usr/bin/chromedriver "${lint[@]}" cargo test -p kling-expand --target wasm32-unknown-unknown --tests

step "the same component tests in headless Firefox (about 1 min: nothing is compiled again)"
GECKODRIVER="$(command -v geckodriver)" "${lint[@]}" cargo test -p kling-expand --target wasm32-unknown-unknown --tests

step "the widget's release build, and the proxy and the fake provider the journeys run"
scripts/build-widget.sh
# The dev profile's proxy, the very build the demo runs (see Cargo.toml): after a demo, nothing is
# compiled again. The fake provider in its own invocation: built together, its features would
# change the proxy's dependencies.
cargo build --quiet -p kling-expand-proxy
cargo build --quiet -p kling-expand-fake-upstream
node --test scripts/

step "end-to-end journeys (playwright-core, headless Chromium, the proxy with its local engine and the fake provider) (about 10 min)"
CHROMEDRIVER=/usr/bin/chromedriver node --test --test-concurrency=1 e2e/

step "size report"
# wasm + JS + CSS, brotli: the demo's widget and the host bundle; fails above the 150 KB budget.
node scripts/size-report.mjs dist 150
node scripts/size-report.mjs dist/embed 150
step "all passed"
