//! "Expand" (and "Cancel" while a task runs), with the reason when Expand cannot be pressed.
//! Pressing either moves the focus to the other, which the press has just shown or enabled, so
//! that it never falls to the page.

use crate::i18n::{en, t};
use leptos::prelude::*;

use crate::actions::expand::{cancel, expand};
use crate::browser;
use crate::state::{Part, WidgetState};

#[component]
pub fn ExpandButton() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let why_id = state.id(Part::ExpandBlockers);
    let busy = move || state.phase.with(|p| p.busy());
    view! {
        <div class="ke-actions">
            <button
                type="button"
                id=state.id(Part::ExpandButton)
                class="ke-primary"
                disabled=move || busy() || state.blockers.with(|b| !b.is_empty())
                aria-describedby=why_id.clone()
                on:click=move |_| {
                    expand(state);
                    browser::focus(&state.id(Part::CancelButton));
                }
            >
                {t(en::EXPAND)}
            </button>
            <button
                type="button"
                id=state.id(Part::CancelButton)
                hidden=move || !busy()
                on:click=move |_| {
                    cancel(state);
                    browser::focus(&state.id(Part::ExpandButton));
                }
            >
                {t(en::CANCEL)}
            </button>
        </div>
        <ul id=why_id class="ke-blockers">
            {move || {
                state.blockers.get().into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view()
            }}
        </ul>
    }
}
