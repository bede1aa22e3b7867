//! Where a picture comes in: the "Image" file input, and what is known of the chosen picture.
//! Drops and pastes onto the whole widget are handled at its root (see `App`).

use crate::i18n::{en, t};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::actions::load_picture::load_picture;
use crate::state::{Part, WidgetState};

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
    let strings = crate::i18n::strings();
    let chosen = move || {
        state.picture.with(|p| match p {
            Some(p) => {
                let mut hint = strings.fill(
                    en::FACTS,
                    &[
                        p.name.clone(),
                        strings.number(f64::from(p.size.width), 0),
                        strings.number(f64::from(p.size.height), 0),
                    ],
                );
                if let Some(format) = p.format {
                    hint.push_str(" · ");
                    hint.push_str(format.name());
                }
                if let Some(bytes) = p.byte_len {
                    hint.push_str(" · ");
                    hint.push_str(&strings.file_size(bytes));
                }
                hint
            }
            None => strings.get(en::PICKER_HINT),
        })
    };
    let facts_id = state.id(Part::PictureFacts);
    let strings_label = t(en::IMAGE);
    view! {
        <div class="ke-picker">
            <label class="ke-file">
                <span class="ke-file-label">{strings_label}</span>
                <input type="file" id=state.id(Part::FileInput) accept=ACCEPT aria-describedby=facts_id.clone() on:change=on_change />
            </label>
            <p id=facts_id class="ke-hint ke-picture-facts">{chosen}</p>
        </div>
    }
}
