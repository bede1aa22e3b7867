//! "Expand" (and "Cancel" while a task runs).

use leptos::prelude::*;

use crate::actions::expand::{cancel, expand};
use crate::state::WidgetState;

#[component]
pub fn ExpandButton() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let busy = move || state.phase.with(|p| p.busy());
    let ready = move || {
        state.picture.with(|picture| {
            picture.as_ref().is_some_and(|p| {
                state.framing.with(|f| {
                    f.ratios(p.size)
                        .is_ok_and(|r| r.up + r.down + r.left + r.right > 0.0)
                })
            })
        })
    };
    view! {
        <div class="ke-actions">
            <button
                type="button"
                class="ke-primary"
                disabled=move || busy() || !ready()
                aria-busy=move || busy().to_string()
                on:click=move |_| expand(state)
            >
                "Expand"
            </button>
            <Show when=busy>
                <button type="button" on:click=move |_| cancel(state)>"Cancel"</button>
            </Show>
        </div>
    }
}
