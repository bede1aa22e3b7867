//! What was changed in the picture before sending ("Turned upright from EXIF orientation 6"),
//! each with "Undo"; what it still needs, each with the button that does it; and what is being
//! done right now.

use crate::i18n::en;
use leptos::prelude::*;

use crate::actions::load_picture::{apply_fixup, undo_fixup};
use crate::model::fixups::{self, FixupKind};
use crate::state::{Part, WidgetState};

/// What an item's button does.
#[derive(Clone, Copy)]
enum Act {
    Undo(usize),
    Apply(FixupKind),
}

#[component]
pub fn FixupList() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let heading_id = state.id(Part::Fixups);
    // One view for the whole list, rebuilt when the picture changes: fix-ups are few, and a
    // single reactive closure keeps the widget's code small.
    let list = move || {
        let preparing = state.preparing.with(Option::is_some);
        let (done, needed) = state.picture.with(|picture| {
            let Some(picture) = picture else {
                return (Vec::new(), Vec::new());
            };
            let done: Vec<_> = picture
                .fixups
                .iter()
                .enumerate()
                .map(|(i, step)| (step.applied.to_string(), state.t(en::UNDO), Act::Undo(i)))
                .collect();
            // Offered only once the automatic fix-ups are done, so nothing flickers meanwhile.
            let needed = match (picture.info, picture.byte_len, preparing) {
                (Some(info), Some(byte_len), false) => fixups::needed(&info, byte_len)
                    .iter()
                    .map(|need| (need.reason(), need.action(), Act::Apply(need.kind())))
                    .collect(),
                _ => Vec::new(),
            };
            (done, needed)
        });
        let items = |entries: Vec<(String, String, Act)>| {
            entries
                .into_iter()
                .map(|(text, label, act)| {
                    let on_click = move |_| match act {
                        Act::Undo(index) => undo_fixup(state, index),
                        Act::Apply(kind) => apply_fixup(state, kind),
                    };
                    view! {
                        <li>
                            <span>{text}</span>
                            <button type="button" on:click=on_click>{label}</button>
                        </li>
                    }
                })
                .collect_view()
        };
        (preparing || !done.is_empty() || !needed.is_empty()).then(|| {
            view! {
                <section class="ke-fixups" aria-labelledby=heading_id.clone()>
                    <h2 id=heading_id.clone() class="ke-fixups-title">{state.t(en::BEFORE_SENDING)}</h2>
                    <ul class="ke-fixups-done">{items(done)}</ul>
                    <ul class="ke-fixups-needed">{items(needed)}</ul>
                </section>
            }
        })
    };
    view! {
        {list}
        // Read out politely; the widget's one role="status" region is the task's progress.
        <p class="ke-fixups-doing" aria-live="polite">{move || state.preparing.get()}</p>
    }
}
