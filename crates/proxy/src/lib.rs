//! kling-expand-proxy: keeps Kling API secrets on the server, gives the widget one origin, and
//! carries an offline local engine that speaks the official Kling Image Expansion API.

pub mod config;
pub mod duration;
pub mod engine;
pub mod expand;
pub mod forward;
pub mod jwt;
pub mod ratelimit;
pub mod secret;
pub mod server;
pub mod wire;
