//! The error on screen, specific to its kind, with "Retry" where retrying makes sense.

use crate::i18n::en;
use leptos::prelude::*;

use crate::actions::expand::{resume, retry_create};
use crate::state::{RetryAction, WidgetState};

#[component]
pub fn ErrorAlert() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    move || {
        state.error.get().map(|error| {
            let retry = error.retry.clone().map(|action| {
                let on_retry = move |_| match action.clone() {
                    RetryAction::Create { external_task_id } => {
                        retry_create(state, external_task_id)
                    }
                    RetryAction::Poll { task_id } => resume(state, task_id, None),
                };
                view! { <button type="button" on:click=on_retry>{state.t(en::RETRY)}</button> }
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
