//! "Canvas area": how much bigger than the picture the new canvas is, 1.0× to 3.0×.

use kling_expand_core::text::fixed;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::actions::framing::edit_framing;
use crate::model::framing::{multiplier_text, Edit};
use crate::state::WidgetState;

#[component]
pub fn AreaSlider() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let id = state.id("area");
    let area = move || state.framing.get().area();
    view! {
        <div class="ke-area">
            <label for=id.clone()>"Canvas area"</label>
            <input
                id=id
                type="range"
                // MIN_MULTIPLIER and MAX_MULTIPLIER, written out: an f64 attribute would bring
                // float formatting into the wasm.
                min="1"
                max="3"
                step="0.01"
                prop:value=move || fixed(area(), 2)
                aria-valuetext=move || multiplier_text(area())
                aria-describedby=state.id("framing-note")
                on:input=move |ev| {
                    let value = event_target::<HtmlInputElement>(&ev).value_as_number();
                    edit_framing(state, Edit::Multiplier(value));
                }
            />
            // Not an <output>: that is a live "status" region, and the widget has one already.
            <span class="ke-area-value" aria-hidden="true">{move || multiplier_text(area())}</span>
        </div>
    }
}
