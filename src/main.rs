// No `fn main` in the browser: std's runtime around it (its start-up, and the flush of a stdout
// the browser does not have) would ship for nothing (0.2 KB brotli). wasm-bindgen calls the start
// function when the module is instantiated, as it would call `main`.
#![cfg_attr(target_family = "wasm", no_main)]

// talc instead of Rust's default wasm allocator (dlmalloc): 1.3 KB brotli less, measured on the
// widget. It only pays off because nothing in the widget reaches `std::thread::current()` any
// more (see vendor/README.md), which allocates through the system allocator and kept dlmalloc in.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_family = "wasm")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
fn start() {
    kling_expand::embed::start();
}

#[cfg(not(target_family = "wasm"))]
fn main() {
    kling_expand::embed::start();
}
