//! A result, larger, with a before/after view (the original's frame outlined on it), Previous
//! and Next through every result ("2 of 3"), and Download and Expand again. A modal `<dialog>`
//! (focus kept inside, Escape closes it), always in place and opened by [`open_viewer`], which
//! costs less than mounting it on demand.

use crate::i18n::{en, t};
use kling_expand_core::text::fixed;
use leptos::prelude::*;

use crate::actions::results::{download, expand_again};
use crate::browser::dialog;
use crate::model::results::frame_percentages;
use crate::state::{Part, WidgetState};

/// Shows result number `number` in the larger view.
pub fn open_viewer(state: WidgetState, viewing: RwSignal<Option<usize>>, number: usize) {
    viewing.set(Some(number));
    dialog::show_modal(&state.id(Part::Viewer));
}

#[component]
pub fn ResultViewer(viewing: RwSignal<Option<usize>>) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let id = state.id(Part::Viewer);
    let before_after = RwSignal::new(false);
    let total = move || {
        state
            .history
            .with(|h| h.iter().map(|g| g.images.len()).sum::<usize>())
    };
    // The result shown: its link and its generation's frame.
    let shown = move || {
        let number = viewing.get()?;
        state.history.with(|history| {
            let mut first = 1;
            for g in history {
                if (first..first + g.images.len()).contains(&number) {
                    return Some((g.images[number - first].url.clone(), g.frame));
                }
                first += g.images.len();
            }
            None
        })
    };
    let name = move |template: &'static str| {
        move || {
            viewing
                .get()
                .map(|n| state.fill(template, &[n.to_string()]))
                .unwrap_or_default()
        }
    };
    let frame_style = move || {
        let (_, frame) = shown()?;
        let [left, top, width, height] = frame_percentages(frame.original, frame.ratios);
        Some(format!(
            "left: {}%; top: {}%; width: {}%; height: {}%",
            fixed(left, 3),
            fixed(top, 3),
            fixed(width, 3),
            fixed(height, 3)
        ))
    };
    let step = move |by: isize| {
        let total = total();
        viewing.update(|v| {
            if let Some(n) = v {
                *n = ((*n as isize - 1 + by).rem_euclid(total.max(1) as isize) + 1) as usize;
            }
        });
    };
    let act = move |f: fn(WidgetState, usize)| {
        move |_| {
            if let Some(n) = viewing.get_untracked() {
                f(state, n);
            }
        }
    };
    let close_id = id.clone();
    view! {
        <dialog id=id class="ke-viewer" aria-label=name(en::RESULT_N) on:close=move |_| viewing.set(None)>
            <div class="ke-viewer-picture" class:ke-before-after=move || before_after.get()>
                <img src=move || shown().map(|s| s.0) alt=name(en::RESULT_N_LARGER) />
                <div
                    class="ke-frame-outline"
                    // Through the CSSOM, which a strict CSP allows (a style attribute it refuses).
                    prop:style=move || frame_style().unwrap_or_default()
                    aria-hidden="true"
                    hidden=move || !before_after.get()
                ></div>
            </div>
            <div class="ke-viewer-actions">
                <button type="button" disabled=move || total() < 2 on:click=move |_| step(-1)>
                    {t(en::PREVIOUS)}
                </button>
                <span class="ke-viewer-count">
                    {move || viewing.get().map(|n| state.fill(en::N_OF_TOTAL, &[n.to_string(), total().to_string()]))}
                </span>
                <button type="button" disabled=move || total() < 2 on:click=move |_| step(1)>
                    {t(en::NEXT)}
                </button>
                <button
                    type="button"
                    aria-pressed=move || before_after.get().to_string()
                    on:click=move |_| before_after.update(|on| *on = !*on)
                >
                    {t(en::BEFORE_AFTER)}
                </button>
                <button type="button" on:click=act(download)>{t(en::DOWNLOAD)}</button>
                <button
                    type="button"
                    on:click=move |ev| {
                        act(expand_again)(ev);
                        dialog::close(&close_id);
                    }
                >
                    {t(en::EXPAND_AGAIN)}
                </button>
                <button type="button" on:click=move |_| dialog::close(&state.id(Part::Viewer))>
                    {t(en::CLOSE)}
                </button>
            </div>
        </dialog>
    }
}
