#!/usr/bin/env bash
# Installs what building and testing kling-expand needs, skipping whatever is already present at
# the pinned version. Safe to run again and again. Needs: Rust (rustup), node/npm, and for the
# browser tests root or sudo to install Debian's chromium and chromium-driver.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk, pinned: 0.22 needs a newer rustc than this project's.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "installing trunk $TRUNK_VERSION (takes several minutes once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock, or Trunk tries to download one.
# Not --locked: its own lockfile pins a webpki-roots release the registry no longer serves.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# wasm-opt (npm binaryen), playwright-core and axe-core, pinned by package-lock.json.
if ! npm ls --depth=0 >/dev/null 2>&1; then
  step "installing npm dev tools from package-lock.json"
  npm ci --no-audit --no-fund
fi

# Headless Chromium and its driver, from Debian.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  step "installing chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
