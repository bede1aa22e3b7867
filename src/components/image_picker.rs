//! Where a picture comes in: the "Image" file input (and drops onto it).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::actions::load_picture::load_picture;
use crate::state::WidgetState;

/// The formats the picker offers; the core decides what is accepted or converted.
const ACCEPT: &str =
    "image/png,image/jpeg,image/webp,image/gif,image/bmp,image/avif,.png,.jpg,.jpeg";

#[component]
pub fn ImagePicker() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            load_picture(state, file.clone().unchecked_into(), file.name());
        }
    };
    let chosen = move || {
        state.picture.with(|p| match p {
            Some(p) => {
                let format = p
                    .format
                    .map(|f| format!(" · {}", f.name()))
                    .unwrap_or_default();
                format!(
                    "{} · {} × {} px{format}",
                    p.name, p.size.width, p.size.height
                )
            }
            None => "PNG or JPEG, at least 300 px a side, up to 10 MB.".to_owned(),
        })
    };
    view! {
        <div class="ke-picker">
            <label class="ke-file">
                <span class="ke-file-label">"Image"</span>
                <input type="file" accept=ACCEPT on:change=on_change />
            </label>
            <p class="ke-hint">{chosen}</p>
        </div>
    }
}
