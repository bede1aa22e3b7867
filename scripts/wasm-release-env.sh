# Sourced by the scripts that build the widget's release wasm (build-widget.sh, setup.sh), so that
# every such build, Trunk's included, uses the same settings and shares its compiled artifacts.
#
# The release wasm is built with the standard library compiled along with it and panics that
# abort at once (no message, no location): every panic site's formatting and location data
# leave the bundle, 147.2 → 135.7 KB brotli measured on the widget (`-Zfmt-debug=none` and
# `-Zlocation-detail=none` added nothing on top). Both are unstable Cargo features; this stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, set here for these builds only (native builds,
# debug builds, `trunk serve` and the component tests are untouched and keep panic messages).
# The standard library is built with its `optimize_for_size` feature, which picks its smaller
# algorithms (sorting, formatting): 1.1 KB brotli less, measured on the widget.
# Needs the rust-src component (scripts/setup.sh adds it).
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
export CARGO_UNSTABLE_PANIC_IMMEDIATE_ABORT=true
export CARGO_PROFILE_WASM_RELEASE_PANIC=immediate-abort
# LLVM inlines only where a call costs more than the callee's body (threshold 0 instead of the
# size levels' default): 1.1 KB brotli less, measured on the widget; at -5 it grows again. The
# `--cfg erase_components` of .cargo/config.toml is repeated because this variable replaces it.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Cllvm-args=-inline-threshold=0"
