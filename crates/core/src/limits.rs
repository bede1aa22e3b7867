//! Every limit Kling publishes for Image Expansion, in one place.
//!
//! All four providers inherit these from Kling (see `providers.md`, section 1). Other modules
//! refer to these constants instead of repeating the numbers, so a change of policy is a change
//! here.

/// Largest accepted image file: 10 MB, read as 10 × 1024 × 1024 bytes (the safe reading).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Smallest accepted width and height of the original picture, in pixels.
pub const MIN_SIDE_PX: u32 = 300;
/// Narrowest accepted original, as width / height (1:2.5).
pub const MIN_INPUT_ASPECT: f64 = 0.4;
/// Widest accepted original, as width / height (2.5:1).
pub const MAX_INPUT_ASPECT: f64 = 2.5;
/// Largest expansion on one side, as a multiple of the original height (up/down) or width
/// (left/right).
pub const MAX_SIDE_RATIO: f64 = 2.0;
/// Largest area of the new canvas, as a multiple of the original area:
/// `(1 + left + right) × (1 + up + down) ≤ 3`.
pub const MAX_AREA_FACTOR: f64 = 3.0;
/// Longest prompt, counted in characters (Unicode scalar values), not bytes.
pub const MAX_PROMPT_CHARS: usize = 2500;
/// Fewest pictures one task can produce.
pub const MIN_N: u8 = 1;
/// Most pictures one task can produce.
pub const MAX_N: u8 = 9;
/// Decimal places of each expansion ratio on the wire.
pub const RATIO_DECIMALS: u32 = 4;
/// Days after which Kling deletes result pictures.
pub const RESULT_LINK_DAYS: u32 = 30;

/// One day in milliseconds, for turning [`RESULT_LINK_DAYS`] into timestamps.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

// Bounds of this project, not published by Kling: they keep what a server stores and echoes
// about one task small.

/// Longest `external_task_id`, in bytes.
pub const MAX_EXTERNAL_ID_BYTES: usize = 128;
/// Longest picture or callback address, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
