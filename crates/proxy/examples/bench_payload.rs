//! Writes a create body for the memory benchmark: a 10 MB incompressible PNG (1810 × 1810 noise)
//! as raw Base64 in the official JSON, about 14 MB.
//!
//! `cargo run --release -p kling-expand-proxy --example bench_payload -- /tmp/create-14mb.json`

use kling_expand_proxy::expand::{encode_png, Pixels};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "create-14mb.json".into());
    let png = encode_png(&Pixels::noise(1810, 1810, 0x2545_F491)).expect("encode");
    let body = serde_json::json!({
        "image": kling_expand_core::base64::encode(&png),
        "up_expansion_ratio": 0.05,
        "down_expansion_ratio": 0.05,
        "left_expansion_ratio": 0.05,
        "right_expansion_ratio": 0.05,
        "n": 1,
    });
    let bytes = serde_json::to_vec(&body).expect("serialize");
    std::fs::write(&out, &bytes).expect("write");
    println!(
        "wrote {out}: PNG {} bytes, body {} bytes",
        png.len(),
        bytes.len()
    );
}
