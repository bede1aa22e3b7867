//! The widget as a whole.

use leptos::prelude::*;

use crate::actions::host::{follow_settings, report_pictures, HostSettings};
use crate::actions::load_picture::{allow_drop, take_drop, take_paste};
use crate::actions::persist::{follow_picture, keep_across_reloads};
use crate::components::{
    CanvasPreview, ErrorAlert, ExpandButton, FixupList, FramingPanel, ImagePicker, ImageUrlField,
    ProgressStatus, RequestOptions, ResultsList,
};
use crate::config::WidgetConfig;
use crate::i18n::{en, Strings};
use crate::state::{ShownError, WidgetState};

/// One widget instance. `config_warning` is shown to the page's author when the host element's
/// attributes were not understood.
#[component]
pub fn App(
    config: WidgetConfig,
    #[prop(optional_no_strip)] config_warning: Option<String>,
    /// Where the widget's work is kept across page reloads; none keeps nothing.
    #[prop(optional_no_strip)]
    storage_key: Option<String>,
    /// The host page's options, applied as they change.
    #[prop(optional_no_strip)]
    host_settings: Option<RwSignal<HostSettings>>,
    /// The words it says (English when not given).
    #[prop(optional)]
    strings: Strings,
) -> impl IntoView {
    let theme = config.theme;
    let state = WidgetState::new(config);
    state.strings.set_value(strings.clone());
    state.theme.set(theme);
    provide_context(strings);
    if let Some(settings) = host_settings {
        follow_settings(state, settings);
    }
    report_pictures(state);
    if let Some(detail) = config_warning {
        state.error.set(Some(ShownError {
            title: state.t(en::WIDGET_CONFIGURATION),
            detail,
            retry: None,
        }));
    }
    provide_context(state);
    follow_picture(state, storage_key.clone());
    if let Some(key) = storage_key {
        keep_across_reloads(state, key);
    }
    // A running poll loop stops when the widget is removed from the page.
    let control = state.control.get_value();
    on_cleanup(move || control.stop());
    // A file dragged over the widget lights it up until it is dropped or leaves.
    let dragging = RwSignal::new(false);
    view! {
        // Focusable (not in the tab order) so that a click anywhere in the widget makes it the
        // target of a paste; drops are taken anywhere on it.
        <div
            class="kling-expand"
            data-theme=move || state.theme.get().as_str()
            lang=state.strings.with_value(|s| s.locale().to_owned())
            tabindex="-1"
            class:ke-dragging=move || dragging.get()
            on:dragover=move |ev| {
                dragging.set(true);
                allow_drop(&ev)
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev| {
                dragging.set(false);
                take_drop(state, &ev)
            }
            on:paste=move |ev| take_paste(state, &ev)
        >
            <div class="ke-source">
                <ImagePicker />
                <ImageUrlField />
                <FixupList />
                <CanvasPreview />
            </div>
            <div class="ke-controls">
                <FramingPanel />
                <RequestOptions />
                <ExpandButton />
                <ProgressStatus />
                <ErrorAlert />
            </div>
            <ResultsList />
        </div>
    }
}
