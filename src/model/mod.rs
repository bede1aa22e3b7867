//! Pure models of what the widget shows: no browser, unit-tested natively.

pub mod events;
pub mod fixups;
pub mod framing;
pub mod progress;
pub mod readiness;
pub mod results;
pub mod saved;
