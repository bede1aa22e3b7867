//! The error on screen, specific to its kind, with "Retry" where retrying makes sense.

use leptos::prelude::*;

use crate::actions::expand::{expand, resume};
use crate::state::{RetryAction, WidgetState};

#[component]
pub fn ErrorAlert() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    move || {
        state.error.get().map(|error| {
            let retry = error.retry.clone().map(|action| {
                let on_retry = move |_| match action.clone() {
                    RetryAction::Create => expand(state),
                    RetryAction::Poll { task_id } => resume(state, task_id, None),
                };
                view! { <button type="button" on:click=on_retry>"Retry"</button> }
            });
            view! {
                <div class="ke-alert" role="alert">
                    <strong>{error.title}</strong>
                    <p>{error.detail}</p>
                    {retry}
                </div>
            }
        })
    }
}
