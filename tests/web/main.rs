//! The widget's components in a real headless Chromium (wasm-bindgen-test).
//! One binary, one browser session; a module per area of the widget.
#![cfg(target_arch = "wasm32")]

mod support;

mod config;
mod framing;
mod input;
mod results;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
