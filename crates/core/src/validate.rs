//! Every Kling limit as a typed [`Problem`] whose message says what is wrong, by how much, and
//! what to do. The widget shows these before spending a paid call; the proxy runs the same
//! checks server-side through [`ExpandRequest::validate`].

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::base64;
use crate::geometry::{RatioProblem, Ratios};
use crate::inspect::{check_complete, inspect, ImageFormat, ImageInfo, InspectError};
use crate::limits::{
    MAX_EXTERNAL_ID_BYTES, MAX_FILE_BYTES, MAX_INPUT_ASPECT, MAX_N, MAX_PROMPT_CHARS,
    MAX_URL_BYTES, MIN_INPUT_ASPECT, MIN_N, MIN_SIDE_PX,
};
use crate::text::{count, decimal, megabytes, Sentence};

/// Which address a URL problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlField {
    /// The picture's address (`image`).
    Image,
    /// The status notification address (`callback_url`).
    Callback,
}

impl UrlField {
    const fn noun(&self) -> &'static str {
        match self {
            UrlField::Image => "picture address",
            UrlField::Callback => "callback address",
        }
    }
}

/// One broken rule, with the measured value.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A recognised format Kling does not take (WebP, GIF, BMP, AVIF, HEIC).
    NeedsConversion { format: ImageFormat },
    /// The file is larger than [`MAX_FILE_BYTES`].
    FileTooLarge { bytes: u64 },
    /// Width or height (as displayed) below [`MIN_SIDE_PX`].
    TooSmall { width: u32, height: u32 },
    /// Width / height (as displayed) outside [`MIN_INPUT_ASPECT`]..=[`MAX_INPUT_ASPECT`].
    AspectOutOfRange { width: u32, height: u32 },
    /// The picture bytes could not be read.
    Unreadable(InspectError),
    /// No picture given: empty Base64 or empty address.
    NoImage,
    /// The Base64 text starts with a `data:` URL prefix.
    DataUrlPrefix,
    /// The Base64 text has an invalid character at this byte offset.
    InvalidBase64 { position: usize },
    /// An address that does not start with `http://` or `https://`; `scheme` is what it starts
    /// with (never the whole address, which may carry tokens).
    UrlScheme { field: UrlField, scheme: String },
    /// An http(s) address that cannot be used: no host, or spaces/control characters.
    UrlMalformed {
        field: UrlField,
        reason: &'static str,
    },
    /// The prompt is longer than [`MAX_PROMPT_CHARS`] characters.
    PromptTooLong { chars: usize },
    /// `n` outside [`MIN_N`]..=[`MAX_N`].
    CountOutOfRange { n: u32 },
    /// A ratio or the area is outside Kling's limits.
    Ratios(RatioProblem),
    /// All four sides are 0: Kling would return the picture unchanged, for a price.
    NoExpansion,
    /// An address longer than [`MAX_URL_BYTES`].
    UrlTooLong { field: UrlField, bytes: usize },
    /// An `external_task_id` longer than [`MAX_EXTERNAL_ID_BYTES`].
    ExternalIdTooLong { bytes: usize },
}

impl Problem {
    /// The message, as parts a translation can say in another language (see [`Sentence`]).
    pub fn sentence(&self) -> Sentence {
        let one = Sentence::new;
        match self {
            Problem::NeedsConversion { format } => one(
                "This is a {0} picture; Kling accepts only PNG and JPEG. Convert it to PNG or \
                 JPEG first.",
                vec![format.to_string()],
            ),
            Problem::FileTooLarge { bytes } => {
                let over = bytes.saturating_sub(MAX_FILE_BYTES);
                let by = if over == 1 {
                    Sentence::new("1 byte", vec![])
                } else if over < 100 * 1024 {
                    Sentence::new("{0} bytes", vec![count(over)])
                } else {
                    Sentence::new("{0} MB", vec![megabytes(over)])
                };
                // The amount over is a part of its own, said in the same language.
                let mut sentence = one("The file is {0} MB, ", vec![megabytes(*bytes)]);
                sentence.0.extend(by.0);
                sentence.and(
                    " over Kling's 10 MB limit. Save it as JPEG at a lower quality or at a \
                     smaller size.",
                    vec![],
                )
            }
            Problem::TooSmall { width, height } => {
                let (w, h) = (u64::from(*width), u64::from(*height));
                let short = w.min(h).max(1);
                let min = u64::from(MIN_SIDE_PX);
                let grow = |x: u64| (x * min).div_ceil(short);
                let first = one(
                    "The picture is {0} × {1} px; Kling needs at least {2} px on each side.",
                    vec![
                        width.to_string(),
                        height.to_string(),
                        MIN_SIDE_PX.to_string(),
                    ],
                );
                let aspect = w as f64 / h.max(1) as f64;
                if (MIN_INPUT_ASPECT..=MAX_INPUT_ASPECT).contains(&aspect) {
                    first.and(
                        " Enlarge it to at least {0} × {1} px, or choose a larger picture.",
                        vec![grow(w).to_string(), grow(h).to_string()],
                    )
                } else {
                    // Enlarging alone would keep a shape Kling refuses (reported separately).
                    first.and(" Choose a larger picture.", vec![])
                }
            }
            Problem::AspectOutOfRange { width, height } => {
                let (w, h) = (u64::from(*width), u64::from(*height));
                if w >= h {
                    one(
                        "The picture is {0} × {1} px, {2}:1; Kling accepts shapes from 1:2.5 \
                         (tall) to 2.5:1 (wide). Crop it to at most {3} px wide ({3} × {1} px).",
                        vec![
                            width.to_string(),
                            height.to_string(),
                            decimal(w as f64 / h.max(1) as f64, 2),
                            (h * 5 / 2).to_string(),
                        ],
                    )
                } else {
                    one(
                        "The picture is {0} × {1} px, 1:{2}; Kling accepts shapes from 1:2.5 \
                         (tall) to 2.5:1 (wide). Crop it to at most {3} px tall ({0} × {3} px).",
                        vec![
                            width.to_string(),
                            height.to_string(),
                            decimal(h as f64 / w.max(1) as f64, 2),
                            (w * 5 / 2).to_string(),
                        ],
                    )
                }
            }
            Problem::Unreadable(error) => error.sentence(),
            Problem::NoImage => one(
                "No picture was given. Choose a PNG or JPEG file, or paste a picture's web \
                 address.",
                vec![],
            ),
            Problem::DataUrlPrefix => one(
                "The picture data starts with a \"data:\" prefix; Kling needs only the Base64 \
                 text after the comma. Remove everything up to and including the comma.",
                vec![],
            ),
            Problem::InvalidBase64 { position } => one(
                "The picture data is not valid Base64: character {0} is not allowed (spaces and \
                 line breaks count). Send the file's Base64 text in one piece.",
                vec![count(*position as u64 + 1)],
            ),
            Problem::UrlScheme { field, scheme } if scheme.eq_ignore_ascii_case("data") => one(
                "The {0} is a data: URL. Send the Base64 text after the comma as the picture \
                 instead, or use an http:// or https:// address.",
                vec![field.noun().to_owned()],
            ),
            Problem::UrlScheme { field, scheme } => one(
                "The {0} starts with \"{1}:\"; only http:// and https:// addresses can be used. \
                 Use a web address the provider can download from.",
                vec![field.noun().to_owned(), scheme.clone()],
            ),
            Problem::UrlMalformed { field, reason } => one(
                "The {0} {1}. Paste the full address, e.g. https://example.com/photo.jpg.",
                vec![field.noun().to_owned(), (*reason).to_owned()],
            ),
            Problem::PromptTooLong { chars } => {
                let over = chars - MAX_PROMPT_CHARS.min(*chars);
                one(
                    if over == 1 {
                        "The prompt is {0} characters; Kling accepts at most {1}. Shorten it by \
                         {2} character."
                    } else {
                        "The prompt is {0} characters; Kling accepts at most {1}. Shorten it by \
                         {2} characters."
                    },
                    vec![
                        count(*chars as u64),
                        count(MAX_PROMPT_CHARS as u64),
                        count(over as u64),
                    ],
                )
            }
            Problem::CountOutOfRange { n } => one(
                "{0} pictures were asked for; Kling makes {1} to {2} per task. Choose a number \
                 from {1} to {2}.",
                vec![n.to_string(), MIN_N.to_string(), MAX_N.to_string()],
            ),
            Problem::Ratios(problem) => problem.sentence(),
            Problem::NoExpansion => one(
                "All four sides are 0, so Kling would return the picture unchanged. Expand at \
                 least one side: raise the area above ×1 or choose another aspect.",
                vec![],
            ),
            Problem::UrlTooLong { field, bytes } => one(
                "The {0} is {1} bytes long; at most {2} are accepted. Use a shorter address, or \
                 send the picture itself.",
                vec![
                    field.noun().to_owned(),
                    count(*bytes as u64),
                    count(MAX_URL_BYTES as u64),
                ],
            ),
            Problem::ExternalIdTooLong { bytes } => one(
                "external_task_id is {0} bytes long; at most {1} are accepted. Use a shorter id.",
                vec![count(*bytes as u64), MAX_EXTERNAL_ID_BYTES.to_string()],
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sentence().fmt(f)
    }
}

impl std::error::Error for Problem {}

impl From<RatioProblem> for Problem {
    fn from(problem: RatioProblem) -> Self {
        Problem::Ratios(problem)
    }
}

impl From<InspectError> for Problem {
    fn from(error: InspectError) -> Self {
        Problem::Unreadable(error)
    }
}

/// Format, file size, dimensions and shape of an inspected picture. Dimensions are checked on
/// the displayed size (after EXIF orientation), which is what a person sees. Returns every
/// problem found, in that order.
pub fn check_image(info: &ImageInfo, byte_len: u64) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !info.format.accepted() {
        problems.push(Problem::NeedsConversion {
            format: info.format,
        });
    }
    if byte_len > MAX_FILE_BYTES {
        problems.push(Problem::FileTooLarge { bytes: byte_len });
    }
    let shown = info.displayed_size();
    if shown.width < MIN_SIDE_PX || shown.height < MIN_SIDE_PX {
        problems.push(Problem::TooSmall {
            width: shown.width,
            height: shown.height,
        });
    }
    let aspect = shown.aspect();
    if !(MIN_INPUT_ASPECT..=MAX_INPUT_ASPECT).contains(&aspect) {
        problems.push(Problem::AspectOutOfRange {
            width: shown.width,
            height: shown.height,
        });
    }
    problems
}

/// Inspect a whole file's bytes and check them: its headers, that it is not cut off, and every
/// limit.
pub fn check_image_bytes(bytes: &[u8]) -> Result<ImageInfo, Vec<Problem>> {
    let info = inspect(bytes).map_err(|e| vec![Problem::Unreadable(e)])?;
    let mut problems: Vec<Problem> = check_complete(bytes)
        .err()
        .map(Into::into)
        .into_iter()
        .collect();
    problems.extend(check_image(&info, bytes.len() as u64));
    if problems.is_empty() {
        Ok(info)
    } else {
        Err(problems)
    }
}

/// At most [`MAX_PROMPT_CHARS`] characters (Unicode scalar values, not bytes).
pub fn check_prompt(prompt: &str) -> Result<(), Problem> {
    let chars = prompt.chars().count();
    if chars > MAX_PROMPT_CHARS {
        return Err(Problem::PromptTooLong { chars });
    }
    Ok(())
}

/// `n` from [`MIN_N`] to [`MAX_N`].
pub fn check_n(n: u32) -> Result<(), Problem> {
    if n < u32::from(MIN_N) || n > u32::from(MAX_N) {
        return Err(Problem::CountOutOfRange { n });
    }
    Ok(())
}

/// An http(s) address the provider can download the picture from.
pub fn check_image_url(url: &str) -> Result<(), Problem> {
    check_url(url, UrlField::Image)
}

/// An http(s) address for status notifications.
pub fn check_callback_url(url: &str) -> Result<(), Problem> {
    check_url(url, UrlField::Callback)
}

fn check_url(url: &str, field: UrlField) -> Result<(), Problem> {
    if url.len() > MAX_URL_BYTES {
        return Err(Problem::UrlTooLong {
            field,
            bytes: url.len(),
        });
    }
    if url.is_empty() {
        return Err(match field {
            UrlField::Image => Problem::NoImage,
            UrlField::Callback => Problem::UrlMalformed {
                field,
                reason: "is empty",
            },
        });
    }
    let rest = match crate::text::split_around(url, "://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            rest
        }
        _ => {
            // Name only the scheme: the rest of an address may carry tokens.
            let scheme: String = url
                .split([':', '/'])
                .next()
                .unwrap_or_default()
                .chars()
                .take(16)
                .collect();
            return Err(Problem::UrlScheme { field, scheme });
        }
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::UrlMalformed {
            field,
            reason: "contains spaces or line breaks (write a space as %20)",
        });
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if host.is_empty() {
        return Err(Problem::UrlMalformed {
            field,
            reason: "has no host name",
        });
    }
    Ok(())
}

/// Each side in `[0, 2]`, area at most 3, and at least one side above 0 (all zeros would pay
/// for an unchanged picture).
pub fn check_ratios(ratios: &Ratios) -> Result<(), Problem> {
    ratios.check()?;
    if ratios.is_zero() {
        return Err(Problem::NoExpansion);
    }
    Ok(())
}

/// The picture of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSource {
    /// Raw Base64 of the file, with no `data:` prefix.
    Base64(String),
    /// An http(s) address the provider downloads from.
    Url(String),
}

impl ImageSource {
    /// The string that goes in the `image` field.
    pub fn as_wire(&self) -> &str {
        match self {
            ImageSource::Base64(text) | ImageSource::Url(text) => text,
        }
    }

    /// Read a wire `image` value: an http(s) address is a URL, anything else Base64.
    pub fn from_wire(value: &str) -> Self {
        let head = value.as_bytes();
        let starts = |p: &str| {
            head.get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
        };
        if starts("http://") || starts("https://") {
            ImageSource::Url(value.to_owned())
        } else {
            ImageSource::Base64(value.to_owned())
        }
    }
}

/// Everything one expansion task needs, independent of the provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpandRequest {
    pub image: ImageSource,
    pub ratios: Ratios,
    pub prompt: Option<String>,
    pub n: u8,
    pub watermark: bool,
    pub external_task_id: Option<String>,
    pub callback_url: Option<String>,
}

impl ExpandRequest {
    /// A request for one picture, no prompt, no watermark.
    pub fn new(image: ImageSource, ratios: Ratios) -> Self {
        ExpandRequest {
            image,
            ratios,
            prompt: None,
            n: 1,
            watermark: false,
            external_task_id: None,
            callback_url: None,
        }
    }

    /// Every problem with this request. A Base64 picture is decoded and its headers inspected
    /// (format, size, dimensions, shape, not cut off); a URL picture can only be checked as an
    /// address.
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        self.validate_and_decode().map(|_| ())
    }

    /// [`validate`](Self::validate), giving the decoded bytes of a Base64 picture (for a server
    /// that goes on to use them) or `None` for a URL.
    pub fn validate_and_decode(&self) -> Result<Option<Vec<u8>>, Vec<Problem>> {
        let mut problems = Vec::new();
        let picture = match &self.image {
            ImageSource::Url(url) => {
                problems.extend(check_image_url(url).err());
                None
            }
            ImageSource::Base64(text) => match decode_base64_image(text) {
                Ok(bytes) => Some(bytes),
                Err(found) => {
                    problems.extend(found);
                    None
                }
            },
        };
        problems.extend(check_ratios(&self.ratios).err());
        if let Some(prompt) = &self.prompt {
            problems.extend(check_prompt(prompt).err());
        }
        problems.extend(check_n(u32::from(self.n)).err());
        if let Some(url) = &self.callback_url {
            if !url.is_empty() {
                problems.extend(check_callback_url(url).err());
            }
        }
        if let Some(id) = &self.external_task_id {
            if id.len() > MAX_EXTERNAL_ID_BYTES {
                problems.push(Problem::ExternalIdTooLong { bytes: id.len() });
            }
        }
        if problems.is_empty() {
            Ok(picture)
        } else {
            Err(problems)
        }
    }
}

/// Decodes a picture sent as Base64 and checks it like Kling: raw Base64 without a `data:`
/// prefix, PNG or JPEG, not cut off, at most 10 MB, at least 300 px a side, aspect within 1:2.5
/// to 2.5:1.
/// Gives the bytes, for a server that goes on to use them.
pub fn decode_base64_image(text: &str) -> Result<Vec<u8>, Vec<Problem>> {
    if text.is_empty() {
        return Err(vec![Problem::NoImage]);
    }
    if text
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
    {
        return Err(vec![Problem::DataUrlPrefix]);
    }
    let bytes = base64::decode(text).map_err(|e| {
        vec![Problem::InvalidBase64 {
            position: e.position,
        }]
    })?;
    check_image_bytes(&bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Side, Size};
    use crate::inspect::tests::{jpeg_bytes, png_bytes};

    fn info(format: ImageFormat, w: u32, h: u32, orientation: u8) -> ImageInfo {
        ImageInfo {
            format,
            size: Size::new(w, h),
            orientation,
        }
    }

    #[test]
    fn a_picture_under_300_px_is_told_its_size_and_the_minimum() {
        let problems = check_image(&info(ImageFormat::Jpeg, 280, 420, 1), 1000);
        assert_eq!(
            problems,
            vec![Problem::TooSmall {
                width: 280,
                height: 420
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "The picture is 280 × 420 px; Kling needs at least 300 px on each side. Enlarge it \
             to at least 300 × 450 px, or choose a larger picture."
        );
    }

    #[test]
    fn dimensions_use_the_displayed_size() {
        // Stored 1000×350 (2.86:1, out of range), shown turned: 350×1000 (1:2.86) is still out.
        let p = check_image(&info(ImageFormat::Jpeg, 1000, 350, 6), 1000);
        assert_eq!(
            p,
            vec![Problem::AspectOutOfRange {
                width: 350,
                height: 1000
            }]
        );
        assert_eq!(
            p[0].to_string(),
            "The picture is 350 × 1000 px, 1:2.86; Kling accepts shapes from 1:2.5 (tall) to \
             2.5:1 (wide). Crop it to at most 875 px tall (350 × 875 px)."
        );
        // Stored 320×290 but shown turned: 290×320 is too small in width.
        let p = check_image(&info(ImageFormat::Png, 320, 290, 8), 1000);
        assert_eq!(
            p,
            vec![Problem::TooSmall {
                width: 290,
                height: 320
            }]
        );
    }

    #[test]
    fn size_and_format_limits() {
        let p = check_image(&info(ImageFormat::Webp, 1000, 1000, 1), 13_002_342);
        assert_eq!(
            p,
            vec![
                Problem::NeedsConversion {
                    format: ImageFormat::Webp
                },
                Problem::FileTooLarge { bytes: 13_002_342 }
            ]
        );
        assert_eq!(
            p[0].to_string(),
            "This is a WebP picture; Kling accepts only PNG and JPEG. Convert it to PNG or JPEG \
             first."
        );
        assert_eq!(
            p[1].to_string(),
            "The file is 12.4 MB, 2.4 MB over Kling's 10 MB limit. Save it as JPEG at a lower \
             quality or at a smaller size."
        );
        let just_over = Problem::FileTooLarge {
            bytes: MAX_FILE_BYTES + 12,
        };
        assert!(just_over.to_string().contains("12 bytes over"));
        let one_over = Problem::FileTooLarge {
            bytes: MAX_FILE_BYTES + 1,
        };
        assert!(one_over.to_string().contains(", 1 byte over"));
        let thin = Problem::TooSmall {
            width: 120,
            height: 2000,
        };
        assert_eq!(
            thin.to_string(),
            "The picture is 120 × 2000 px; Kling needs at least 300 px on each side. Choose a \
             larger picture."
        );
        assert!(check_image(&info(ImageFormat::Png, 300, 750, 1), MAX_FILE_BYTES).is_empty());
    }

    #[test]
    fn wide_pictures_are_told_how_to_crop() {
        let p = check_image(&info(ImageFormat::Png, 1000, 300, 1), 10);
        assert_eq!(
            p[0].to_string(),
            "The picture is 1000 × 300 px, 3.33:1; Kling accepts shapes from 1:2.5 (tall) to \
             2.5:1 (wide). Crop it to at most 750 px wide (750 × 300 px)."
        );
    }

    #[test]
    fn prompt_counts_characters_not_bytes() {
        let accented = "é".repeat(MAX_PROMPT_CHARS); // 5000 bytes, 2500 characters
        assert_eq!(check_prompt(&accented), Ok(()));
        let long = "a".repeat(2613);
        let err = check_prompt(&long).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The prompt is 2,613 characters; Kling accepts at most 2,500. Shorten it by 113 \
             characters."
        );
        let one_over = check_prompt(&"é".repeat(MAX_PROMPT_CHARS + 1)).unwrap_err();
        assert!(
            one_over.to_string().ends_with("Shorten it by 1 character."),
            "{one_over}"
        );
    }

    #[test]
    fn n_range() {
        assert_eq!(check_n(0), Err(Problem::CountOutOfRange { n: 0 }));
        assert_eq!(check_n(1), Ok(()));
        assert_eq!(check_n(9), Ok(()));
        let err = check_n(12).unwrap_err();
        assert_eq!(
            err.to_string(),
            "12 pictures were asked for; Kling makes 1 to 9 per task. Choose a number from 1 to 9."
        );
    }

    #[test]
    fn urls_http_only() {
        assert_eq!(check_image_url("https://example.com/a.jpg"), Ok(()));
        assert_eq!(check_image_url("HTTP://example.com:8080/a.jpg?x=1"), Ok(()));
        let err = check_image_url("ftp://example.com/secret?token=abc").unwrap_err();
        assert_eq!(
            err,
            Problem::UrlScheme {
                field: UrlField::Image,
                scheme: "ftp".into()
            }
        );
        assert!(!err.to_string().contains("token"));
        assert!(check_image_url("data:image/png;base64,iVBOR")
            .unwrap_err()
            .to_string()
            .contains("data: URL"));
        assert!(matches!(
            check_image_url("https:///a.jpg"),
            Err(Problem::UrlMalformed { .. })
        ));
        assert!(matches!(
            check_image_url("https://exa mple.com/a.jpg"),
            Err(Problem::UrlMalformed { .. })
        ));
        assert!(matches!(
            check_image_url("example.com/a.jpg"),
            Err(Problem::UrlScheme { .. })
        ));
        assert_eq!(check_image_url(""), Err(Problem::NoImage));
    }

    #[test]
    fn ratios_and_zero_expansion() {
        assert_eq!(check_ratios(&Ratios::ZERO), Err(Problem::NoExpansion));
        assert_eq!(check_ratios(&Ratios::new(0.1, 0.0, 0.0, 0.0)), Ok(()));
        assert!(matches!(
            check_ratios(&Ratios::new(0.0, 0.0, 2.1, 0.0)),
            Err(Problem::Ratios(RatioProblem::TooLarge {
                side: Side::Left,
                ..
            }))
        ));
    }

    #[test]
    fn request_validation_decodes_base64_pictures() {
        let good = base64::encode(&png_bytes(800, 600, None));
        let mut req =
            ExpandRequest::new(ImageSource::Base64(good), Ratios::new(0.1, 0.1, 0.2, 0.2));
        assert_eq!(req.validate(), Ok(()));

        req.image = ImageSource::Base64(base64::encode(&jpeg_bytes(280, 420, None, true)));
        req.prompt = Some("x".repeat(2501));
        req.n = 0;
        req.ratios = Ratios::ZERO;
        req.callback_url = Some("ws://example.com/hook".into());
        let problems = req.validate().unwrap_err();
        assert_eq!(
            problems,
            vec![
                Problem::TooSmall {
                    width: 280,
                    height: 420
                },
                Problem::NoExpansion,
                Problem::PromptTooLong { chars: 2501 },
                Problem::CountOutOfRange { n: 0 },
                Problem::UrlScheme {
                    field: UrlField::Callback,
                    scheme: "ws".into()
                },
            ]
        );

        req = ExpandRequest::new(
            ImageSource::Base64("data:image/png;base64,iVBOR".into()),
            Ratios::new(0.1, 0.1, 0.1, 0.1),
        );
        assert_eq!(req.validate(), Err(vec![Problem::DataUrlPrefix]));
        req.image = ImageSource::Base64("iVBO Rw0K".into());
        assert_eq!(
            req.validate(),
            Err(vec![Problem::InvalidBase64 { position: 4 }])
        );
        req.image = ImageSource::Base64(base64::encode(b"%PDF-1.4 hello"));
        assert_eq!(
            req.validate(),
            Err(vec![Problem::Unreadable(InspectError::Unrecognized {
                looks_like: Some("a PDF document")
            })])
        );
    }

    #[test]
    fn long_addresses_and_ids_are_refused_with_their_length() {
        let long_url = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
        let mut req = ExpandRequest::new(
            ImageSource::Url(long_url.clone()),
            Ratios::new(0.1, 0.1, 0.1, 0.1),
        );
        req.callback_url = Some(long_url.clone());
        req.external_task_id = Some("x".repeat(MAX_EXTERNAL_ID_BYTES + 1));
        let problems = req.validate().unwrap_err();
        assert_eq!(
            problems,
            vec![
                Problem::UrlTooLong {
                    field: UrlField::Image,
                    bytes: long_url.len()
                },
                Problem::UrlTooLong {
                    field: UrlField::Callback,
                    bytes: long_url.len()
                },
                Problem::ExternalIdTooLong { bytes: 129 },
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "The picture address is 2,068 bytes long; at most 2,048 are accepted. Use a shorter \
             address, or send the picture itself."
        );
        assert_eq!(
            problems[2].to_string(),
            "external_task_id is 129 bytes long; at most 128 are accepted. Use a shorter id."
        );
        req.image = ImageSource::Url("https://example.com/a.png".into());
        req.callback_url = None;
        req.external_task_id = Some("é".repeat(64)); // 128 bytes
        assert_eq!(req.validate_and_decode(), Ok(None));
    }

    #[test]
    fn a_base64_picture_cut_off_after_its_header_is_refused_and_a_whole_one_is_given_back() {
        let whole = png_bytes(800, 600, None);
        let mut req = ExpandRequest::new(
            ImageSource::Base64(base64::encode(&whole)),
            Ratios::new(0.1, 0.1, 0.2, 0.2),
        );
        assert_eq!(req.validate_and_decode(), Ok(Some(whole.clone())));
        let cut = &whole[..whole.len() - 12];
        req.image = ImageSource::Base64(base64::encode(cut));
        assert_eq!(
            req.validate(),
            Err(vec![Problem::Unreadable(InspectError::CutOff {
                format: ImageFormat::Png,
                len: cut.len()
            })])
        );
    }

    #[test]
    fn wire_image_values() {
        assert_eq!(
            ImageSource::from_wire("https://x.test/a.png"),
            ImageSource::Url("https://x.test/a.png".into())
        );
        assert_eq!(
            ImageSource::from_wire("iVBORw0KGgo"),
            ImageSource::Base64("iVBORw0KGgo".into())
        );
    }
}
