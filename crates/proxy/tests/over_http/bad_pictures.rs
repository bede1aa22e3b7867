//! A corpus of bad pictures, made from code (nothing binary is committed): what people send by
//! mistake, or what breaks decoders. `scripts/bad-pictures.sh DIR` writes it for the browser
//! journey (`e2e/bad-pictures.test.mjs`); the over-HTTP test sends each to the local engine.

use kling_expand_proxy::expand::{encode_png, Pixels};

/// What the local engine answers a create carrying the picture as Base64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// 400, with this in its message.
    Refused(&'static str),
    /// Accepted, and the task succeeds with real results: Kling takes such pictures.
    Expanded,
}

pub struct BadPicture {
    pub file: &'static str,
    pub bytes: Vec<u8>,
    pub engine: Engine,
}

/// A picture with structure (gradients, stripes), RGB.
pub fn rgb(width: u32, height: u32) -> Pixels {
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            data.push((x * 255 / width.max(1)) as u8);
            data.push((y * 255 / height.max(1)) as u8);
            data.push(if (x / 17 + y / 23) % 2 == 0 { 40 } else { 210 });
        }
    }
    Pixels {
        width,
        height,
        channels: 3,
        data,
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encode_png(&rgb(width, height)).unwrap()
}

fn png_of(width: u32, height: u32, color: image::ExtendedColorType, data: &[u8]) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(data, width, height, color)
        .unwrap();
    out
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels = rgb(width, height);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(
            &pixels.data,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

fn cmyk_jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels = rgb(width, height);
    let cmyk: Vec<u8> = pixels
        .data
        .chunks(3)
        .flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(
            &cmyk,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Cmyk,
        )
        .unwrap();
    out
}

fn animated_gif(width: u16, height: u16) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let palette: Vec<u8> = (0..=255u8).flat_map(|i| [i, 255 - i, i / 2]).collect();
        let mut encoder = gif::Encoder::new(&mut out, width, height, &palette).unwrap();
        encoder.set_repeat(gif::Repeat::Infinite).unwrap();
        for shift in [0u32, 64] {
            let indices: Vec<u8> = (0..u32::from(width) * u32::from(height))
                .map(|i| ((i % u32::from(width) + shift) % 256) as u8)
                .collect();
            let mut frame = gif::Frame::from_indexed_pixels(width, height, indices, None);
            frame.delay = 20;
            encoder.write_frame(&frame).unwrap();
        }
    }
    out
}

/// A PNG whose header declares a size and whose data is a token: decoders that trust the
/// header allocate 10 GB for 100000 × 100000.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc32(&[kind.as_slice(), data].concat()).to_be_bytes());
        c
    }
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend(chunk(b"IHDR", &ihdr));
    b.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    b.extend(chunk(b"IEND", &[]));
    b
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// An HEIC container as a phone writes it (ftyp, meta with the primary item's size), with a
/// token in place of the HEVC data, which nothing here decodes anyway.
fn heic(width: u32, height: u32) -> Vec<u8> {
    fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }
    fn full(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(payload);
        boxed(kind, &p)
    }
    let mut ispe = width.to_be_bytes().to_vec();
    ispe.extend_from_slice(&height.to_be_bytes());
    let ipco = boxed(b"ipco", &full(b"ispe", &ispe));
    // One item (id 1) associated with property 1 (ispe).
    let ipma = full(b"ipma", &[0, 0, 0, 1, 0, 1, 1, 0x81]);
    let iprp = boxed(b"iprp", &[ipco, ipma].concat());
    let hdlr = full(b"hdlr", b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
    let pitm = full(b"pitm", &[0, 1]);
    let meta = full(b"meta", &[hdlr, pitm, iprp].concat());
    let ftyp = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
    let mdat = boxed(b"mdat", &[0u8; 64]);
    [ftyp, meta, mdat].concat()
}

/// Every bad picture, with what the local engine answers it.
pub fn corpus() -> Vec<BadPicture> {
    let whole_png = png(640, 480);
    let whole_jpeg = jpeg(640, 480);
    let (w, h) = (400u32, 300u32);
    let rgba: Vec<u8> = rgb(w, h)
        .data
        .chunks(3)
        .enumerate()
        .flat_map(|(i, p)| [p[0], p[1], p[2], (i % 256) as u8])
        .collect();
    let gray: Vec<u8> = rgb(w, h)
        .data
        .chunks(3)
        .map(|p| p[0] / 2 + p[1] / 2)
        .collect();
    let deep: Vec<u8> = rgb(w, h)
        .data
        .iter()
        .flat_map(|&v| (u16::from(v) * 257).to_be_bytes())
        .collect();
    vec![
        BadPicture {
            file: "empty.png",
            bytes: Vec::new(),
            engine: Engine::Refused("image is missing"),
        },
        BadPicture {
            file: "truncated.png",
            bytes: whole_png[..whole_png.len() / 2].to_vec(),
            engine: Engine::Refused("before the end of its picture data"),
        },
        BadPicture {
            file: "truncated.jpg",
            bytes: whole_jpeg[..whole_jpeg.len() / 2].to_vec(),
            engine: Engine::Refused("before the end of its picture data"),
        },
        BadPicture {
            file: "png-named.jpg",
            bytes: png(480, 360),
            engine: Engine::Expanded,
        },
        BadPicture {
            file: "declares-100000x100000.png",
            bytes: png_declaring(100_000, 100_000),
            engine: Engine::Refused("declares 100,000 × 100,000 px"),
        },
        BadPicture {
            file: "one-pixel.png",
            bytes: png(1, 1),
            engine: Engine::Refused("The picture is 1 × 1 px; Kling needs at least 300 px"),
        },
        BadPicture {
            file: "299x300.png",
            bytes: png(299, 300),
            engine: Engine::Refused("The picture is 299 × 300 px; Kling needs at least 300 px"),
        },
        BadPicture {
            file: "wide-2.6.png",
            bytes: png(780, 300),
            engine: Engine::Refused("2.6:1; Kling accepts shapes from 1:2.5"),
        },
        BadPicture {
            file: "animated.gif",
            bytes: animated_gif(400, 300),
            engine: Engine::Refused("This is a GIF picture; Kling accepts only PNG and JPEG"),
        },
        BadPicture {
            file: "cmyk.jpg",
            bytes: cmyk_jpeg(w, h),
            engine: Engine::Expanded,
        },
        BadPicture {
            file: "16-bit.png",
            bytes: png_of(w, h, image::ExtendedColorType::Rgb16, &deep),
            engine: Engine::Expanded,
        },
        BadPicture {
            file: "alpha.png",
            bytes: png_of(w, h, image::ExtendedColorType::Rgba8, &rgba),
            engine: Engine::Expanded,
        },
        BadPicture {
            file: "grayscale.png",
            bytes: png_of(w, h, image::ExtendedColorType::L8, &gray),
            engine: Engine::Expanded,
        },
        BadPicture {
            file: "drawing.svg",
            bytes: br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="teal"/></svg>"#.to_vec(),
            engine: Engine::Refused("This file is an SVG drawing, not a picture Kling can use"),
        },
        BadPicture {
            file: "notes.png",
            bytes: b"Shopping list:\n- eggs\n- a picture of the beach\n".to_vec(),
            engine: Engine::Refused("This file is a text file, not a picture Kling can use"),
        },
        BadPicture {
            file: "photo.heic",
            bytes: heic(4032, 3024),
            engine: Engine::Refused("This is a HEIC picture; Kling accepts only PNG and JPEG"),
        },
    ]
}
