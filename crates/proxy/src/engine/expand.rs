//! The local engine's picture work: decode the original, continue it beyond its borders, encode
//! the result as PNG.
//!
//! The new area is a mirrored continuation of the picture (so every border is continuous), sheared
//! and waved differently for each variation so no two results look alike, and blended with a
//! feathered, blurred copy of the same mirrored content the further it lies from the original,
//! so distant areas read as soft continuation instead of a hard copy. A light grain keeps the
//! blurred areas from looking flat. Everything is deterministic for a given seed.
//!
//! The geometry (canvas size and where the original sits) is decided by the caller from
//! `kling_expand_core::geometry::Ratios::canvas`; this module only fills pixels.

use std::io::Cursor;

use image::{ColorType, DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};

/// An 8-bit picture with 3 (RGB) or 4 (RGBA) interleaved channels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

impl Pixels {
    /// The channel values of pixel (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> &[u8] {
        let ch = self.channels as usize;
        let at = (y as usize * self.width as usize + x as usize) * ch;
        &self.data[at..at + ch]
    }

    /// RGB noise made from `seed`: a picture no encoder can compress, for the size limits'
    /// tests and the memory benchmark.
    pub fn noise(width: u32, height: u32, seed: u64) -> Pixels {
        let len = width as usize * height as usize * 3;
        let mut random = SplitMix64(seed);
        let mut data = Vec::with_capacity(len + 8);
        while data.len() < len {
            data.extend_from_slice(&random.next().to_le_bytes());
        }
        data.truncate(len);
        Pixels {
            width,
            height,
            channels: 3,
            data,
        }
    }
}

/// Where the original goes in the result and how big the result is, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub canvas_width: u32,
    pub canvas_height: u32,
    pub left_px: u32,
    pub top_px: u32,
}

/// Why a picture could not be decoded.
#[derive(Debug)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a PNG or JPEG file into 8-bit RGB or RGBA, with the JPEG's EXIF orientation applied
/// (so the pixels are the picture as displayed, which is what the expansion ratios refer to).
/// `max_pixels` bounds the memory a single picture may take.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<Pixels, DecodeError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError(format!("the picture could not be read: {e}")))?;
    match reader.format() {
        Some(ImageFormat::Png) | Some(ImageFormat::Jpeg) => {}
        _ => {
            return Err(DecodeError(
                "the picture is neither PNG nor JPEG; send a .png, .jpg or .jpeg file".into(),
            ))
        }
    }
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| DecodeError(format!("the picture could not be decoded: {e}")))?;
    let (w, h) = decoder.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    if pixels > max_pixels {
        return Err(DecodeError(format!(
            "the picture has {:.1} megapixels ({w} × {h}); this engine handles at most {:.1} megapixels, so scale it down",
            pixels as f64 / 1e6,
            max_pixels as f64 / 1e6
        )));
    }
    let orientation = decoder.orientation().ok();
    let has_alpha = decoder.color_type().has_alpha();
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|e| DecodeError(format!("the picture's pixels could not be decoded: {e}")))?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let (width, height) = (image.width(), image.height());
    let (channels, data) = if has_alpha {
        (4, image.into_rgba8().into_raw())
    } else {
        (3, image.into_rgb8().into_raw())
    };
    Ok(Pixels {
        width,
        height,
        channels,
        data,
    })
}

/// Encodes RGB or RGBA pixels as PNG, tuned for speed (the results are large and short-lived).
pub fn encode_png(pixels: &Pixels) -> Result<Vec<u8>, image::ImageError> {
    // Room for incompressible pixels: no reallocation, and untouched capacity costs nothing.
    let mut out = Vec::with_capacity(pixels.data.len() + pixels.data.len() / 64 + 4096);
    write_png(pixels, &mut out)?;
    Ok(out)
}

/// Writes RGB or RGBA pixels as PNG to `out` (a file, so no copy of the result is held).
pub fn write_png<W: std::io::Write>(pixels: &Pixels, out: W) -> Result<(), image::ImageError> {
    let color = if pixels.channels == 4 {
        ColorType::Rgba8
    } else {
        ColorType::Rgb8
    };
    image::codecs::png::PngEncoder::new_with_quality(
        out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    )
    .write_image(&pixels.data, pixels.width, pixels.height, color.into())
}

/// The knobs of one variation, drawn from its seed.
#[derive(Clone, Copy, Debug)]
struct Variation {
    /// How far the mirrored content slides along a left/right border per pixel of distance.
    shear_along_vertical_edges: f32,
    /// The same for the top/bottom borders.
    shear_along_horizontal_edges: f32,
    wave_amplitude: f32,
    wave_length: f32,
    wave_phase: f32,
    /// How much of the soft (blurred) continuation the farthest pixels get, 0..1.
    haze: f32,
    grain: f32,
    seed: u64,
}

impl Variation {
    fn from_seed(seed: u64, short_side: f32) -> Variation {
        let mut rng = SplitMix64(seed);
        Variation {
            shear_along_vertical_edges: rng.range(-0.6, 0.6),
            shear_along_horizontal_edges: rng.range(-0.6, 0.6),
            wave_amplitude: rng.range(0.02, 0.09) * short_side,
            wave_length: rng.range(0.25, 0.8) * short_side,
            wave_phase: rng.range(0.0, std::f32::consts::TAU),
            haze: rng.range(0.45, 0.85),
            grain: rng.range(2.0, 6.0),
            seed: rng.next(),
        }
    }
}

/// Small deterministic generator (splitmix64): variations must be reproducible from their seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    fn range(&mut self, low: f32, high: f32) -> f32 {
        let unit = (self.next() >> 40) as f32 / (1u64 << 24) as f32;
        low + (high - low) * unit
    }
}

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Index into [0, n) of coordinate `v` reflected at the borders (…, 1, 0 | 0, 1, …, n-1 | n-1, …),
/// so the continuation is seamless at every fold.
#[inline]
fn reflect(v: i64, n: i64) -> usize {
    let period = 2 * n;
    let m = v.rem_euclid(period);
    (if m < n { m } else { period - 1 - m }) as usize
}

/// A heavily blurred, downsampled copy of the original, sampled bilinearly: the "soft" layer.
struct SoftLayer {
    width: usize,
    height: usize,
    channels: usize,
    scale: f32,
    data: Vec<f32>,
}

impl SoftLayer {
    fn new(original: &Pixels) -> SoftLayer {
        let (w, h, ch) = (
            original.width as usize,
            original.height as usize,
            original.channels as usize,
        );
        // About 40 cells along the short side: coarse enough to read as haze, fine enough to keep
        // the picture's large shapes and colours.
        let factor = (w.min(h) / 40).max(1);
        let sw = w.div_ceil(factor);
        let sh = h.div_ceil(factor);
        let mut sums = vec![0f32; sw * sh * ch];
        let mut counts = vec![0f32; sw * sh];
        for y in 0..h {
            let row = &original.data[y * w * ch..(y + 1) * w * ch];
            let cy = y / factor;
            for x in 0..w {
                let cell = cy * sw + x / factor;
                counts[cell] += 1.0;
                let px = &row[x * ch..x * ch + ch];
                for c in 0..ch {
                    sums[cell * ch + c] += f32::from(px[c]);
                }
            }
        }
        for (cell, count) in counts.iter().enumerate() {
            for c in 0..ch {
                sums[cell * ch + c] /= count;
            }
        }
        let mut layer = SoftLayer {
            width: sw,
            height: sh,
            channels: ch,
            scale: factor as f32,
            data: sums,
        };
        // Two box passes make the cells' edges disappear.
        layer.box_blur();
        layer.box_blur();
        layer
    }

    fn box_blur(&mut self) {
        let (w, h, ch) = (self.width, self.height, self.channels);
        let mut out = vec![0f32; self.data.len()];
        for y in 0..h {
            for x in 0..w {
                let mut acc = [0f32; 4];
                let mut n = 0f32;
                for ny in y.saturating_sub(1)..(y + 2).min(h) {
                    for nx in x.saturating_sub(1)..(x + 2).min(w) {
                        let at = (ny * w + nx) * ch;
                        for (sum, value) in acc.iter_mut().zip(&self.data[at..at + ch]) {
                            *sum += value;
                        }
                        n += 1.0;
                    }
                }
                let at = (y * w + x) * ch;
                for c in 0..ch {
                    out[at + c] = acc[c] / n;
                }
            }
        }
        self.data = out;
    }

    /// Bilinear sample at original-pixel coordinates (x, y), which lie inside the original.
    #[inline]
    fn sample(&self, x: f32, y: f32, out: &mut [f32; 4]) {
        let fx = ((x + 0.5) / self.scale - 0.5).clamp(0.0, (self.width - 1) as f32);
        let fy = ((y + 0.5) / self.scale - 0.5).clamp(0.0, (self.height - 1) as f32);
        let x0 = fx as usize;
        let y0 = fy as usize;
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let tx = fx - x0 as f32;
        let ty = fy - y0 as f32;
        let ch = self.channels;
        let a = (y0 * self.width + x0) * ch;
        let b = (y0 * self.width + x1) * ch;
        let c_ = (y1 * self.width + x0) * ch;
        let d = (y1 * self.width + x1) * ch;
        for (c, value) in out.iter_mut().enumerate().take(ch) {
            let top = self.data[a + c] + (self.data[b + c] - self.data[a + c]) * tx;
            let bottom = self.data[c_ + c] + (self.data[d + c] - self.data[c_ + c]) * tx;
            *value = top + (bottom - top) * ty;
        }
    }
}

#[inline]
fn smoothstep(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Places `original` on a canvas of `placement`'s size at (left_px, top_px), pixel-exact, and
/// fills the rest with a continuation of the picture. Different `seed`s give visibly different
/// continuations. The canvas must contain the original.
pub fn expand(original: &Pixels, placement: Placement, seed: u64) -> Pixels {
    let (w, h, ch) = (
        original.width as usize,
        original.height as usize,
        original.channels as usize,
    );
    let cw = placement.canvas_width as usize;
    let chh = placement.canvas_height as usize;
    let left = placement.left_px as usize;
    let top = placement.top_px as usize;
    assert!(
        left + w <= cw && top + h <= chh,
        "the canvas must contain the original"
    );
    let short_side = w.min(h) as f32;
    let variation = Variation::from_seed(seed, short_side);
    let soft = SoftLayer::new(original);
    // Distance (in px) over which the soft layer fades in.
    let feather = (0.6 * short_side).max(24.0);

    // The displacement depends only on the distance from the original along one axis: precompute
    // it per column (for the left/right areas) and per row (for the top/bottom areas).
    let wave = |d: f32| -> f32 {
        variation.wave_amplitude
            * (d / feather).min(1.0)
            * (std::f32::consts::TAU * d / variation.wave_length + variation.wave_phase).sin()
    };
    let outside = |i: usize, start: usize, len: usize| -> usize {
        if i < start {
            start - i
        } else if i >= start + len {
            i - (start + len) + 1
        } else {
            0
        }
    };
    let dx_of: Vec<usize> = (0..cw).map(|x| outside(x, left, w)).collect();
    let dy_of: Vec<usize> = (0..chh).map(|y| outside(y, top, h)).collect();
    // The top/bottom waves are stretched so they do not repeat the left/right ones.
    let shifts = |distances: &[usize], shear: f32, stretch: f32| -> Vec<f32> {
        distances
            .iter()
            .map(|&d| {
                let d = d as f32;
                shear * d + wave(d * stretch)
            })
            .collect()
    };
    let shift_y_by_dx = shifts(&dx_of, variation.shear_along_vertical_edges, 1.0);
    let shift_x_by_dy = shifts(&dy_of, variation.shear_along_horizontal_edges, 1.3);

    let mut data = vec![0u8; cw * chh * ch];
    let mut soft_px = [0f32; 4];
    for y in 0..chh {
        let row = &mut data[y * cw * ch..(y + 1) * cw * ch];
        let dy = dy_of[y];
        let rel_y = y as i64 - top as i64;
        if dy == 0 {
            // The original's rows: copy the original in one go, fill only the sides.
            let src_row = &original.data[(y - top) * w * ch..(y - top + 1) * w * ch];
            row[left * ch..(left + w) * ch].copy_from_slice(src_row);
        }
        for x in 0..cw {
            let dx = dx_of[x];
            if dx == 0 && dy == 0 {
                continue;
            }
            let rel_x = x as i64 - left as i64;
            let sx = rel_x as f32 + shift_x_by_dy[y];
            let sy = rel_y as f32 + shift_y_by_dx[x];
            let mx = reflect(sx.round() as i64, w as i64);
            let my = reflect(sy.round() as i64, h as i64);
            let detail = &original.data[(my * w + mx) * ch..(my * w + mx + 1) * ch];
            let distance = ((dx * dx + dy * dy) as f32).sqrt();
            let t = smoothstep(distance / feather) * variation.haze;
            soft.sample(mx as f32, my as f32, &mut soft_px);
            let noise = (mix64(variation.seed ^ ((y as u64) << 32 | x as u64)) >> 56) as f32;
            let grain = (noise / 255.0 - 0.5) * 2.0 * variation.grain * t;
            let out = &mut row[x * ch..(x + 1) * ch];
            for c in 0..ch {
                let d = f32::from(detail[c]);
                let mut v = d + (soft_px[c] - d) * t;
                if c < 3 {
                    v += grain;
                }
                out[c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    Pixels {
        width: placement.canvas_width,
        height: placement.canvas_height,
        channels: original.channels,
        data,
    }
}

/// Marks a copy of a result as watermarked: a translucent band with a diagonal stripe pattern
/// across the bottom-right corner (the local engine's stand-in for Kling's watermark).
pub fn watermark(result: &Pixels) -> Pixels {
    let mut marked = result.clone();
    let (w, h, ch) = (
        result.width as usize,
        result.height as usize,
        result.channels as usize,
    );
    let band_w = (w / 4).max(8).min(w);
    let band_h = (h / 12).max(6).min(h);
    for y in h - band_h..h {
        for x in w - band_w..w {
            let at = (y * w + x) * ch;
            let stripe = (x + y) / 6 % 2 == 0;
            let target = if stripe { 255.0 } else { 40.0 };
            for c in 0..3 {
                let v = f32::from(marked.data[at + c]);
                marked.data[at + c] = (v + (target - v) * 0.45).round() as u8;
            }
        }
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(width: u32, height: u32, channels: u8) -> Pixels {
        let mut data = Vec::new();
        for y in 0..height {
            for x in 0..width {
                data.push((x * 255 / width) as u8);
                data.push((y * 255 / height) as u8);
                data.push(((x + y) % 256) as u8);
                if channels == 4 {
                    data.push(200);
                }
            }
        }
        Pixels {
            width,
            height,
            channels,
            data,
        }
    }

    #[test]
    fn reflect_folds_at_both_borders() {
        let n = 4;
        let got: Vec<usize> = (-6..10).map(|v| reflect(v, n)).collect();
        assert_eq!(got, vec![2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1]);
    }

    #[test]
    fn original_is_pixel_exact_and_canvas_has_the_asked_size() {
        let original = gradient(60, 40, 3);
        let placement = Placement {
            canvas_width: 150,
            canvas_height: 70,
            left_px: 37,
            top_px: 11,
        };
        let result = expand(&original, placement, 7);
        assert_eq!((result.width, result.height), (150, 70));
        assert_eq!(result.data.len(), 150 * 70 * 3);
        for y in 0..40 {
            for x in 0..60 {
                assert_eq!(result.pixel(x + 37, y + 11), original.pixel(x, y));
            }
        }
    }

    #[test]
    fn continuation_is_seamless_next_to_the_border_and_not_flat() {
        let original = gradient(80, 80, 3);
        let placement = Placement {
            canvas_width: 240,
            canvas_height: 80,
            left_px: 80,
            top_px: 0,
        };
        let result = expand(&original, placement, 1);
        // The column just left of the original mirrors its first column.
        for y in 0..80 {
            let outside = result.pixel(79, y);
            let inside = result.pixel(80, y);
            for c in 0..3 {
                assert!(
                    (i32::from(outside[c]) - i32::from(inside[c])).abs() <= 3,
                    "seam at row {y}: {outside:?} vs {inside:?}"
                );
            }
        }
        // The new area is not one colour.
        let mut seen = std::collections::HashSet::new();
        for y in 0..80 {
            for x in 0..80 {
                seen.insert(result.pixel(x, y).to_vec());
            }
        }
        assert!(seen.len() > 100, "only {} distinct colours", seen.len());
    }

    #[test]
    fn variations_differ_and_are_reproducible() {
        let original = gradient(64, 64, 4);
        let placement = Placement {
            canvas_width: 128,
            canvas_height: 128,
            left_px: 32,
            top_px: 32,
        };
        let a = expand(&original, placement, 1);
        let b = expand(&original, placement, 2);
        assert_ne!(a.data, b.data);
        assert_eq!(a.data, expand(&original, placement, 1).data);
        // Alpha stays where the original had it.
        assert_eq!(a.channels, 4);
    }

    #[test]
    fn png_round_trip_keeps_pixels() {
        let original = gradient(30, 20, 3);
        let png = encode_png(&original).unwrap();
        let decoded = decode(&png, 1_000_000).unwrap();
        assert_eq!(decoded, original);
    }

    #[test]
    fn jpeg_exif_orientation_is_applied_before_expanding() {
        let original = gradient(40, 24, 3);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .write_image(&original.data, 40, 24, ColorType::Rgb8.into())
            .unwrap();
        let plain = decode(&jpeg, 1_000_000).unwrap();
        assert_eq!((plain.width, plain.height), (40, 24));
        // An APP1 Exif segment with Orientation = 6 (rotate 90° clockwise to display).
        let tiff: [u8; 26] = [
            0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, // little-endian TIFF, IFD at 8
            0x01, 0x00, // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00,
            0x00, // 0x0112 = 6
            0x00, 0x00, 0x00, 0x00, // no next IFD
        ];
        let mut app1 = vec![0xFF, 0xE1, 0x00, (2 + 6 + tiff.len()) as u8];
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        let mut rotated = jpeg[..2].to_vec();
        rotated.extend_from_slice(&app1);
        rotated.extend_from_slice(&jpeg[2..]);
        let shown = decode(&rotated, 1_000_000).unwrap();
        assert_eq!(
            (shown.width, shown.height),
            (24, 40),
            "displayed as portrait"
        );
        // The stored top-left corner is displayed at the top right after a 90° turn.
        let corner = plain.pixel(0, 0);
        let moved = shown.pixel(23, 0);
        for c in 0..3 {
            assert!((i32::from(corner[c]) - i32::from(moved[c])).abs() <= 2);
        }
    }

    #[test]
    fn decode_refuses_oversized_and_foreign_pictures() {
        let png = encode_png(&gradient(30, 20, 3)).unwrap();
        let err = decode(&png, 100).unwrap_err();
        assert!(err.0.contains("megapixels"), "{err}");
        let err = decode(b"GIF89a\x01\x00\x01\x00", 1_000_000).unwrap_err();
        assert!(err.0.contains("neither PNG nor JPEG"), "{err}");
    }
}
