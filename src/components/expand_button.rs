//! "Expand" (and "Cancel" while a task runs), with the reason when Expand cannot be pressed.

use leptos::prelude::*;

use crate::actions::expand::{cancel, expand, expand_blockers};
use crate::state::WidgetState;

#[component]
pub fn ExpandButton() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let why_id = state.id("expand-blockers");
    let busy = move || state.phase.with(|p| p.busy());
    let blockers = move || expand_blockers(state);
    view! {
        <div class="ke-actions">
            <button
                type="button"
                class="ke-primary"
                disabled=move || busy() || !blockers().is_empty()
                aria-describedby=why_id.clone()
                on:click=move |_| expand(state)
            >
                "Expand"
            </button>
            <button type="button" hidden=move || !busy() on:click=move |_| cancel(state)>
                "Cancel"
            </button>
        </div>
        <ul id=why_id class="ke-blockers">
            {move || {
                blockers().into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view()
            }}
        </ul>
    }
}
