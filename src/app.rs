//! The widget as a whole.

use leptos::prelude::*;

use crate::actions::load_picture::{allow_drop, take_drop, take_paste};
use crate::actions::persist::{follow_picture, keep_across_reloads};
use crate::components::{
    AnchorPicker, AreaSlider, AspectPicker, CanvasPreview, ErrorAlert, ExpandButton, FixupList,
    FramingNote, ImagePicker, ImageUrlField, ProgressStatus, RatioFields, RequestOptions,
    ResultsList,
};
use crate::config::WidgetConfig;
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
) -> impl IntoView {
    let state = WidgetState::new(config);
    if let Some(detail) = config_warning {
        state.error.set(Some(ShownError {
            title: "Widget configuration".into(),
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
    view! {
        // Focusable (not in the tab order) so that a click anywhere in the widget makes it the
        // target of a paste; drops are taken anywhere on it.
        <div
            class="kling-expand"
            tabindex="-1"
            on:dragover=move |ev| allow_drop(&ev)
            on:drop=move |ev| take_drop(state, &ev)
            on:paste=move |ev| take_paste(state, &ev)
        >
            <div class="ke-source">
                <ImagePicker />
                <ImageUrlField />
                <FixupList />
                <CanvasPreview />
            </div>
            <div class="ke-controls">
                <AspectPicker />
                <AreaSlider />
                <FramingNote />
                <div class="ke-placement">
                    <AnchorPicker />
                    <RatioFields />
                </div>
                <RequestOptions />
                <ExpandButton />
                <ProgressStatus />
                <ErrorAlert />
            </div>
            <ResultsList />
        </div>
    }
}
