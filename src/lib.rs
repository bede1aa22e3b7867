//! kling-expand: a Leptos widget that expands a picture beyond its borders with Kling's Image
//! Expansion API, through a proxy that keeps the API secrets on the server.
//!
//! - [`model`]: pure models of what the widget shows (unit-tested natively);
//! - [`browser`]: the one place that touches the browser;
//! - [`actions`]: what happens when the person acts (load a picture, expand);
//! - [`components`]: the visible parts, one per file; [`App`] puts them together;
//! - [`embed`]: the widgets of a page, and the host page's ways in.

pub mod actions;
pub mod app;
pub mod browser;
pub mod components;
pub mod config;
pub mod embed;
pub mod i18n;
pub mod model;
pub mod state;

pub use app::App;
pub use config::WidgetConfig;

/// Mounts a widget into every element with a `data-kling-expand` attribute, configured by its
/// `data-*` attributes (`data-endpoint`, `data-dialect`, …); into a new element at the end of
/// `<body>` when the page has none.
pub fn mount_all() {
    embed::mount_hosts(true);
}
