//! "Image URL": a picture at an http(s) address, sent to the provider as-is.

use crate::i18n::{en, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::actions::load_picture::load_url;
use crate::state::{Part, WidgetState};

#[component]
pub fn ImageUrlField() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let field_id = state.id(Part::ImageUrl);
    let message_id = state.id(Part::ImageUrlMessage);
    // `None`: nothing to say; `Some(Ok)`: loading; `Some(Err)`: why the address cannot be used.
    let message = RwSignal::new(None::<Result<(), String>>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form: Element = event_target(&ev);
        let Some(field) = form
            .query_selector("input")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        if message.get_untracked() == Some(Ok(())) {
            return;
        }
        message.set(Some(Ok(())));
        spawn_local(async move {
            let loaded = load_url(state, field.value()).await;
            message.set(loaded.err().map(Err));
        });
    };
    view! {
        <form class="ke-url" on:submit=on_submit novalidate>
            <label for=field_id.clone()>{t(en::IMAGE_URL)}</label>
            <div class="ke-url-row">
                <input
                    id=field_id
                    type="url"
                    inputmode="url"
                    placeholder="https://…"
                    autocomplete="off"
                    spellcheck="false"
                    aria-invalid=move || message.with(|m| matches!(m, Some(Err(_)))).to_string()
                    aria-describedby=message_id.clone()
                />
                <button type="submit">{t(en::LOAD)}</button>
            </div>
            <p id=message_id class="ke-field-message">
                {move || match message.get() {
                    Some(Ok(())) => state.t(en::LOADING_PICTURE),
                    Some(Err(problem)) => problem,
                    None => String::new(),
                }}
            </p>
        </form>
    }
}
