//! Which fix-ups a picture needs before it can be sent, decided from its headers and byte
//! length alone, and how each applied one is described to the person. The browser does the
//! pixel work (`browser::image_prep`); everything decided here is pure and tested natively.
//!
//! In the order they are applied:
//! 1. **Upright**: a JPEG or PNG whose EXIF orientation turns or mirrors it is redrawn upright,
//!    because providers may ignore EXIF while the preview and the ratios follow it.
//! 2. **Convert**: WebP, GIF, AVIF, BMP (and HEIC where the browser can decode it) become PNG
//!    when they have transparency or are small, JPEG otherwise.
//! 3. **Shrink**: over 10 MB or over [`MAX_PIXELS`], re-encoded (JPEG quality steps) and then
//!    scaled down until it fits, never below 300 px a side.
//! 4. **Crop**: a shape outside 1:2.5–2.5:1 is offered a centre crop to the nearest allowed
//!    shape; never applied without the person asking.
//!
//! The first three are applied as a picture comes in; each can be undone, and is then offered.

use core::fmt;

use kling_expand_core::geometry::Size;
use kling_expand_core::inspect::{ImageFormat, ImageInfo};
use kling_expand_core::limits::{MAX_FILE_BYTES, MIN_SIDE_PX};
use kling_expand_core::validate::{check_image, Problem};

/// The most pixels the widget sends: the proxy's local engine expands at most 40 megapixels,
/// and the 3× canvas of a bigger picture is more than a browser tab should hold for a preview.
/// Kling publishes no pixel limit of its own.
pub const MAX_PIXELS: u64 = 40_000_000;

/// A converted picture of at most this many pixels stays lossless (PNG): even uncompressible,
/// 1 MP of RGBA is 4 MB, well under the 10 MB limit.
pub const SMALL_PIXELS: u64 = 1_000_000;

/// JPEG quality of every re-encoding that is not trying to save bytes: high enough that the
/// generation loss is not visible, and the browsers' own default.
pub const JPEG_QUALITY: f64 = 0.92;

/// Qualities tried, in order, when a JPEG must get smaller; then the picture is scaled at the
/// last one.
pub const QUALITY_STEPS: [f64; 3] = [JPEG_QUALITY, 0.85, 0.75];

/// Scaling aims this far under the limit: bytes follow pixel count only roughly.
const SCALE_TARGET_BYTES: f64 = MAX_FILE_BYTES as f64 * 0.9;

/// Each scaling step shrinks by at least this factor, so the search always ends.
const MAX_SCALE_STEP: f64 = 0.95;

/// Kinds of fix-up, in the order they are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FixupKind {
    Upright,
    Convert,
    Shrink,
    Crop,
}

/// A fix-up the picture needs now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Needed {
    /// EXIF orientation `orientation` (2..=8) must be baked into the pixels.
    Upright { orientation: u8 },
    /// The format is not one Kling accepts.
    Convert { from: ImageFormat },
    /// The file is over 10 MB or the picture over [`MAX_PIXELS`].
    Shrink { bytes: u64, pixels: u64 },
    /// The shape is outside Kling's range; the crop that brings it back.
    Crop(Crop),
}

impl Needed {
    pub const fn kind(&self) -> FixupKind {
        match self {
            Needed::Upright { .. } => FixupKind::Upright,
            Needed::Convert { .. } => FixupKind::Convert,
            Needed::Shrink { .. } => FixupKind::Shrink,
            Needed::Crop(_) => FixupKind::Crop,
        }
    }

    /// Applied without asking when the picture comes in; the crop only ever on request.
    pub const fn automatic(&self) -> bool {
        !matches!(self, Needed::Crop(_))
    }

    /// The text of the button that applies it.
    pub fn action(&self) -> String {
        match self {
            Needed::Upright { .. } => "Turn upright".to_owned(),
            Needed::Convert { .. } => "Convert to PNG or JPEG".to_owned(),
            Needed::Shrink { .. } => "Make it fit".to_owned(),
            Needed::Crop(crop) => format!("Crop to {}", crop.shape()),
        }
    }

    /// Why it is needed, for the person.
    pub fn reason(&self) -> String {
        match *self {
            Needed::Upright { orientation } => format!(
                "The picture is stored {} and shown upright by its EXIF orientation \
                 {orientation}, which providers may ignore.",
                stored_as(orientation)
            ),
            Needed::Convert { from } => Problem::NeedsConversion { format: from }.to_string(),
            Needed::Shrink { bytes, .. } if bytes > MAX_FILE_BYTES => {
                Problem::FileTooLarge { bytes }.to_string()
            }
            Needed::Shrink { pixels, .. } => format!(
                "The picture has {} megapixels; the widget sends at most {}.",
                megapixels(pixels),
                megapixels(MAX_PIXELS)
            ),
            Needed::Crop(crop) => Problem::AspectOutOfRange {
                width: crop.from.width,
                height: crop.from.height,
            }
            .to_string(),
        }
    }
}

/// How a picture stored with this EXIF orientation looks before it is turned.
fn stored_as(orientation: u8) -> &'static str {
    match orientation {
        2 => "mirrored",
        3 => "upside down",
        4 => "upside down and mirrored",
        5 | 7 => "turned a quarter and mirrored",
        _ => "turned a quarter",
    }
}

/// A centre crop to the nearest shape Kling accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crop {
    /// The picture's displayed size before the crop.
    pub from: Size,
    /// Left and top of the kept part, in displayed pixels.
    pub x: u32,
    pub y: u32,
    /// The kept part's size: the new picture's size.
    pub to: Size,
}

impl Crop {
    /// "2.5:1" for a picture that was too wide, "1:2.5" for one that was too tall.
    pub fn shape(&self) -> &'static str {
        if self.to.width >= self.to.height {
            "2.5:1"
        } else {
            "1:2.5"
        }
    }
}

/// The centre crop that brings a picture of this displayed size into 1:2.5–2.5:1, or `None`
/// when it is already inside. Integer arithmetic, so the result is inside exactly as the core
/// checks it, and the short side is kept whole.
pub fn crop_for(size: Size) -> Option<Crop> {
    let (w, h) = (u64::from(size.width), u64::from(size.height));
    let (x, y, to) = if 2 * w > 5 * h {
        let kept = (h * 5 / 2) as u32;
        ((size.width - kept) / 2, 0, Size::new(kept, size.height))
    } else if 2 * h > 5 * w {
        let kept = (w * 5 / 2) as u32;
        (0, (size.height - kept) / 2, Size::new(size.width, kept))
    } else {
        return None;
    };
    Some(Crop {
        from: size,
        x,
        y,
        to,
    })
}

/// Whether the picture is refused outright (no fix-up can help): under 300 px on a side.
/// The message is the core's.
pub fn refusal(info: &ImageInfo) -> Option<Problem> {
    check_image(info, 0)
        .into_iter()
        .find(|p| matches!(p, Problem::TooSmall { .. }))
}

/// Every fix-up this picture needs now, in the order they would be applied.
///
/// A picture that must be converted is re-encoded anyway, so its byte length says nothing
/// about the converted file: only its pixel count can call for shrinking. Upright and
/// conversion are exclusive: only JPEG and PNG carry an orientation a browser may not apply
/// (AVIF and HEIC rotations are part of decoding them).
pub fn needed(info: &ImageInfo, byte_len: u64) -> Vec<Needed> {
    let mut needs = Vec::new();
    let convert = !info.format.accepted();
    if info.format.accepted() && info.orientation != 1 {
        needs.push(Needed::Upright {
            orientation: info.orientation,
        });
    }
    if convert {
        needs.push(Needed::Convert { from: info.format });
    }
    let shown = info.displayed_size();
    let pixels = shown.pixels();
    if pixels > MAX_PIXELS || (!convert && byte_len > MAX_FILE_BYTES) {
        needs.push(Needed::Shrink {
            bytes: byte_len,
            pixels,
        });
    }
    if let Some(crop) = crop_for(shown) {
        needs.push(Needed::Crop(crop));
    }
    needs
}

/// The format a converted picture becomes: PNG when it has transparency (JPEG has none) or is
/// small (lossless, and still far under the limit), JPEG otherwise.
pub fn conversion_target(size: Size, transparent: bool) -> ImageFormat {
    if transparent || size.pixels() <= SMALL_PIXELS {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    }
}

/// The format a picture that must get smaller becomes: JPEG (quality can be traded for bytes),
/// unless it has transparency, which only PNG keeps.
pub fn shrink_target(transparent: bool) -> ImageFormat {
    if transparent {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    }
}

/// True when pixels of this format may be transparent, so converting or shrinking it has to
/// look before choosing JPEG.
pub const fn may_be_transparent(format: ImageFormat) -> bool {
    !matches!(format, ImageFormat::Jpeg)
}

/// The largest size with the same shape and at most `max_pixels` pixels (`size` itself when it
/// has no more).
pub fn fit_pixels(size: Size, max_pixels: u64) -> Size {
    if size.pixels() <= max_pixels {
        return size;
    }
    let scale = (max_pixels as f64 / size.pixels() as f64).sqrt();
    let mut fitted = scaled(size, scale);
    // Floating-point rounding may leave a pixel row too many.
    while fitted.pixels() > max_pixels {
        fitted = Size::new(fitted.width - 1, fitted.height.saturating_sub(1).max(1));
    }
    fitted
}

fn scaled(size: Size, scale: f64) -> Size {
    let side = |x: u32| ((f64::from(x) * scale).floor() as u32).max(1);
    Size::new(side(size.width), side(size.height))
}

/// One encoding to try: the output size and, for JPEG, the quality.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attempt {
    pub size: Size,
    pub format: ImageFormat,
    /// 0..=1; only JPEG uses it.
    pub quality: f64,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Next {
    /// The attempt fits: keep it.
    Done,
    /// Try this instead.
    Try(Attempt),
    /// Even at 300 px on the short side it does not fit (no real picture gets here).
    GiveUp,
}

/// The search for an encoding under 10 MB and [`MAX_PIXELS`]: JPEG quality steps at full size
/// first, then scaling by the square root of how far over the last attempt was.
#[derive(Clone, Debug)]
pub struct ShrinkSearch {
    last: Attempt,
    step: usize,
}

impl ShrinkSearch {
    /// Starts with the displayed size (capped to [`MAX_PIXELS`]) at the first quality step.
    pub fn start(size: Size, format: ImageFormat) -> (Self, Attempt) {
        let first = Attempt {
            size: fit_pixels(size, MAX_PIXELS),
            format,
            quality: QUALITY_STEPS[0],
        };
        (
            ShrinkSearch {
                last: first,
                step: 0,
            },
            first,
        )
    }

    /// Given how many bytes the last attempt made.
    pub fn next(&mut self, bytes: u64) -> Next {
        if bytes <= MAX_FILE_BYTES {
            return Next::Done;
        }
        if self.last.format == ImageFormat::Jpeg && self.step + 1 < QUALITY_STEPS.len() {
            self.step += 1;
            self.last.quality = QUALITY_STEPS[self.step];
            return Next::Try(self.last);
        }
        let size = self.last.size;
        let short = size.width.min(size.height);
        if short <= MIN_SIDE_PX {
            return Next::GiveUp;
        }
        let wanted = (SCALE_TARGET_BYTES / bytes as f64)
            .sqrt()
            .min(MAX_SCALE_STEP);
        let floor = f64::from(MIN_SIDE_PX) / f64::from(short);
        let mut next = scaled(size, wanted.max(floor));
        // Never below the minimum on the short side, whatever the rounding did.
        if next.width.min(next.height) < MIN_SIDE_PX {
            next = if size.width <= size.height {
                Size::new(MIN_SIDE_PX, next.height.max(MIN_SIDE_PX))
            } else {
                Size::new(next.width.max(MIN_SIDE_PX), MIN_SIDE_PX)
            };
        }
        self.last.size = next;
        Next::Try(self.last)
    }
}

/// A fix-up that was applied, as the person reads it in the list.
#[derive(Clone, Debug, PartialEq)]
pub enum Applied {
    Upright {
        orientation: u8,
    },
    Converted {
        from: ImageFormat,
        to: ImageFormat,
        transparent: bool,
    },
    Shrunk {
        to: ImageFormat,
        from_size: Size,
        to_size: Size,
        before: u64,
        after: u64,
    },
    Cropped(Crop),
}

impl Applied {
    pub const fn kind(&self) -> FixupKind {
        match self {
            Applied::Upright { .. } => FixupKind::Upright,
            Applied::Converted { .. } => FixupKind::Convert,
            Applied::Shrunk { .. } => FixupKind::Shrink,
            Applied::Cropped(_) => FixupKind::Crop,
        }
    }
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Applied::Upright { orientation } => {
                write!(f, "Turned upright from EXIF orientation {orientation}")
            }
            Applied::Converted {
                from,
                to,
                transparent,
            } => {
                write!(f, "Converted {from} to {to}")?;
                match (to, transparent) {
                    (ImageFormat::Png, true) => f.write_str(" (it has transparent parts)"),
                    (ImageFormat::Png, false) => f.write_str(" (small enough to stay lossless)"),
                    _ => Ok(()),
                }
            }
            Applied::Shrunk {
                to,
                from_size,
                to_size,
                before,
                after,
            } => {
                if from_size == to_size {
                    write!(f, "Re-encoded as {to}")?;
                } else {
                    write!(
                        f,
                        "Scaled down to {} × {} px as {to}",
                        to_size.width, to_size.height
                    )?;
                }
                write!(f, ": {} → {}", file_size(*before), file_size(*after))
            }
            Applied::Cropped(crop) => write!(
                f,
                "Cropped to {} ({} × {} px)",
                crop.shape(),
                crop.to.width,
                crop.to.height
            ),
        }
    }
}

/// A byte count as people read it: "14.2 MB" (1 MB = 1024 × 1024 bytes, as the limit is read),
/// "412 KB" under a megabyte.
pub fn file_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        // One decimal, rounded half up, in integers (no float formatting in the wasm).
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn megapixels(pixels: u64) -> String {
    let tenths = (pixels + 50_000) / 100_000;
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The shape rules for a picture known only by its displayed size (one at an address: its
/// format and length are the provider's business). The messages are the core's.
pub fn size_problems(size: Size) -> Vec<Problem> {
    let info = ImageInfo {
        // A stand-in format Kling accepts, so that only the size rules can speak.
        format: ImageFormat::Png,
        size,
        orientation: 1,
    };
    check_image(&info, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(format: ImageFormat, w: u32, h: u32, orientation: u8) -> ImageInfo {
        ImageInfo {
            format,
            size: Size::new(w, h),
            orientation,
        }
    }

    const MB: u64 = 1024 * 1024;

    #[test]
    fn a_plain_photo_needs_nothing() {
        assert!(needed(&info(ImageFormat::Jpeg, 4000, 3000, 1), 9 * MB).is_empty());
        assert!(needed(&info(ImageFormat::Png, 300, 750, 1), MAX_FILE_BYTES).is_empty());
    }

    #[test]
    fn an_exif_turned_jpeg_is_turned_upright_automatically() {
        let needs = needed(&info(ImageFormat::Jpeg, 4000, 3000, 6), 3 * MB);
        assert_eq!(needs, [Needed::Upright { orientation: 6 }]);
        assert!(needs[0].automatic());
        assert_eq!(needs[0].action(), "Turn upright");
        assert!(needs[0].reason().contains("turned a quarter"));
        assert_eq!(
            Applied::Upright { orientation: 6 }.to_string(),
            "Turned upright from EXIF orientation 6"
        );
    }

    #[test]
    fn formats_kling_refuses_are_converted_and_their_length_does_not_matter() {
        for format in [
            ImageFormat::Webp,
            ImageFormat::Gif,
            ImageFormat::Avif,
            ImageFormat::Bmp,
        ] {
            let needs = needed(&info(format, 2000, 1500, 1), 30 * MB);
            assert_eq!(needs, [Needed::Convert { from: format }], "{format}");
            assert!(needs[0].reason().contains("accepts only PNG and JPEG"));
        }
        // AVIF's own rotation is applied by decoding it: conversion alone.
        assert_eq!(
            needed(&info(ImageFormat::Avif, 2000, 1500, 6), MB),
            [Needed::Convert {
                from: ImageFormat::Avif
            }]
        );
    }

    #[test]
    fn converted_pictures_are_png_when_transparent_or_small_else_jpeg() {
        let big = Size::new(1600, 1200);
        let small = Size::new(800, 600);
        assert_eq!(conversion_target(big, false), ImageFormat::Jpeg);
        assert_eq!(conversion_target(big, true), ImageFormat::Png);
        assert_eq!(conversion_target(small, false), ImageFormat::Png);
        assert_eq!(
            conversion_target(Size::new(1000, 1000), false),
            ImageFormat::Png
        );
        assert_eq!(
            conversion_target(Size::new(1001, 1000), false),
            ImageFormat::Jpeg
        );
        let said = |to, transparent| {
            Applied::Converted {
                from: ImageFormat::Webp,
                to,
                transparent,
            }
            .to_string()
        };
        assert_eq!(
            said(ImageFormat::Png, true),
            "Converted WebP to PNG (it has transparent parts)"
        );
        assert_eq!(
            said(ImageFormat::Png, false),
            "Converted WebP to PNG (small enough to stay lossless)"
        );
        assert_eq!(said(ImageFormat::Jpeg, false), "Converted WebP to JPEG");
    }

    #[test]
    fn over_ten_megabytes_or_forty_megapixels_must_shrink() {
        let needs = needed(&info(ImageFormat::Jpeg, 4000, 3000, 1), 14_900_000);
        assert_eq!(
            needs,
            [Needed::Shrink {
                bytes: 14_900_000,
                pixels: 12_000_000
            }]
        );
        assert!(needs[0].reason().contains("over Kling's 10 MB limit"));
        // Exactly at the limit is fine.
        assert!(needed(&info(ImageFormat::Jpeg, 4000, 3000, 1), MAX_FILE_BYTES).is_empty());
        let huge = needed(&info(ImageFormat::Jpeg, 8000, 6000, 1), 9 * MB);
        assert_eq!(
            huge,
            [Needed::Shrink {
                bytes: 9 * MB,
                pixels: 48_000_000
            }]
        );
        assert_eq!(
            huge[0].reason(),
            "The picture has 48 megapixels; the widget sends at most 40."
        );
        // A huge WebP is converted and then shrunk.
        assert_eq!(
            needed(&info(ImageFormat::Webp, 8000, 6000, 1), MB)
                .iter()
                .map(Needed::kind)
                .collect::<Vec<_>>(),
            [FixupKind::Convert, FixupKind::Shrink]
        );
    }

    #[test]
    fn shapes_out_of_range_are_offered_a_centre_crop_never_forced() {
        let wide = needed(&info(ImageFormat::Png, 1000, 300, 1), MB);
        let Needed::Crop(crop) = wide[0] else {
            panic!("{wide:?}")
        };
        assert!(!wide[0].automatic());
        assert_eq!(crop.to, Size::new(750, 300));
        assert_eq!((crop.x, crop.y), (125, 0));
        assert_eq!(wide[0].action(), "Crop to 2.5:1");
        assert!(wide[0].reason().contains("Crop it to at most 750 px wide"));
        assert_eq!(
            Applied::Cropped(crop).to_string(),
            "Cropped to 2.5:1 (750 × 300 px)"
        );

        // Judged on the displayed size: stored 1000×350 turned a quarter is 350×1000.
        let tall = needed(&info(ImageFormat::Jpeg, 1000, 350, 6), MB);
        assert_eq!(tall[0], Needed::Upright { orientation: 6 });
        let Needed::Crop(crop) = tall[1] else {
            panic!("{tall:?}")
        };
        assert_eq!(crop.to, Size::new(350, 875));
        assert_eq!((crop.x, crop.y), (0, 62));
        assert_eq!(crop.shape(), "1:2.5");

        assert_eq!(crop_for(Size::new(750, 300)), None);
        assert_eq!(crop_for(Size::new(300, 750)), None);
        assert!(crop_for(Size::new(751, 300)).is_some());
    }

    #[test]
    fn every_crop_lands_inside_the_range_the_core_checks() {
        for w in (300..3000).step_by(37) {
            for h in (300..3000).step_by(41) {
                let size = Size::new(w, h);
                let shape_ok = |s: Size| {
                    !size_problems(s)
                        .iter()
                        .any(|p| matches!(p, Problem::AspectOutOfRange { .. }))
                };
                match crop_for(size) {
                    None => assert!(shape_ok(size), "{size}"),
                    Some(crop) => {
                        assert!(!shape_ok(size), "{size}");
                        assert!(shape_ok(crop.to), "{size} → {}", crop.to);
                        assert!(crop.x + crop.to.width <= w && crop.y + crop.to.height <= h);
                        assert_eq!(crop.to.width.min(crop.to.height), w.min(h));
                    }
                }
            }
        }
    }

    #[test]
    fn only_a_picture_under_300_px_is_refused() {
        let refused = refusal(&info(ImageFormat::Png, 280, 420, 1)).expect("too small");
        assert!(refused.to_string().contains("280 × 420"));
        assert_eq!(refusal(&info(ImageFormat::Webp, 3000, 300, 1)), None);
        // Stored 320×290, shown turned 290×320.
        assert!(refusal(&info(ImageFormat::Jpeg, 320, 290, 6)).is_some());
    }

    #[test]
    fn jpeg_shrinking_steps_quality_then_scales_by_how_far_over_it_is() {
        let (mut search, first) = ShrinkSearch::start(Size::new(4000, 3000), ImageFormat::Jpeg);
        assert_eq!(first.size, Size::new(4000, 3000));
        assert_eq!(first.quality, 0.92);
        let Next::Try(second) = search.next(12 * MB) else {
            panic!()
        };
        assert_eq!((second.size, second.quality), (Size::new(4000, 3000), 0.85));
        let Next::Try(third) = search.next(11 * MB) else {
            panic!()
        };
        assert_eq!(third.quality, 0.75);
        // 4 × over the target: about half each way.
        let Next::Try(scaled) = search.next(40 * MB) else {
            panic!()
        };
        assert_eq!(scaled.quality, 0.75);
        let expect = (0.9 * MAX_FILE_BYTES as f64 / (40 * MB) as f64).sqrt();
        assert_eq!(scaled.size.width, (4000.0 * expect).floor() as u32);
        assert_eq!(scaled.size.height, (3000.0 * expect).floor() as u32);
        assert_eq!(search.next(8 * MB), Next::Done);
    }

    #[test]
    fn png_shrinking_scales_straight_away_and_stops_at_300_px() {
        let (mut search, first) = ShrinkSearch::start(Size::new(3000, 1200), ImageFormat::Png);
        assert_eq!(first.size, Size::new(3000, 1200));
        let mut last = first;
        let mut steps = 0;
        // A picture that never fits, to see where the search ends.
        while let Next::Try(attempt) = search.next(100 * MB) {
            assert!(attempt.size.width < last.size.width);
            assert!(attempt.size.width.min(attempt.size.height) >= MIN_SIDE_PX);
            last = attempt;
            steps += 1;
            assert!(steps < 100);
        }
        assert_eq!(last.size.height, MIN_SIDE_PX);
        assert_eq!(search.next(100 * MB), Next::GiveUp);
    }

    #[test]
    fn shrinking_a_huge_picture_starts_at_forty_megapixels() {
        let (_, first) = ShrinkSearch::start(Size::new(8000, 6000), ImageFormat::Jpeg);
        assert!(first.size.pixels() <= MAX_PIXELS);
        assert!(first.size.pixels() > MAX_PIXELS - 20_000);
        let shape = f64::from(first.size.width) / f64::from(first.size.height);
        assert!((shape - 4.0 / 3.0).abs() < 0.001);
        assert_eq!(
            fit_pixels(Size::new(640, 480), MAX_PIXELS),
            Size::new(640, 480)
        );
    }

    #[test]
    fn applied_re_encodings_say_the_sizes() {
        let reencoded = Applied::Shrunk {
            to: ImageFormat::Jpeg,
            from_size: Size::new(4000, 3000),
            to_size: Size::new(4000, 3000),
            before: 14_889_779,
            after: 7_130_317,
        };
        assert_eq!(
            reencoded.to_string(),
            "Re-encoded as JPEG: 14.2 MB → 6.8 MB"
        );
        let scaled = Applied::Shrunk {
            to: ImageFormat::Png,
            from_size: Size::new(6000, 4000),
            to_size: Size::new(3000, 2000),
            before: 30 * MB,
            after: 420_000,
        };
        assert_eq!(
            scaled.to_string(),
            "Scaled down to 3000 × 2000 px as PNG: 30.0 MB → 411 KB"
        );
    }

    #[test]
    fn file_sizes_read_like_the_limit() {
        assert_eq!(file_size(MAX_FILE_BYTES), "10.0 MB");
        assert_eq!(file_size(MAX_FILE_BYTES + 60_000), "10.1 MB");
        assert_eq!(file_size(1023), "1 KB");
        assert_eq!(file_size(0), "0 KB");
    }

    #[test]
    fn url_pictures_follow_the_size_rules_only() {
        assert!(size_problems(Size::new(640, 480)).is_empty());
        let small = size_problems(Size::new(200, 480));
        assert!(matches!(small[0], Problem::TooSmall { .. }));
        assert!(matches!(
            size_problems(Size::new(2000, 480))[0],
            Problem::AspectOutOfRange { .. }
        ));
    }
}
