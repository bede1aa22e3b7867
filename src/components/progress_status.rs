//! The live region that says where the task stands.

use leptos::prelude::*;

use crate::state::WidgetState;

#[component]
pub fn ProgressStatus() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = move || {
        let count = state.results.with(Vec::len);
        state
            .phase
            .with(|p| p.status_text(state.now_ms.get(), count))
    };
    view! { <p class="ke-status" role="status" aria-live="polite">{text}</p> }
}
