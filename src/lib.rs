//! kling-expand: a Leptos widget that expands a picture beyond its borders with Kling's Image
//! Expansion API, through a proxy that keeps the API secrets on the server.
//!
//! - [`model`]: pure models of what the widget shows (unit-tested natively);
//! - [`browser`]: the one place that touches the browser;
//! - [`actions`]: what happens when the person acts (load a picture, expand);
//! - [`components`]: the visible parts, one per file; [`App`] puts them together.

pub mod actions;
pub mod app;
pub mod browser;
pub mod components;
pub mod config;
pub mod model;
pub mod state;

pub use app::App;
pub use config::WidgetConfig;

use leptos::prelude::*;

/// Mounts a widget into every element with a `data-kling-expand` attribute, configured by its
/// `data-endpoint` and `data-dialect`; into a new element at the end of `<body>` when the page
/// has none.
pub fn mount_all() {
    for (position, host) in browser::widget_hosts().into_iter().enumerate() {
        let (config, warning) = WidgetConfig::from_attributes(
            host.get_attribute("data-endpoint").as_deref(),
            host.get_attribute("data-dialect").as_deref(),
        );
        let key = browser::lifecycle::storage_key(&host, position);
        // The widget's own owner: running tasks hold on to it, so dropping the mount handle
        // alone would not end them; cleaning it up runs the widget's cleanups (which stop
        // polling) and disposes its reactive state.
        let owner = Owner::new();
        let mounted = owner.with(|| {
            leptos::mount::mount_to(host.clone(), move || {
                view! { <App config config_warning=warning storage_key=Some(key) /> }
            })
        });
        // The widget lives as long as its element: when the page removes it, it ends.
        browser::lifecycle::when_removed(&host, move || {
            drop(mounted);
            owner.cleanup();
        });
    }
}
