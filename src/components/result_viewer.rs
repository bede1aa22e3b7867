//! A result, larger, with a before/after view: the original's frame outlined on the result.

use kling_expand_core::text::fixed;
use leptos::html::Dialog;
use leptos::prelude::*;

use crate::model::results::frame_percentages;
use crate::state::WidgetState;

#[component]
pub fn ResultViewer(viewing: RwSignal<Option<usize>>) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let dialog = NodeRef::<Dialog>::new();
    let before_after = RwSignal::new(false);
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else {
            return;
        };
        match viewing.get() {
            Some(_) if !dialog.open() => {
                let _ = dialog.show_modal();
            }
            None if dialog.open() => dialog.close(),
            _ => {}
        }
    });
    let image = move || {
        let position = viewing.get()?;
        state
            .results
            .with(|r| r.get(position).map(|i| (position, i.url.clone())))
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
    let title = move || {
        viewing
            .get()
            .map(|p| format!("Result {}", p + 1))
            .unwrap_or_default()
    };
    view! {
        <dialog
            node_ref=dialog
            class="ke-viewer"
            aria-label=title
            on:close=move |_| viewing.set(None)
        >
            {move || {
                image()
                    .map(|(position, url)| {
                        view! {
                            <div class="ke-viewer-picture" class:ke-before-after=move || before_after.get()>
                                <img src=url alt=format!("Result {}, larger", position + 1) />
                                <div
                                    class="ke-frame-outline"
                                    style=frame_style
                                    aria-hidden="true"
                                    hidden=move || !before_after.get()
                                ></div>
                            </div>
                        }
                    })
            }}
            <div class="ke-viewer-actions">
                <button
                    type="button"
                    aria-pressed=move || before_after.get().to_string()
                    on:click=move |_| before_after.update(|on| *on = !*on)
                >
                    "Before/after"
                </button>
                <button type="button" on:click=move |_| viewing.set(None)>
                    "Close"
                </button>
            </div>
        </dialog>
    }
}
