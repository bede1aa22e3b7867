//! kling-expand-proxy: keeps Kling API secrets on the server, gives the widget one origin, and
//! carries an offline local engine that speaks the official Kling Image Expansion API.

pub mod access;
pub mod api;
pub mod config;
pub mod create_body;
pub mod duration;
pub mod egress;
pub mod engine;
pub mod forward;
pub mod jwt;
pub mod live;
pub mod ratelimit;
pub mod secret;
pub mod server;
pub mod store;
pub mod transport;
pub mod widget_files;
pub mod wire;

/// The engine's picture work, also used by the benchmarks and the tests.
pub use engine::expand;
