//! "Image URL": a picture at an http(s) address, sent to the provider as-is.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::load_picture::load_url;
use crate::state::WidgetState;

#[component]
pub fn ImageUrlField() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let field_id = state.id("image-url");
    let message_id = state.id("image-url-message");
    let address = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if loading.get_untracked() {
            return;
        }
        problem.set(None);
        loading.set(true);
        spawn_local(async move {
            let loaded = load_url(state, address.get_untracked()).await;
            loading.set(false);
            problem.set(loaded.err());
        });
    };
    view! {
        <form class="ke-url" on:submit=on_submit novalidate>
            <label for=field_id.clone()>"Image URL"</label>
            <div class="ke-url-row">
                <input
                    id=field_id
                    type="url"
                    inputmode="url"
                    placeholder="https://…"
                    autocomplete="off"
                    spellcheck="false"
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    aria-describedby=message_id.clone()
                    prop:value=move || address.get()
                    on:input=move |ev| {
                        address.set(event_target_value(&ev));
                        problem.set(None);
                    }
                />
                <button type="submit" disabled=move || loading.get()>"Load"</button>
            </div>
            <p id=message_id class="ke-field-message" class:ke-field-error=move || problem.with(Option::is_some)>
                {move || match (loading.get(), problem.get()) {
                    (true, _) => "Loading the picture…".to_owned(),
                    (false, Some(problem)) => problem,
                    (false, None) => String::new(),
                }}
            </p>
        </form>
    }
}
