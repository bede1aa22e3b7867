//! `cargo bench -p kling-expand-core`: header inspection of a 10 MB JPEG and ratio computation.
//!
//! The JPEG is synthesised here (no binary fixture): SOI, APP0 JFIF, APP1 Exif with an
//! orientation, DQT, SOF0, DHT, SOS, then ~10 MB of entropy-coded filler and EOI. Inspection
//! must stop at SOF, so its time must not depend on the filler.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kling_expand_core::{
    inspect, plan, seed_ratios, set_side, Anchor, Aspect, Dialect, Ratios, Side, Size,
};

const FILLER_BYTES: usize = 10 * 1024 * 1024 - 4096;

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    s
}

/// Big-endian TIFF with IFD0 holding Make, Orientation and an offset to a second IFD, as
/// cameras write it.
fn exif_payload(orientation: u16) -> Vec<u8> {
    let mut t = b"Exif\0\0MM\0*".to_vec();
    t.extend_from_slice(&8u32.to_be_bytes());
    let entries: [(u16, u16, u32, u32); 3] = [
        (0x010F, 2, 4, u32::from_be_bytes(*b"ACME")), // Make, ASCII, inline
        (0x0112, 3, 1, u32::from(orientation) << 16), // Orientation, SHORT
        (0x8769, 4, 1, 0),                            // Exif IFD pointer (unused here)
    ];
    t.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for (tag, kind, count, value) in entries {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value.to_be_bytes());
    }
    t.extend_from_slice(&0u32.to_be_bytes());
    // A camera's maker notes and thumbnail make APP1 a few KB.
    t.extend(std::iter::repeat_n(0x20u8, 3000));
    t
}

fn big_jpeg(width: u16, height: u16, orientation: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    b.extend(segment(0xE1, &exif_payload(orientation)));
    let mut dqt = vec![0u8];
    dqt.extend(std::iter::repeat_n(1u8, 64));
    b.extend(segment(0xDB, &dqt));
    let mut sof = vec![8];
    sof.extend_from_slice(&height.to_be_bytes());
    sof.extend_from_slice(&width.to_be_bytes());
    sof.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0]);
    b.extend(segment(0xC0, &sof));
    // DHT: one DC table with a single 1-bit code.
    let mut dht = vec![0x00, 1];
    dht.extend(std::iter::repeat_n(0u8, 15));
    dht.push(0);
    b.extend(segment(0xC4, &dht));
    b.extend(segment(0xDA, &[3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]));
    // Entropy-coded data: pseudo-random bytes with every 0xFF stuffed as FF 00.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    while b.len() < FILLER_BYTES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let byte = (state >> 24) as u8;
        b.push(byte);
        if byte == 0xFF {
            b.push(0x00);
        }
    }
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn benches(c: &mut Criterion) {
    let jpeg = big_jpeg(6000, 4000, 6);
    let info = inspect(&jpeg).expect("the synthetic JPEG inspects");
    assert_eq!(info.size, Size::new(6000, 4000));
    assert_eq!(info.displayed_size(), Size::new(4000, 6000));
    eprintln!("synthetic JPEG: {} bytes", jpeg.len());

    c.bench_function("inspect: 10 MB JPEG with EXIF", |b| {
        b.iter(|| inspect(black_box(&jpeg)))
    });

    let original = Size::new(4000, 3000);
    c.bench_function("plan: 4000x3000 to 16:9, x2.5, center", |b| {
        b.iter(|| {
            plan(
                black_box(original),
                black_box(Aspect::new(16.0, 9.0)),
                black_box(2.5),
                black_box(Anchor::Center),
            )
        })
    });
    // Kling's helper rounds this one 0.66 % off the aspect in pixels, so plan() snaps.
    let small = Size::new(300, 300);
    let snapped = plan(small, Aspect::new(0.95, 1.0), 1.02 / 0.95, Anchor::Center).unwrap();
    assert_ne!(snapped, seed_ratios(300.0, 300.0, 1.02 / 0.95, 0.95));
    c.bench_function(
        "plan: 300x300 to 0.95:1, x1.0737, center (pixel snap)",
        |b| {
            b.iter(|| {
                plan(
                    black_box(small),
                    black_box(Aspect::new(0.95, 1.0)),
                    black_box(1.02 / 0.95),
                    black_box(Anchor::Center),
                )
            })
        },
    );
    c.bench_function("seed_ratios: Kling's helper", |b| {
        b.iter(|| {
            seed_ratios(
                black_box(100.0),
                black_box(100.0),
                black_box(3.0),
                16.0 / 9.0,
            )
        })
    });
    let ratios = Ratios::new(0.4, 0.4, 0.333_37, 0.333_37);
    c.bench_function("quantized: rounding that needs an area trim", |b| {
        b.iter(|| black_box(ratios).quantized())
    });
    c.bench_function("set_side: capped by the area", |b| {
        b.iter(|| {
            set_side(
                black_box(Ratios::new(0.25, 0.25, 0.0, 0.5)),
                Side::Left,
                1.0,
            )
        })
    });

    let answer = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"865097340493414459","task_status":"succeed","task_status_msg":"","task_info":{"external_task_id":"ke-1"},"created_at":1761000000000,"updated_at":1761000012345,"task_result":{"images":[{"index":0,"url":"https://cdn.example.com/a.png"}]}}}"#;
    c.bench_function("parse_query: Kling succeeded answer", |b| {
        b.iter(|| Dialect::Kling.parse_query(200, black_box(answer), None))
    });
}

criterion_group! {
    name = core;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = benches
}
criterion_main!(core);
