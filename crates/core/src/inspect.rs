//! What a file is, from its bytes alone: format by magic bytes, size from the headers, EXIF
//! orientation, without decoding a single pixel.
//!
//! - PNG and JPEG are what Kling accepts; WebP, GIF, BMP, AVIF and HEIC are recognised (with
//!   their size) so the widget can offer to convert them; anything else is refused, with a hint
//!   when the bytes look like something common (a PDF, a web page, a video…).
//! - JPEG: markers are walked segment by segment and the walk stops at the frame header (SOF),
//!   which precedes the entropy-coded data, so the cost does not grow with the picture. The
//!   orientation comes from the first APP1 `Exif` segment.
//! - PNG: the size is in IHDR; an `eXIf` chunk before the first IDAT gives the orientation
//!   (chunks are skipped by their length, image data is never read).
//! - AVIF/HEIC: the ISO-BMFF boxes are walked to the primary item's `ispe` (size) and `irot`
//!   (rotation), skipping media data by its box size.
//!
//! Hand-written rather than a crate: about the size of one crate's glue, no dependency in the
//! widget's wasm, and every read is bounds-checked so hostile bytes give a typed error, never a
//! panic.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::geometry::Size;
use crate::text::{count, Sentence};

/// Largest width or height accepted from a header. JPEG cannot declare more; a PNG claiming
/// more is either damaged or something no browser could decode for a preview.
pub const MAX_DECLARED_SIDE: u32 = 65_535;
/// Largest pixel count accepted from a header: 2^28 (268 megapixels), the largest canvas
/// Chromium can draw, so the widget could neither preview nor convert anything bigger.
pub const MAX_DECLARED_PIXELS: u64 = 1 << 28;

/// Picture formats recognised from their magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Png,
    Jpeg,
    Webp,
    Gif,
    Bmp,
    Avif,
    Heic,
}

impl ImageFormat {
    pub const ALL: [ImageFormat; 7] = [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::Webp,
        ImageFormat::Gif,
        ImageFormat::Bmp,
        ImageFormat::Avif,
        ImageFormat::Heic,
    ];

    /// True for the formats Kling accepts as they are (PNG, JPEG); the others need converting.
    pub const fn accepted(&self) -> bool {
        matches!(self, ImageFormat::Png | ImageFormat::Jpeg)
    }

    pub const fn mime(&self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Bmp => "image/bmp",
            ImageFormat::Avif => "image/avif",
            ImageFormat::Heic => "image/heic",
        }
    }

    /// The name people know the format by.
    pub const fn name(&self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Webp => "WebP",
            ImageFormat::Gif => "GIF",
            ImageFormat::Bmp => "BMP",
            ImageFormat::Avif => "AVIF",
            ImageFormat::Heic => "HEIC",
        }
    }

    /// The usual file extension, without the dot.
    pub const fn extension(&self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Gif => "gif",
            ImageFormat::Bmp => "bmp",
            ImageFormat::Avif => "avif",
            ImageFormat::Heic => "heic",
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the headers say about a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageInfo {
    pub format: ImageFormat,
    /// Width and height as stored, before orientation.
    pub size: Size,
    /// EXIF orientation 1..=8 (1 when absent or invalid). For HEIC/AVIF, the `irot` rotation
    /// mapped to the EXIF value with the same turn.
    pub orientation: u8,
}

impl ImageInfo {
    /// The size a viewer shows: width and height exchanged for orientations 5 to 8, which turn
    /// the picture a quarter.
    pub const fn displayed_size(&self) -> Size {
        if self.orientation >= 5 && self.orientation <= 8 {
            self.size.swapped()
        } else {
            self.size
        }
    }
}

/// Why [`inspect`] could not read a picture's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InspectError {
    /// No bytes at all.
    Empty,
    /// The bytes start like this format but end before its size could be read.
    Truncated { format: ImageFormat, len: usize },
    /// The bytes start like this format but the header is inconsistent.
    Corrupt {
        format: ImageFormat,
        reason: &'static str,
    },
    /// Not a picture format this crate knows; `looks_like` names what it seems to be instead.
    Unrecognized { looks_like: Option<&'static str> },
    /// The header is whole but the file ends before its picture data does (no PNG `IEND`
    /// chunk, no JPEG end-of-image marker): cut off while being saved or downloaded.
    CutOff { format: ImageFormat, len: usize },
    /// The header declares a zero or implausibly large size.
    AbsurdSize {
        format: ImageFormat,
        width: u32,
        height: u32,
    },
}

impl InspectError {
    /// The message, as parts a translation can say in another language.
    pub fn sentence(&self) -> Sentence {
        let one = Sentence::new;
        match *self {
            InspectError::Empty => one(
                "The file is empty (0 bytes). Choose a PNG or JPEG picture.",
                vec![],
            ),
            InspectError::Truncated { format, len } => one(
                "The file ends after {0} bytes, before its {1} header is complete: it is cut \
                 off or damaged. Download or save the picture again.",
                vec![count(len as u64), format.to_string()],
            ),
            InspectError::CutOff { format, len } => one(
                "The {0} file ends after {1} bytes, before the end of its picture data: it was \
                 cut off while being saved or downloaded. Download or save the picture again.",
                vec![format.to_string(), count(len as u64)],
            ),
            InspectError::Corrupt { format, reason } => one(
                "This {0} file is damaged: {1}. Open it in an image editor and save it again as \
                 PNG or JPEG.",
                vec![format.to_string(), reason.to_owned()],
            ),
            InspectError::Unrecognized {
                looks_like: Some(what),
            } => one(
                "This file is {0}, not a picture Kling can use, whatever its name says. Choose \
                 a PNG or JPEG picture.",
                vec![what.to_owned()],
            ),
            InspectError::Unrecognized { looks_like: None } => one(
                "This file is not a picture format this tool recognises: its first bytes match \
                 no PNG, JPEG, WebP, GIF, BMP, AVIF or HEIC signature, whatever its name says. \
                 Choose a PNG or JPEG picture.",
                vec![],
            ),
            InspectError::AbsurdSize {
                format,
                width,
                height,
            } if width == 0 || height == 0 => one(
                "This {0} file declares a size of {1} × {2} px; a picture needs at least 1 px \
                 each way, so the file is damaged. Save it again from an image editor.",
                vec![format.to_string(), width.to_string(), height.to_string()],
            ),
            InspectError::AbsurdSize {
                format,
                width,
                height,
            } => one(
                "This {0} file declares {1} × {2} px ({3} megapixels), beyond what can be \
                 handled here (at most {4} px a side and {5} megapixels). Scale it down in an \
                 image editor first.",
                vec![
                    format.to_string(),
                    count(u64::from(width)),
                    count(u64::from(height)),
                    count(u64::from(width) * u64::from(height) / 1_000_000),
                    count(u64::from(MAX_DECLARED_SIDE)),
                    (MAX_DECLARED_PIXELS / 1_000_000).to_string(),
                ],
            ),
        }
    }
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sentence().fmt(f)
    }
}

impl std::error::Error for InspectError {}

/// Identify a picture and read its size and orientation from its headers only.
pub fn inspect(bytes: &[u8]) -> Result<ImageInfo, InspectError> {
    if bytes.is_empty() {
        return Err(InspectError::Empty);
    }
    let format = match detect(bytes) {
        Detected::Format(format) => format,
        Detected::Prefix(format) => {
            return Err(InspectError::Truncated {
                format,
                len: bytes.len(),
            })
        }
        Detected::Unknown => {
            return Err(InspectError::Unrecognized {
                looks_like: looks_like(bytes),
            })
        }
    };
    let (size, orientation) = match format {
        ImageFormat::Png => png(bytes)?,
        ImageFormat::Jpeg => jpeg(bytes)?,
        ImageFormat::Gif => (gif(bytes)?, 1),
        ImageFormat::Bmp => (bmp(bytes)?, 1),
        ImageFormat::Webp => (webp(bytes)?, 1),
        ImageFormat::Avif | ImageFormat::Heic => heif(bytes, format)?,
    };
    if size.width == 0
        || size.height == 0
        || size.width > MAX_DECLARED_SIDE
        || size.height > MAX_DECLARED_SIDE
        || size.pixels() > MAX_DECLARED_PIXELS
    {
        return Err(InspectError::AbsurdSize {
            format,
            width: size.width,
            height: size.height,
        });
    }
    Ok(ImageInfo {
        format,
        size,
        orientation,
    })
}

/// Checks that a whole PNG or JPEG file ends where its data does: a PNG's chunks lead, by their
/// lengths, to `IEND`; a JPEG's entropy-coded data reaches its end-of-image marker. A file cut
/// off after its header passes [`inspect`] (which reads headers only) but not this. Other
/// formats are not checked (they are converted before use). Costs one pass over a JPEG's bytes
/// and one step per PNG chunk.
pub fn check_complete(bytes: &[u8]) -> Result<(), InspectError> {
    let cut_off = |format| InspectError::CutOff {
        format,
        len: bytes.len(),
    };
    match detect(bytes) {
        Detected::Format(ImageFormat::Png) => {
            let mut pos: usize = PNG_SIGNATURE.len();
            while let (Some(len), Some(kind)) = (be32(bytes, pos), bytes_at::<4>(bytes, pos + 4)) {
                if &kind == b"IEND" {
                    return Ok(());
                }
                pos = pos
                    .checked_add(12)
                    .and_then(|p| p.checked_add(len as usize))
                    .ok_or_else(|| cut_off(ImageFormat::Png))?;
            }
            Err(cut_off(ImageFormat::Png))
        }
        Detected::Format(ImageFormat::Jpeg) => {
            // The first start-of-scan: the headers before it have lengths, so walk them.
            let mut pos = 2;
            loop {
                while bytes.get(pos) == Some(&0xFF) {
                    pos += 1;
                }
                match bytes.get(pos) {
                    None => return Err(cut_off(ImageFormat::Jpeg)),
                    Some(0x01 | 0xD0..=0xD8) => pos += 1,
                    Some(0xDA) => break,
                    Some(_) => {
                        let len = be16(bytes, pos + 1).ok_or_else(|| cut_off(ImageFormat::Jpeg))?;
                        pos += 1 + usize::from(len);
                    }
                }
            }
            // In entropy-coded data a 0xFF byte is followed by 0 (stuffing), a restart marker,
            // or a marker between scans; the first end-of-image marker ends the picture.
            // (Whatever follows it, such as a motion photo's video, is not the picture's.)
            let mut rest = &bytes[pos..];
            while let Some(at) = rest.iter().position(|&b| b == 0xFF) {
                if rest.get(at + 1) == Some(&0xD9) {
                    return Ok(());
                }
                rest = &rest[at + 1..];
            }
            Err(cut_off(ImageFormat::Jpeg))
        }
        _ => Ok(()),
    }
}

/// Whether the last bytes of a PNG or JPEG file look like its end (`IEND`, or a JPEG
/// end-of-image marker, within `tail`): a cheap test on a file's tail that tells when
/// [`check_complete`] needs the whole file. True for other formats.
pub fn ends_like_complete(format: ImageFormat, tail: &[u8]) -> bool {
    let needle: &[u8] = match format {
        ImageFormat::Png => b"IEND",
        ImageFormat::Jpeg => &[0xFF, 0xD9],
        _ => return true,
    };
    tail.windows(needle.len()).any(|w| w == needle)
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

enum Detected {
    Format(ImageFormat),
    /// Too short to be sure, but a prefix of this format's signature.
    Prefix(ImageFormat),
    Unknown,
}

fn detect(b: &[u8]) -> Detected {
    let prefix_of = |signature: &[u8]| b.len() < signature.len() && signature.starts_with(b);
    if b.starts_with(PNG_SIGNATURE) {
        return Detected::Format(ImageFormat::Png);
    }
    if prefix_of(PNG_SIGNATURE) {
        return Detected::Prefix(ImageFormat::Png);
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Detected::Format(ImageFormat::Jpeg);
    }
    if prefix_of(&[0xFF, 0xD8, 0xFF]) {
        return Detected::Prefix(ImageFormat::Jpeg);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Detected::Format(ImageFormat::Gif);
    }
    if prefix_of(b"GIF89a") {
        return Detected::Prefix(ImageFormat::Gif);
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return Detected::Format(ImageFormat::Webp);
    }
    if b.starts_with(b"BM") {
        // Two bytes are a weak signature: also require a known DIB header size.
        if let Some(dib) = le32(b, 14) {
            if matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124) {
                return Detected::Format(ImageFormat::Bmp);
            }
        }
    }
    if b.get(4..8) == Some(b"ftyp") {
        if let Some(format) = heif_brand(b) {
            return Detected::Format(format);
        }
    }
    Detected::Unknown
}

/// AVIF or HEIC from the `ftyp` box's major and compatible brands.
fn heif_brand(b: &[u8]) -> Option<ImageFormat> {
    let size = be32(b, 0)? as usize;
    let end = size.clamp(16, 256).min(b.len());
    let compatible = b.get(16..end).unwrap_or_default().chunks_exact(4);
    let mut heic = false;
    let mut avif = false;
    for brand in b.get(8..12).into_iter().chain(compatible) {
        match brand {
            b"avif" | b"avis" => avif = true,
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
                heic = true
            }
            _ => {}
        }
    }
    if avif {
        Some(ImageFormat::Avif)
    } else if heic {
        Some(ImageFormat::Heic)
    } else {
        None
    }
}

/// A hint for files that are not pictures: what they look like instead.
fn looks_like(b: &[u8]) -> Option<&'static str> {
    let head = &b[..b.len().min(512)];
    let text_start = {
        let mut t = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        while let [first, rest @ ..] = t {
            if first.is_ascii_whitespace() {
                t = rest;
            } else {
                break;
            }
        }
        t
    };
    let lower: Vec<u8> = text_start.iter().map(u8::to_ascii_lowercase).collect();
    let contains = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if head.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if lower.starts_with(b"<svg") || (lower.starts_with(b"<?xml") && contains(b"<svg")) {
        Some("an SVG drawing")
    } else if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
        Some("a web page (HTML)")
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        Some("a TIFF picture")
    } else if head.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive or office document")
    } else if head.starts_with(b"8BPS") {
        Some("a Photoshop document")
    } else if head.starts_with(&[0xFF, 0x0A]) || head.starts_with(b"\0\0\0\x0cJXL ") {
        Some("a JPEG XL picture")
    } else if head.starts_with(&[0, 0, 1, 0]) {
        Some("an icon file (ICO)")
    } else if head.get(4..8) == Some(b"ftyp") {
        Some("a video (MP4 or MOV)")
    } else if head.starts_with(b"RIFF") {
        Some("an audio or video file (RIFF)")
    } else if lower.starts_with(b"{") || lower.starts_with(b"[") {
        Some("a text file (JSON)")
    } else if !text_start.is_empty()
        && core::str::from_utf8(head).is_ok()
        && head
            .iter()
            .all(|&c| c >= 0x20 || c == b'\n' || c == b'\r' || c == b'\t')
    {
        Some("a text file")
    } else {
        None
    }
}

// Bounds-checked integer reads: `None` when the bytes end first.

fn bytes_at<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    bytes_at(b, at).map(u16::from_be_bytes)
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    bytes_at(b, at).map(u16::from_le_bytes)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    bytes_at(b, at).map(u32::from_be_bytes)
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    bytes_at(b, at).map(u32::from_le_bytes)
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let [x, y, z] = bytes_at(b, at)?;
    Some(u32::from_le_bytes([x, y, z, 0]))
}

fn truncated(format: ImageFormat, b: &[u8]) -> InspectError {
    InspectError::Truncated {
        format,
        len: b.len(),
    }
}

fn corrupt(format: ImageFormat, reason: &'static str) -> InspectError {
    InspectError::Corrupt { format, reason }
}

fn png(b: &[u8]) -> Result<(Size, u8), InspectError> {
    const F: ImageFormat = ImageFormat::Png;
    let first_len = be32(b, 8).ok_or_else(|| truncated(F, b))?;
    let first_type = b.get(12..16).ok_or_else(|| truncated(F, b))?;
    if first_type != b"IHDR" {
        return Err(corrupt(F, "its first chunk is not the IHDR header"));
    }
    if first_len != 13 {
        return Err(corrupt(F, "its IHDR header has the wrong length"));
    }
    let width = be32(b, 16).ok_or_else(|| truncated(F, b))?;
    let height = be32(b, 20).ok_or_else(|| truncated(F, b))?;
    // Chunks between IHDR and the first IDAT: look for eXIf, skipping data by length.
    let mut orientation = 1;
    let mut pos: usize = 8 + 12 + 13;
    // Checked arithmetic throughout: on wasm32 a declared length near 4 GB would overflow.
    while let (Some(len), Some(kind)) = (be32(b, pos), bytes_at::<4>(b, pos.saturating_add(4))) {
        if &kind == b"IDAT" || &kind == b"IEND" {
            break;
        }
        let data_start = pos + 8;
        let Some(data_end) = data_start.checked_add(len as usize) else {
            break;
        };
        if &kind == b"eXIf" {
            let data = &b[data_start.min(b.len())..data_end.min(b.len())];
            // The spec stores bare TIFF; some writers keep the JPEG-style prefix.
            let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
            orientation = tiff_orientation(tiff);
            break;
        }
        let Some(next) = data_end.checked_add(4) else {
            break;
        };
        pos = next;
    }
    Ok((Size::new(width, height), orientation))
}

/// Start-of-frame markers: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
fn is_sof(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

fn jpeg(b: &[u8]) -> Result<(Size, u8), InspectError> {
    const F: ImageFormat = ImageFormat::Jpeg;
    let mut orientation = 1;
    let mut exif_seen = false;
    let mut pos = 2;
    loop {
        match b.get(pos) {
            None => return Err(truncated(F, b)),
            Some(0xFF) => {}
            Some(_) => return Err(corrupt(F, "its headers are interrupted by stray bytes")),
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while b.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *b.get(pos).ok_or_else(|| truncated(F, b))?;
        pos += 1;
        match marker {
            // Standalone markers: no length.
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 => return Err(corrupt(F, "it ends before any frame header")),
            0xDA => return Err(corrupt(F, "its image data starts before the frame header")),
            0x00 => return Err(corrupt(F, "its headers contain an invalid marker")),
            _ => {}
        }
        let len = usize::from(be16(b, pos).ok_or_else(|| truncated(F, b))?);
        if len < 2 {
            return Err(corrupt(F, "a header segment declares a length below 2"));
        }
        let start = pos + 2;
        let end = pos + len;
        if is_sof(marker) {
            if len < 8 {
                return Err(corrupt(F, "its frame header is too short"));
            }
            let height = be16(b, start + 1).ok_or_else(|| truncated(F, b))?;
            let width = be16(b, start + 3).ok_or_else(|| truncated(F, b))?;
            return Ok((Size::new(u32::from(width), u32::from(height)), orientation));
        }
        if marker == 0xE1 && !exif_seen {
            let segment = &b[start.min(b.len())..end.min(b.len())];
            if let Some(tiff) = segment.strip_prefix(b"Exif\0\0") {
                exif_seen = true;
                orientation = tiff_orientation(tiff);
            }
        }
        pos = end;
    }
}

/// The Orientation tag (0x0112) of IFD0 of a TIFF structure; 1 when absent or invalid. A
/// damaged EXIF block does not make the picture unusable, so it is not an error.
fn tiff_orientation(t: &[u8]) -> u8 {
    let little = match t.get(0..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return 1,
    };
    let u16_at = |at: usize| if little { le16(t, at) } else { be16(t, at) };
    let u32_at = |at: usize| if little { le32(t, at) } else { be32(t, at) };
    let Some(ifd) = u32_at(4) else { return 1 };
    let ifd = ifd as usize;
    let Some(entries) = u16_at(ifd) else { return 1 };
    for i in 0..usize::from(entries) {
        let entry = ifd + 2 + i * 12;
        let Some(tag) = u16_at(entry) else { return 1 };
        if tag != 0x0112 {
            continue;
        }
        let value = match u16_at(entry + 2) {
            Some(3) => u16_at(entry + 8).map(u32::from),
            // LONG is wrong for this tag but seen in the wild.
            Some(4) => u32_at(entry + 8),
            _ => None,
        };
        return match value {
            Some(v @ 1..=8) => v as u8,
            _ => 1,
        };
    }
    1
}

fn gif(b: &[u8]) -> Result<Size, InspectError> {
    let width = le16(b, 6).ok_or_else(|| truncated(ImageFormat::Gif, b))?;
    let height = le16(b, 8).ok_or_else(|| truncated(ImageFormat::Gif, b))?;
    Ok(Size::new(u32::from(width), u32::from(height)))
}

fn bmp(b: &[u8]) -> Result<Size, InspectError> {
    const F: ImageFormat = ImageFormat::Bmp;
    let dib = le32(b, 14).ok_or_else(|| truncated(F, b))?;
    if dib == 12 {
        let width = le16(b, 18).ok_or_else(|| truncated(F, b))?;
        let height = le16(b, 20).ok_or_else(|| truncated(F, b))?;
        return Ok(Size::new(u32::from(width), u32::from(height)));
    }
    let width = le32(b, 18).ok_or_else(|| truncated(F, b))? as i32;
    let height = le32(b, 22).ok_or_else(|| truncated(F, b))? as i32;
    if width < 0 {
        return Err(corrupt(F, "it declares a negative width"));
    }
    // A negative height means rows are stored top-down.
    Ok(Size::new(width.unsigned_abs(), height.unsigned_abs()))
}

fn webp(b: &[u8]) -> Result<Size, InspectError> {
    const F: ImageFormat = ImageFormat::Webp;
    let chunk = b.get(12..16).ok_or_else(|| truncated(F, b))?;
    match chunk {
        b"VP8 " => {
            let start_code = b.get(23..26).ok_or_else(|| truncated(F, b))?;
            if start_code != [0x9D, 0x01, 0x2A] {
                return Err(corrupt(F, "its lossy frame header has no start code"));
            }
            let width = le16(b, 26).ok_or_else(|| truncated(F, b))? & 0x3FFF;
            let height = le16(b, 28).ok_or_else(|| truncated(F, b))? & 0x3FFF;
            Ok(Size::new(u32::from(width), u32::from(height)))
        }
        b"VP8L" => {
            if *b.get(20).ok_or_else(|| truncated(F, b))? != 0x2F {
                return Err(corrupt(F, "its lossless header has no signature"));
            }
            let bits = le32(b, 21).ok_or_else(|| truncated(F, b))?;
            Ok(Size::new((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            let width = le24(b, 24).ok_or_else(|| truncated(F, b))? + 1;
            let height = le24(b, 27).ok_or_else(|| truncated(F, b))? + 1;
            Ok(Size::new(width, height))
        }
        _ => Err(corrupt(F, "its first chunk is not a known image chunk")),
    }
}

/// One ISO-BMFF box: its type and the range of its payload.
struct BmffBox<'a> {
    kind: &'a [u8],
    payload: &'a [u8],
}

/// Iterate over the boxes in `b`; stops at the first box that does not fit.
fn boxes(b: &[u8]) -> impl Iterator<Item = BmffBox<'_>> {
    let mut pos = 0usize;
    core::iter::from_fn(move || {
        let size32 = be32(b, pos)?;
        let kind = b.get(pos + 4..pos + 8)?;
        let (header, size) = match size32 {
            0 => (8, b.len() - pos),
            1 => (
                16,
                usize::try_from(u64::from_be_bytes(bytes_at(b, pos + 8)?)).ok()?,
            ),
            n => (8, n as usize),
        };
        if size < header {
            return None;
        }
        let end = pos.checked_add(size)?;
        // A box running past the end is read as far as the bytes go.
        let payload = b.get(pos + header..end.min(b.len()))?;
        pos = end;
        Some(BmffBox { kind, payload })
    })
}

fn child<'a>(b: &'a [u8], kind: &[u8]) -> Option<&'a [u8]> {
    boxes(b).find(|x| x.kind == kind).map(|x| x.payload)
}

fn heif(b: &[u8], format: ImageFormat) -> Result<(Size, u8), InspectError> {
    let meta = child(b, b"meta").ok_or_else(|| truncated(format, b))?;
    // `meta` is a full box: version and flags first.
    let meta = meta.get(4..).ok_or_else(|| truncated(format, b))?;
    let primary = child(meta, b"pitm").and_then(|p| match p.first()? {
        0 => be16(p, 4).map(u32::from),
        _ => be32(p, 4),
    });
    let iprp = child(meta, b"iprp").ok_or_else(|| corrupt(format, "it has no item properties"))?;
    let ipco = child(iprp, b"ipco").ok_or_else(|| corrupt(format, "it has no item properties"))?;
    let properties: Vec<BmffBox<'_>> = boxes(ipco).collect();
    let associated = primary
        .and_then(|item| child(iprp, b"ipma").map(|ipma| associations(ipma, item)))
        .unwrap_or_default();
    let ispe = |p: &BmffBox<'_>| -> Option<Size> {
        if p.kind != b"ispe" {
            return None;
        }
        Some(Size::new(be32(p.payload, 4)?, be32(p.payload, 8)?))
    };
    // Property indices are 1-based into ipco.
    let of_primary = |kind: &[u8]| {
        associated
            .iter()
            .filter_map(|&i| properties.get(i.checked_sub(1)?))
            .find(|p| p.kind == kind)
    };
    let size = of_primary(b"ispe")
        .and_then(ispe)
        // Without associations, the largest extent is the main picture (others are
        // thumbnails or grid tiles).
        .or_else(|| properties.iter().filter_map(ispe).max_by_key(Size::pixels))
        .ok_or_else(|| corrupt(format, "it declares no picture size"))?;
    let orientation = match of_primary(b"irot").and_then(|p| p.payload.first()) {
        // irot turns anticlockwise by angle × 90°; EXIF 8 = 90° anticlockwise, 6 = 90° clockwise.
        Some(angle) => match angle & 3 {
            1 => 8,
            2 => 3,
            3 => 6,
            _ => 1,
        },
        None => 1,
    };
    Ok((size, orientation))
}

/// Property indices associated with `item` in an `ipma` box.
fn associations(ipma: &[u8], item: u32) -> Vec<usize> {
    let version = ipma.first().copied().unwrap_or(0);
    let wide_index = ipma.get(3).is_some_and(|flags| flags & 1 == 1);
    let Some(count) = be32(ipma, 4) else {
        return Vec::new();
    };
    let mut pos = 8;
    for _ in 0..count {
        let id = if version < 1 {
            be16(ipma, pos).map(u32::from)
        } else {
            be32(ipma, pos)
        };
        let Some(id) = id else { break };
        pos += if version < 1 { 2 } else { 4 };
        let Some(&n) = ipma.get(pos) else { break };
        pos += 1;
        let mut indices = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let index = if wide_index {
                be16(ipma, pos).map(|v| usize::from(v & 0x7FFF))
            } else {
                ipma.get(pos).map(|v| usize::from(v & 0x7F))
            };
            let Some(index) = index else { break };
            pos += if wide_index { 2 } else { 1 };
            indices.push(index);
        }
        if id == item {
            return indices;
        }
    }
    Vec::new()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal JPEG header: SOI, optional APP1 Exif with an orientation, DQT, SOF0, then
    /// `scan_len` bytes after an SOS header and EOI.
    pub(crate) fn jpeg_bytes(
        width: u16,
        height: u16,
        orientation: Option<u16>,
        little: bool,
    ) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        // APP0 JFIF
        b.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        if let Some(o) = orientation {
            b.extend_from_slice(&exif_app1(o, little));
        }
        // DQT with one 8-bit table
        b.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
        b.extend(std::iter::repeat_n(1u8, 64));
        // SOF0, 3 components
        b.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0]);
        // SOS and a few bytes of scan data
        b.extend_from_slice(&[0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
        b.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    pub(crate) fn exif_app1(orientation: u16, little: bool) -> Vec<u8> {
        let mut tiff = Vec::new();
        let w16 = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let w32 = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        tiff.extend_from_slice(if little { b"II*\0" } else { b"MM\0*" });
        tiff.extend_from_slice(&w32(8));
        tiff.extend_from_slice(&w16(2)); // two entries
                                         // XResolution-like unrelated entry first (tag 0x011A, RATIONAL, offset 0)
        tiff.extend_from_slice(&w16(0x011A));
        tiff.extend_from_slice(&w16(5));
        tiff.extend_from_slice(&w32(1));
        tiff.extend_from_slice(&w32(0));
        tiff.extend_from_slice(&w16(0x0112));
        tiff.extend_from_slice(&w16(3));
        tiff.extend_from_slice(&w32(1));
        tiff.extend_from_slice(&w16(orientation));
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&w32(0)); // no next IFD
        let len = (2 + 6 + tiff.len()) as u16;
        let mut seg = vec![0xFF, 0xE1];
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&tiff);
        seg
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked
        c
    }

    pub(crate) fn png_bytes(width: u32, height: u32, exif_orientation: Option<u16>) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        b.extend(chunk(b"IHDR", &ihdr));
        b.extend(chunk(b"sRGB", &[0]));
        if let Some(o) = exif_orientation {
            let app1 = exif_app1(o, false);
            b.extend(chunk(b"eXIf", &app1[10..]));
        }
        b.extend(chunk(b"IDAT", &[0x78, 0x9C, 0, 0]));
        b.extend(chunk(b"IEND", &[]));
        b
    }

    #[test]
    fn png_size_and_orientation() {
        let info = inspect(&png_bytes(1200, 800, None)).unwrap();
        assert_eq!(
            info,
            ImageInfo {
                format: ImageFormat::Png,
                size: Size::new(1200, 800),
                orientation: 1
            }
        );
        let info = inspect(&png_bytes(1200, 800, Some(6))).unwrap();
        assert_eq!(info.orientation, 6);
        assert_eq!(info.displayed_size(), Size::new(800, 1200));
    }

    #[test]
    fn jpeg_size_and_orientation_both_byte_orders() {
        let info = inspect(&jpeg_bytes(4032, 3024, None, true)).unwrap();
        assert_eq!(info.format, ImageFormat::Jpeg);
        assert_eq!(info.size, Size::new(4032, 3024));
        assert_eq!(info.orientation, 1);
        for little in [true, false] {
            for o in 1..=8u16 {
                let info = inspect(&jpeg_bytes(4032, 3024, Some(o), little)).unwrap();
                assert_eq!(info.orientation, o as u8);
                let expected = if o >= 5 {
                    Size::new(3024, 4032)
                } else {
                    Size::new(4032, 3024)
                };
                assert_eq!(info.displayed_size(), expected);
            }
        }
    }

    #[test]
    fn invalid_orientation_reads_as_one() {
        let info = inspect(&jpeg_bytes(640, 480, Some(9), false)).unwrap();
        assert_eq!(info.orientation, 1);
        let info = inspect(&jpeg_bytes(640, 480, Some(0), true)).unwrap();
        assert_eq!(info.orientation, 1);
    }

    #[test]
    fn empty_and_unknown() {
        assert_eq!(inspect(&[]), Err(InspectError::Empty));
        assert_eq!(
            inspect(b"%PDF-1.7\n..."),
            Err(InspectError::Unrecognized {
                looks_like: Some("a PDF document")
            })
        );
        assert_eq!(
            inspect(b"<!DOCTYPE html><html>"),
            Err(InspectError::Unrecognized {
                looks_like: Some("a web page (HTML)")
            })
        );
        assert_eq!(
            inspect(&[0x00, 0x13, 0x88, 0xFE, 0x01]),
            Err(InspectError::Unrecognized { looks_like: None })
        );
    }

    #[test]
    fn truncated_headers() {
        let png = png_bytes(500, 500, None);
        for cut in [3, 8, 15, 20, 23] {
            assert_eq!(
                inspect(&png[..cut]),
                Err(InspectError::Truncated {
                    format: ImageFormat::Png,
                    len: cut
                }),
                "cut at {cut}"
            );
        }
        let jpeg = jpeg_bytes(500, 500, Some(6), true);
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        for cut in [1, 2, 3, 10, sof, sof + 6] {
            assert!(
                matches!(
                    inspect(&jpeg[..cut]),
                    Err(InspectError::Truncated {
                        format: ImageFormat::Jpeg,
                        ..
                    })
                ),
                "cut at {cut}: {:?}",
                inspect(&jpeg[..cut])
            );
        }
    }

    #[test]
    fn corrupt_jpeg_segments() {
        // SOS before any SOF
        let b = [0xFF, 0xD8, 0xFF, 0xDA, 0, 2];
        assert!(matches!(inspect(&b), Err(InspectError::Corrupt { .. })));
        // Segment length 1
        let b = [0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0, 0];
        assert!(matches!(inspect(&b), Err(InspectError::Corrupt { .. })));
        // Stray bytes where a marker should be
        let b = [0xFF, 0xD8, 0xFF, 0xE0, 0, 2, 0x42, 0x42];
        assert!(matches!(inspect(&b), Err(InspectError::Corrupt { .. })));
    }

    #[test]
    fn absurd_sizes() {
        assert_eq!(
            inspect(&png_bytes(0, 500, None)),
            Err(InspectError::AbsurdSize {
                format: ImageFormat::Png,
                width: 0,
                height: 500
            })
        );
        assert!(matches!(
            inspect(&png_bytes(100_000, 100_000, None)),
            Err(InspectError::AbsurdSize { .. })
        ));
        assert!(matches!(
            inspect(&jpeg_bytes(60_000, 60_000, None, true)),
            Err(InspectError::AbsurdSize { .. })
        ));
    }

    #[test]
    fn other_formats_are_recognised_with_their_size() {
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&320u16.to_le_bytes());
        gif.extend_from_slice(&240u16.to_le_bytes());
        gif.extend_from_slice(&[0; 8]);
        let info = inspect(&gif).unwrap();
        assert_eq!(
            (info.format, info.size),
            (ImageFormat::Gif, Size::new(320, 240))
        );
        assert!(!info.format.accepted());
    }

    fn riff(chunk: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = b"RIFF".to_vec();
        b.extend_from_slice(&((payload.len() + 12) as u32).to_le_bytes());
        b.extend_from_slice(b"WEBP");
        b.extend_from_slice(chunk);
        b.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        b.extend_from_slice(payload);
        b
    }

    #[test]
    fn webp_all_three_kinds() {
        // Lossy: frame tag, start code, 14-bit sizes with scaling bits set (ignored).
        let mut vp8 = vec![0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A];
        vp8.extend_from_slice(&(0x4000u16 | 1024).to_le_bytes());
        vp8.extend_from_slice(&(0xC000u16 | 768).to_le_bytes());
        vp8.extend_from_slice(&[0; 8]);
        let info = inspect(&riff(b"VP8 ", &vp8)).unwrap();
        assert_eq!(
            (info.format, info.size),
            (ImageFormat::Webp, Size::new(1024, 768))
        );

        // Lossless: signature then 14-bit (w-1), 14-bit (h-1).
        let bits: u32 = (4000 - 1) | ((3000 - 1) << 14);
        let mut vp8l = vec![0x2F];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        let info = inspect(&riff(b"VP8L", &vp8l)).unwrap();
        assert_eq!(info.size, Size::new(4000, 3000));

        // Extended: flags, reserved, 24-bit (w-1), 24-bit (h-1).
        let mut vp8x = vec![0x08, 0, 0, 0];
        vp8x.extend_from_slice(&(20_000u32 - 1).to_le_bytes()[..3]);
        vp8x.extend_from_slice(&(300u32 - 1).to_le_bytes()[..3]);
        let info = inspect(&riff(b"VP8X", &vp8x)).unwrap();
        assert_eq!(info.size, Size::new(20_000, 300));

        let mut bad = vp8.clone();
        bad[3] = 0;
        assert!(matches!(
            inspect(&riff(b"VP8 ", &bad)),
            Err(InspectError::Corrupt {
                format: ImageFormat::Webp,
                ..
            })
        ));
        assert!(matches!(
            inspect(&riff(b"VP8 ", &vp8[..6])),
            Err(InspectError::Truncated { .. })
        ));
    }

    #[test]
    fn bmp_bottom_up_top_down_and_core() {
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&640i32.to_le_bytes());
        bmp.extend_from_slice(&(-480i32).to_le_bytes());
        bmp.extend_from_slice(&[1, 0, 24, 0]);
        let info = inspect(&bmp).unwrap();
        assert_eq!(
            (info.format, info.size),
            (ImageFormat::Bmp, Size::new(640, 480))
        );

        let mut core = b"BM".to_vec();
        core.extend_from_slice(&[0; 12]);
        core.extend_from_slice(&12u32.to_le_bytes());
        core.extend_from_slice(&320u16.to_le_bytes());
        core.extend_from_slice(&200u16.to_le_bytes());
        assert_eq!(inspect(&core).unwrap().size, Size::new(320, 200));

        // "BM" followed by text is not a bitmap.
        assert!(matches!(
            inspect(b"BMW service record 2019, all receipts enclosed"),
            Err(InspectError::Unrecognized {
                looks_like: Some("a text file")
            })
        ));
    }

    fn bmff_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    fn full_box(kind: &[u8; 4], version: u8, flags: u32, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![version];
        p.extend_from_slice(&flags.to_be_bytes()[1..]);
        p.extend_from_slice(payload);
        bmff_box(kind, &p)
    }

    fn ispe(w: u32, h: u32) -> Vec<u8> {
        let mut p = w.to_be_bytes().to_vec();
        p.extend_from_slice(&h.to_be_bytes());
        full_box(b"ispe", 0, 0, &p)
    }

    /// A HEIF file as phones write it: a grid primary item (id 1) with its full size and a
    /// rotation, tiles and a thumbnail with smaller sizes, then media data.
    fn heif_bytes(major: &[u8; 4], compatible: &[&[u8; 4]], irot: Option<u8>) -> Vec<u8> {
        let mut ftyp = major.to_vec();
        ftyp.extend_from_slice(&0u32.to_be_bytes());
        for brand in compatible {
            ftyp.extend_from_slice(*brand);
        }
        let mut b = bmff_box(b"ftyp", &ftyp);
        // ipco: 1 = tile size, 2 = full size, 3 = thumbnail size, 4 = rotation
        let mut ipco = ispe(512, 512);
        ipco.extend(ispe(4032, 3024));
        ipco.extend(ispe(320, 240));
        ipco.extend(bmff_box(b"irot", &[irot.unwrap_or(0)]));
        // ipma v0, 8-bit indices: item 2 (a tile) -> [1]; item 1 (primary) -> [2, 4 essential]
        let mut ipma = 2u32.to_be_bytes().to_vec();
        ipma.extend_from_slice(&2u16.to_be_bytes());
        ipma.extend_from_slice(&[1, 1]);
        ipma.extend_from_slice(&1u16.to_be_bytes());
        ipma.extend_from_slice(&[2, 2, 0x84]);
        let mut iprp = bmff_box(b"ipco", &ipco);
        iprp.extend(full_box(b"ipma", 0, 0, &ipma));
        let mut meta = full_box(b"hdlr", 0, 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
        meta.extend(full_box(b"pitm", 0, 0, &1u16.to_be_bytes()));
        meta.extend(bmff_box(b"iprp", &iprp));
        b.extend(full_box(b"meta", 0, 0, &meta));
        b.extend(bmff_box(b"mdat", &[0xAB; 64]));
        b
    }

    #[test]
    fn heic_and_avif_primary_item_size_and_rotation() {
        let heic = heif_bytes(b"heic", &[b"mif1", b"heic"], None);
        let info = inspect(&heic).unwrap();
        assert_eq!(info.format, ImageFormat::Heic);
        assert_eq!(
            info.size,
            Size::new(4032, 3024),
            "the primary item, not a tile"
        );
        assert_eq!(info.orientation, 1);

        // irot 3 = 270° anticlockwise = 90° clockwise = EXIF 6.
        let info = inspect(&heif_bytes(b"heic", &[b"mif1"], Some(3))).unwrap();
        assert_eq!(info.orientation, 6);
        assert_eq!(info.displayed_size(), Size::new(3024, 4032));
        assert_eq!(
            inspect(&heif_bytes(b"heic", &[], Some(1)))
                .unwrap()
                .orientation,
            8
        );

        let avif = heif_bytes(b"avif", &[b"mif1", b"avif"], None);
        assert_eq!(inspect(&avif).unwrap().format, ImageFormat::Avif);
        // A generic HEIF major brand with AVIF among the compatible ones is AVIF.
        let avif = heif_bytes(b"mif1", &[b"avif"], None);
        assert_eq!(inspect(&avif).unwrap().format, ImageFormat::Avif);
    }

    #[test]
    fn mp4_is_a_video_not_a_picture() {
        let mut mp4 = bmff_box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
        mp4.extend(bmff_box(b"mdat", &[0; 16]));
        assert_eq!(
            inspect(&mp4),
            Err(InspectError::Unrecognized {
                looks_like: Some("a video (MP4 or MOV)")
            })
        );
    }

    #[test]
    fn heif_without_meta_is_truncated() {
        let heic = heif_bytes(b"heic", &[b"mif1"], None);
        let meta_at = heic.windows(4).position(|w| w == b"meta").unwrap() - 4;
        assert!(matches!(
            inspect(&heic[..meta_at]),
            Err(InspectError::Truncated {
                format: ImageFormat::Heic,
                ..
            })
        ));
    }

    #[test]
    fn png_exif_with_jpeg_style_prefix_and_after_idat_is_ignored() {
        let mut b = png_bytes(1000, 500, None);
        // Insert an eXIf chunk carrying the "Exif\0\0" prefix before IDAT.
        let idat = b.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
        let app1 = exif_app1(8, true);
        let exif = chunk(b"eXIf", &app1[4..]);
        b.splice(idat..idat, exif);
        assert_eq!(inspect(&b).unwrap().orientation, 8);

        // After IDAT the chunk is not read (image data is never walked).
        let mut late = png_bytes(1000, 500, None);
        let iend = late.windows(4).position(|w| w == b"IEND").unwrap() - 4;
        late.splice(iend..iend, chunk(b"eXIf", &app1[10..]));
        assert_eq!(inspect(&late).unwrap().orientation, 1);
    }

    #[test]
    fn png_header_problems() {
        let mut b = png_bytes(500, 500, None);
        b[12..16].copy_from_slice(b"IDAT");
        assert!(matches!(inspect(&b), Err(InspectError::Corrupt { .. })));
        let mut b = png_bytes(500, 500, None);
        b[11] = 12;
        assert!(matches!(inspect(&b), Err(InspectError::Corrupt { .. })));
    }

    #[test]
    fn jpeg_with_fill_bytes_restart_markers_and_progressive_frame() {
        let mut b = jpeg_bytes(800, 600, Some(3), false);
        let sof = b.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        b[sof + 1] = 0xC2; // progressive
        b.splice(sof..sof, [0xFF, 0xFF, 0xFF]); // fill bytes before the marker
        let info = inspect(&b).unwrap();
        assert_eq!(info.size, Size::new(800, 600));
        assert_eq!(info.orientation, 3);
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            InspectError::Truncated {
                format: ImageFormat::Jpeg,
                len: 4096
            }
            .to_string(),
            "The file ends after 4,096 bytes, before its JPEG header is complete: it is cut off \
             or damaged. Download or save the picture again."
        );
        assert_eq!(
            InspectError::AbsurdSize {
                format: ImageFormat::Png,
                width: 100_000,
                height: 100_000
            }
            .to_string(),
            "This PNG file declares 100,000 × 100,000 px (10,000 megapixels), beyond what can \
             be handled here (at most 65,535 px a side and 268 megapixels). Scale it down in an \
             image editor first."
        );
        assert!(InspectError::Unrecognized { looks_like: None }
            .to_string()
            .contains("whatever its name says"));
    }

    #[test]
    fn files_cut_off_after_their_header_are_told_so() {
        let png = png_bytes(400, 300, None);
        assert_eq!(check_complete(&png), Ok(()));
        let cut = &png[..png.len() - 12];
        assert!(inspect(cut).is_ok(), "the header alone is whole");
        assert_eq!(
            check_complete(cut),
            Err(InspectError::CutOff {
                format: ImageFormat::Png,
                len: cut.len()
            })
        );
        assert!(!ends_like_complete(
            ImageFormat::Png,
            &cut[cut.len() - 16..]
        ));
        assert!(ends_like_complete(ImageFormat::Png, &png[png.len() - 16..]));

        let jpeg = jpeg_bytes(400, 300, Some(6), true);
        assert_eq!(check_complete(&jpeg), Ok(()));
        // A motion photo: a video after the end-of-image marker is not the picture's.
        let mut motion = jpeg.clone();
        motion.extend_from_slice(b"\0\0\0\x18ftypmp42 and a video");
        assert_eq!(check_complete(&motion), Ok(()));
        assert!(!ends_like_complete(
            ImageFormat::Jpeg,
            &motion[motion.len() - 8..]
        ));
        let cut = &jpeg[..jpeg.len() - 2];
        let error = check_complete(cut).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "The JPEG file ends after {} bytes, before the end of its picture data: it was \
                 cut off while being saved or downloaded. Download or save the picture again.",
                cut.len()
            )
        );
        // Other formats are converted first: not checked here.
        assert_eq!(check_complete(b"GIF89a\x01\x00\x01\x00"), Ok(()));
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Arbitrary bytes, and arbitrary bytes behind each known signature: an answer,
            /// never a panic.
            #[test]
            fn never_panics(
                prefix in prop::sample::select(vec![
                    &b""[..], PNG_SIGNATURE, &[0xFF, 0xD8, 0xFF], b"GIF89a", b"RIFF\0\0\0\0WEBP",
                    b"BM", b"\0\0\0\x18ftypheic", b"\0\0\0\x18ftypavif",
                ]),
                body in prop::collection::vec(any::<u8>(), 0..600),
            ) {
                let mut bytes = prefix.to_vec();
                bytes.extend_from_slice(&body);
                let _ = inspect(&bytes);
                let _ = check_complete(&bytes);
            }

            /// Valid headers with bytes flipped or cut: an answer, never a panic; cut before
            /// the size, never a size.
            #[test]
            fn damaged_headers_never_panic(
                which in 0usize..4,
                w in 1u16..=8000, h in 1u16..=8000,
                flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
                cut in any::<prop::sample::Index>(),
            ) {
                let mut bytes = match which {
                    0 => png_bytes(u32::from(w), u32::from(h), Some(6)),
                    1 => jpeg_bytes(w, h, Some(6), true),
                    2 => heif_bytes(b"heic", &[b"mif1"], Some(1)),
                    _ => jpeg_bytes(w, h, None, false),
                };
                for (at, value) in flips {
                    let i = at.index(bytes.len());
                    bytes[i] = value;
                }
                let cut = cut.index(bytes.len() + 1);
                let _ = inspect(&bytes[..cut]);
            }

            #[test]
            fn sizes_round_trip(w in 1u16..=16_384, h in 1u16..=16_384, o in 1u16..=8) {
                let png = inspect(&png_bytes(u32::from(w), u32::from(h), Some(o))).unwrap();
                prop_assert_eq!(png.size, Size::new(u32::from(w), u32::from(h)));
                prop_assert_eq!(png.orientation, o as u8);
                let jpeg = inspect(&jpeg_bytes(w, h, Some(o), o % 2 == 0)).unwrap();
                prop_assert_eq!(jpeg.size, png.size);
                prop_assert_eq!(jpeg.displayed_size(), png.displayed_size());
            }
        }
    }
}
