//! Times the local engine's picture work on one core: decode, one 3× expansion, PNG encode.
//!
//! `cargo run --release -p kling-expand-proxy --example expand_bench -- [picture] [out.png]`
//!
//! A given picture is scaled to about one megapixel first. Without one it synthesises a 1-megapixel (1155 × 866) test picture. The expansion is
//! centred, 3× the area at 16:9 (ratios 0.25/0.25/0.5/0.5 on a 4:3 picture: 2310 × 1299 px),
//! repeated a few times; the median is reported.

use std::time::{Duration, Instant};

use kling_expand_proxy::expand::{decode, encode_png, expand, Pixels, Placement};

fn synthetic(width: u32, height: u32) -> Pixels {
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let fx = x as f32 / width as f32;
            let fy = y as f32 / height as f32;
            let sky = (1.0 - fy) * 200.0;
            let hills = ((fx * 9.0).sin() * 0.08 + 0.6 - fy).max(0.0) * 400.0;
            let texture = ((x * 7 + y * 13) % 23) as f32;
            data.push((sky * 0.5 + texture).min(255.0) as u8);
            data.push((sky * 0.7 + hills * 0.6 + texture).min(255.0) as u8);
            data.push((sky + texture * 0.5).min(255.0) as u8);
        }
    }
    Pixels {
        width,
        height,
        channels: 3,
        data,
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (original, input_png) = match args.first() {
        Some(path) => {
            // Scaled to about one megapixel so runs are comparable.
            let bytes = std::fs::read(path).expect("read the picture");
            let full = decode(&bytes, 100_000_000).expect("decode");
            let scale = (1.0e6 / f64::from(full.width * full.height))
                .sqrt()
                .min(1.0);
            let (tw, th) = (
                (f64::from(full.width) * scale).round() as u32,
                (f64::from(full.height) * scale).round() as u32,
            );
            let rgb =
                image::RgbImage::from_raw(full.width, full.height, full.data).expect("RGB picture");
            let small = image::imageops::thumbnail(&rgb, tw, th);
            let pixels = Pixels {
                width: tw,
                height: th,
                channels: 3,
                data: small.into_raw(),
            };
            let png = encode_png(&pixels).expect("encode");
            (pixels, png)
        }
        None => {
            let pixels = synthetic(1155, 866);
            let png = encode_png(&pixels).expect("encode");
            (pixels, png)
        }
    };
    let (w, h) = (original.width, original.height);
    let left = (0.5 * w as f64).round() as u32;
    let top = (0.25 * h as f64).round() as u32;
    let placement = Placement {
        canvas_width: w + 2 * left,
        canvas_height: h + 2 * top,
        left_px: left,
        top_px: top,
    };
    println!(
        "original {w} × {h} ({:.2} MP) → canvas {} × {} ({:.2} MP)",
        f64::from(w * h) / 1e6,
        placement.canvas_width,
        placement.canvas_height,
        f64::from(placement.canvas_width * placement.canvas_height) / 1e6
    );
    let runs = 7;
    let (mut decode_t, mut fill_t, mut encode_t) = (vec![], vec![], vec![]);
    let mut last = None;
    for seed in 0..runs {
        let t = Instant::now();
        let decoded = decode(&input_png, 100_000_000).expect("decode");
        decode_t.push(t.elapsed());
        let t = Instant::now();
        let result = expand(&decoded, placement, seed);
        fill_t.push(t.elapsed());
        let t = Instant::now();
        let png = encode_png(&result).expect("encode");
        encode_t.push(t.elapsed());
        last = Some(png);
    }
    let (d, f, e) = (median(decode_t), median(fill_t), median(encode_t));
    println!(
        "median of {runs}: decode {:.1} ms, expand {:.1} ms, PNG encode {:.1} ms, total {:.1} ms",
        d.as_secs_f64() * 1e3,
        f.as_secs_f64() * 1e3,
        e.as_secs_f64() * 1e3,
        (d + f + e).as_secs_f64() * 1e3
    );
    if let (Some(out), Some(png)) = (args.get(1), last) {
        std::fs::write(out, png).expect("write the result");
        println!("wrote {out}");
    }
}
