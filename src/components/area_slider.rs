//! "Canvas area": how much bigger than the picture the new canvas is, 1.0× to 3.0×.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::model::framing::{multiplier_text, MAX_MULTIPLIER, MIN_MULTIPLIER};
use crate::state::WidgetState;

#[component]
pub fn AreaSlider() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let id = state.id("area");
    let area = move || state.framing.with(|f| f.area());
    view! {
        <div class="ke-area">
            <label for=id.clone()>"Canvas area"</label>
            <input
                id=id.clone()
                type="range"
                min=MIN_MULTIPLIER
                max=MAX_MULTIPLIER
                step="0.01"
                prop:value=move || format!("{:.2}", area())
                aria-valuetext=move || format!("{} the picture's area", multiplier_text(area()))
                aria-describedby=state.id("framing-note")
                on:input=move |ev| {
                    let value = event_target::<HtmlInputElement>(&ev).value_as_number();
                    state.framing.update(|f| f.set_multiplier(value));
                }
            />
            <output for=id>{move || multiplier_text(area())}</output>
        </div>
    }
}
