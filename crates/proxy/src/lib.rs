//! kling-expand-proxy: keeps Kling API secrets on the server, gives the widget one origin, and
//! carries an offline local engine that speaks the official Kling Image Expansion API.

pub mod duration;
pub mod expand;
pub mod jwt;
pub mod ratelimit;
pub mod secret;
