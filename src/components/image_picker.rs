//! Where a picture comes in: the "Image" file input, and what is known of the chosen picture.
//! Drops and pastes onto the whole widget are handled at its root (see `App`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::actions::load_picture::load_picture;
use crate::model::fixups::file_size;
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
            let name = file.name();
            load_picture(state, file.unchecked_into(), name);
        }
        // Choosing the same file again after an undo or another picture must load it again.
        input.set_value("");
    };
    let chosen = move || {
        state.picture.with(|p| match p {
            Some(p) => {
                let mut hint = format!("{} · {} × {} px", p.name, p.size.width, p.size.height);
                if let Some(format) = p.format {
                    hint.push_str(" · ");
                    hint.push_str(format.name());
                }
                if let Some(bytes) = p.byte_len {
                    hint.push_str(" · ");
                    hint.push_str(&file_size(bytes));
                }
                hint
            }
            None => "PNG or JPEG, at least 300 px a side, up to 10 MB. Drop or paste one \
                     anywhere here, or give its address."
                .to_owned(),
        })
    };
    let facts_id = state.id("picture-facts");
    view! {
        <div class="ke-picker">
            <label class="ke-file">
                <span class="ke-file-label">"Image"</span>
                <input type="file" accept=ACCEPT aria-describedby=facts_id.clone() on:change=on_change />
            </label>
            <p id=facts_id class="ke-hint ke-picture-facts">{chosen}</p>
        </div>
    }
}
