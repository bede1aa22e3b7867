//! "Canvas area": how much bigger than the picture the new canvas is, up to 3×. A leaf: it
//! shows `value` and reports what the person sets; a value below the smallest canvas of the
//! chosen shape comes back as that smallest one, so the slider never makes a shape fail.

use crate::i18n::{en, t};
use kling_expand_core::text::fixed;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::model::framing::multiplier_text;

#[component]
pub fn AreaSlider(
    id: String,
    /// The canvas area, as a multiple of the picture's.
    value: impl Fn() -> f64 + Copy + Send + Sync + 'static,
    /// Said after the value ("the smallest 9:16 canvas"), when there is something to say.
    hint: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
    on_change: impl Fn(f64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let text = move || {
        let mut text = multiplier_text(value());
        if let Some(hint) = hint() {
            text.push_str(", ");
            text.push_str(&hint);
        }
        text
    };
    view! {
        <div class="ke-area">
            <label for=id.clone()>{t(en::CANVAS_AREA)}</label>
            <input
                id=id
                type="range"
                // MIN_MULTIPLIER and MAX_MULTIPLIER, written out: an f64 attribute would bring
                // float formatting into the wasm.
                min="1"
                max="3"
                step="0.01"
                prop:value=move || fixed(value(), 2)
                aria-valuetext=text
                on:input=move |ev| {
                    on_change(event_target::<HtmlInputElement>(&ev).value_as_number())
                }
            />
            // Not an <output>: that is a live "status" region, and the widget has one already.
            <span class="ke-area-value" aria-hidden="true">{move || multiplier_text(value())}</span>
            <span class="ke-area-hint" aria-hidden="true">{hint}</span>
        </div>
    }
}
