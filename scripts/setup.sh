#!/usr/bin/env bash
# Installs what building and testing kling-expand needs, skipping whatever is already present at
# the pinned version. Safe to run again and again: a second run only checks versions (seconds).
# Needs: Rust (rustup), node/npm, and root or sudo for Debian's packages.
#
#   scripts/setup.sh          everything (the tests need it all)
#   scripts/setup.sh demo     leaves out what only the tests use: geckodriver (compile time) and
#                             the Debian packages (browsers, redis-server)
#
# While the tools compile, the project's own release builds (the proxy, then the widget's
# dependencies for wasm) compile beside them, so that neither core waits; the demo and the tests
# then find them built.
#
# Why it is quick the first time (measured figures in README.md):
# - the Rust tools are compiled with a profile made for installing, not for shipping: no
#   optimisation, no LTO, many codegen units, no debug info. Trunk and wasm-bindgen-cli spend their
#   time waiting for cargo and wasm-opt, so their own speed hardly matters; their build time does
#   (measured: trunk 7.0 min of CPU at opt-level 1, 2.6 min at 0; wasm-bindgen then takes 1.0 s
#   instead of 0.2 s on the widget).
# - downloads (apt, npm) run while cargo compiles; the two cargo installs run side by side, so the
#   serial tail of one (its last crate) overlaps the other's parallel part.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-all}
TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
LOGS=target/setup
mkdir -p "$LOGS"
started=$SECONDS
step() { printf '\033[1m==> [%3ds] %s\033[0m\n' "$((SECONDS - started))" "$*" >&2; }

# The install profile: applies to `cargo install` only (these variables are set for it alone).
install_env=(
  CARGO_PROFILE_RELEASE_LTO=false
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=64
  CARGO_PROFILE_RELEASE_DEBUG=0
  CARGO_PROFILE_RELEASE_STRIP=true
  CARGO_PROFILE_RELEASE_INCREMENTAL=false
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0
)

pids=() names=()
background() { # name command...: runs in the background, output to target/setup/<name>.log
  local name=$1; shift
  ( "$@" ) >"$LOGS/$name.log" 2>&1 &
  pids+=($!) names+=("$name")
}
wait_all() {
  local failed=0 i
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      echo "setup: ${names[$i]} failed; its output ($LOGS/${names[$i]}.log) ends with:" >&2
      tail -n 30 "$LOGS/${names[$i]}.log" >&2
      failed=1
    fi
  done
  pids=() names=()
  [ "$failed" = 0 ]
}

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_missing=()
need_deb() { # package file-it-provides
  [ -e "$2" ] || apt_missing+=("$1")
}
# The browsers and redis-server serve the tests only: the demo needs none of them.
if [ "$MODE" != demo ]; then
  need_deb chromium /usr/bin/chromium
  need_deb chromium-driver /usr/bin/chromedriver
  need_deb redis-server /usr/bin/redis-server
  need_deb firefox-esr /usr/bin/firefox-esr
fi
apt_install() {
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

# Downloads first, so that they run while cargo compiles.
if [ "${#apt_missing[@]}" -gt 0 ]; then
  step "installing Debian packages in the background: ${apt_missing[*]} (about 1-2 min)"
  background apt apt_install "${apt_missing[@]}"
fi
if ! npm ls --depth=0 >/dev/null 2>&1; then
  step "installing npm dev tools from package-lock.json in the background (seconds)"
  background npm npm ci --no-audit --no-fund --loglevel=error
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target (seconds)"
  rustup target add wasm32-unknown-unknown
fi
# The widget's release build compiles the standard library with it (scripts/wasm-release-env.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  step "adding the rust-src component (seconds)"
  rustup component add rust-src
fi

# Trunk, pinned: 0.22 needs a newer rustc than this project's.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "compiling trunk $TRUNK_VERSION in the background (about 9 min beside the other builds)"
  # Without its default features (TLS for downloading tools, the update check): the scripts run it
  # with --offline and tools of their own. The whole install, dependencies and downloads included,
  # then takes 5.6 min of CPU instead of 6.3 (measured alone, from an empty Cargo home).
  background trunk env "${install_env[@]}" cargo install --locked trunk --version "$TRUNK_VERSION" --no-default-features
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock, or Trunk tries to download one.
# Not --locked: its own lockfile pins a webpki-roots release the registry no longer serves.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "compiling wasm-bindgen-cli $WASM_BINDGEN_VERSION in the background (about 5 min beside the other builds)"
  background wasm-bindgen env "${install_env[@]}" cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# geckodriver drives headless Firefox for the tests only.
if [ "$MODE" != demo ] && [ "$(geckodriver --version 2>/dev/null | head -n 1 | cut -d' ' -f2)" != "$GECKODRIVER_VERSION" ]; then
  step "compiling geckodriver $GECKODRIVER_VERSION in the background (about 1 min)"
  background geckodriver env "${install_env[@]}" cargo install --locked geckodriver --version "$GECKODRIVER_VERSION"
fi

# The project's own builds: the proxy (its dev profile, which the demo and the tests run; see
# Cargo.toml), then the widget's code and dependencies for wasm in release
# (its bundle is then made by Trunk, whose cargo call finds everything compiled). They share one
# target directory, so they run one after the other, beside the tool installs. (Tried and
# measured: compiled side by side in two target directories, the four builds shared the two
# cores to the end, Trunk's install became the longest, 10.1 min, and the first demo printed its
# URL after 624 s, against 530 s this way.)
if [ "${#pids[@]}" -gt 0 ]; then
  step "compiling the proxy, then the widget (release), in the background (about 10 min together)"
  background project-build sh -c 'cargo build -p kling-expand-proxy &&
    . scripts/wasm-release-env.sh &&
    cargo build --target wasm32-unknown-unknown --profile wasm-release --bin kling-expand'
  step "waiting for: ${names[*]}"
  wait_all
  step "tools ready"
fi
