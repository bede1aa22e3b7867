//! The live region that says where the task stands, and beside it (not read out) the time
//! since it started.

use leptos::prelude::*;

use crate::state::WidgetState;

#[component]
pub fn ProgressStatus() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = move || {
        let count = state
            .history
            .with(|h| h.last().map_or(0, |g| g.images.len()));
        state
            .strings
            .with_value(|s| state.phase.with(|p| p.status_text(s, count)))
    };
    let ticking = move || {
        state
            .strings
            .with_value(|s| state.phase.with(|p| p.ticking(s, state.now_ms.get())))
    };
    view! {
        <p class="ke-status">
            <span role="status" aria-live="polite">{text}</span>
            " "
            <span class="ke-elapsed" aria-hidden="true">{ticking}</span>
        </p>
    }
}
