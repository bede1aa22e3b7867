//! The pure core of kling-expand: everything about Kling's Image Expansion API that needs no
//! browser and no network, shared by the widget (compiled to wasm32) and the proxy (whose local
//! engine speaks the same API).
//!
//! No clocks, no randomness sources, no I/O: time comes in as arguments, randomness as a seed.
//! Dependencies are serde (the wire types' derives, for the proxy) and zmij (float text) only.
//!
//! | module | capability |
//! |---|---|
//! | [`limits`] | every limit Kling publishes, as constants |
//! | [`geometry`] | from aspect + area + placement to the four ratios, the smallest canvas of the aspect at least (and free mode, one side at a time); rounding that keeps every limit; output pixels; ratios for EXIF-turned pictures |
//! | [`inspect`](mod@inspect) | format, size and EXIF orientation from a file's header bytes, without decoding pixels |
//! | [`validate`] | every limit as a [`Problem`] whose message says what is wrong, by how much, and what to do; the provider-independent [`ExpandRequest`] |
//! | [`dialect`] | the four providers (kling, cometapi, kkiai, modellix): paths, the proxy's route allowlist, request bodies, answer parsing to [`TaskSnapshot`] / [`ApiError`]; [`kling`] holds the official wire types and error-code table |
//! | [`poll`] | a deterministic polling schedule: backoff with jitter, Retry-After, deadline |
//! | [`json`] | a small JSON value, its strict parser and compact writer (serde_json's documents, without its code in the widget) |
//! | [`base64`] | raw Base64 for image payloads |
//!
//! The golden example from Kling's documentation, end to end:
//!
//! ```
//! use kling_expand_core::{plan, Anchor, Aspect, Size};
//!
//! let ratios = plan(Size::new(100, 100), Aspect::new(16.0, 9.0), 3.0, Anchor::Center).unwrap();
//! assert_eq!(ratios.to_string(), "0.1495,0.1495,0.6547,0.6547");
//! ```

pub mod base64;
pub mod dialect;
pub mod geometry;
pub mod inspect;
pub mod json;
pub mod limits;
pub mod poll;
pub mod text;
pub mod validate;

pub use dialect::kling;
pub use dialect::{
    category_for_http, parse_http_date, parse_retry_after, ApiError, Created, Dialect,
    ErrorCategory, Refusal, ResultImage, Route, TaskSnapshot, TaskStatus, UnknownDialect,
};
pub use geometry::{
    canvas_area, max_side, min_multiplier, plan, seed_ratios, set_side, Anchor, Aspect, Canvas,
    Cap, CapReason, Infeasible, Limit, Placement, Position, RatioProblem, Ratios, Side, SideEdit,
    Size,
};
pub use inspect::{inspect, ImageFormat, ImageInfo, InspectError};
pub use poll::{PollConfig, PollSchedule};
pub use validate::{
    check_callback_url, check_image, check_image_bytes, check_image_url, check_n, check_prompt,
    check_ratios, ExpandRequest, ImageSource, Problem, UrlField,
};
