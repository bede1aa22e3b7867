//! A result, larger, with a before/after view: the original's frame outlined on the result.
//! A modal `<dialog>` (focus kept inside, Escape closes it), always in place and opened by
//! [`open_viewer`], which costs less than mounting it on demand.

use kling_expand_core::text::fixed;
use leptos::prelude::*;

use crate::browser::dialog;
use crate::model::results::frame_percentages;
use crate::state::WidgetState;

/// The id of a widget's viewer dialog.
fn viewer_id(state: WidgetState) -> String {
    state.id("viewer")
}

/// Shows result `position` in the larger view.
pub fn open_viewer(state: WidgetState, viewing: RwSignal<Option<usize>>, position: usize) {
    viewing.set(Some(position));
    dialog::show_modal(&viewer_id(state));
}

#[component]
pub fn ResultViewer(viewing: RwSignal<Option<usize>>) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let id = viewer_id(state);
    let before_after = RwSignal::new(false);
    let url = move || {
        let position = viewing.get()?;
        state
            .results
            .with(|r| r.get(position).map(|i| i.url.clone()))
    };
    let name = move |suffix: &'static str| {
        move || {
            viewing
                .get()
                .map(|p| format!("Result {}{suffix}", p + 1))
                .unwrap_or_default()
        }
    };
    let frame_style = move || {
        let frame = state.results_frame.get()?;
        let [left, top, width, height] = frame_percentages(frame.original, frame.ratios);
        Some(format!(
            "left: {}%; top: {}%; width: {}%; height: {}%",
            fixed(left, 3),
            fixed(top, 3),
            fixed(width, 3),
            fixed(height, 3)
        ))
    };
    let close_id = id.clone();
    view! {
        <dialog id=id class="ke-viewer" aria-label=name("") on:close=move |_| viewing.set(None)>
            <div class="ke-viewer-picture" class:ke-before-after=move || before_after.get()>
                <img src=url alt=name(", larger") />
                <div
                    class="ke-frame-outline"
                    style=frame_style
                    aria-hidden="true"
                    hidden=move || !before_after.get()
                ></div>
            </div>
            <div class="ke-viewer-actions">
                <button
                    type="button"
                    aria-pressed=move || before_after.get().to_string()
                    on:click=move |_| before_after.update(|on| *on = !*on)
                >
                    "Before/after"
                </button>
                <button type="button" on:click=move |_| dialog::close(&close_id)>
                    "Close"
                </button>
            </div>
        </dialog>
    }
}
