// talc instead of Rust's default wasm allocator (dlmalloc): 1.3 KB brotli less, measured on the
// widget. It only pays off because nothing in the widget reaches `std::thread::current()` any
// more (see vendor/README.md), which allocates through the system allocator and kept dlmalloc in.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    kling_expand::embed::start();
}
