//! The "Aspect ratio" presets, the Custom "W" and "H" inputs, and the "Free" state once a side
//! was set by hand.

use kling_expand_core::text::fixed;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::actions::framing::edit_framing;
use crate::model::framing::{AspectPreset, Edit};
use crate::state::WidgetState;

#[component]
pub fn AspectPicker() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let group = state.id("aspect");
    let free = move || state.framing.get().is_free();
    let options = AspectPreset::ALL
        .into_iter()
        .map(|preset| {
            view! {
                <label class="ke-chip">
                    <input
                        type="radio"
                        name=group.clone()
                        value=preset.label()
                        prop:checked=move || {
                            let f = state.framing.get();
                            !f.is_free() && f.preset == preset
                        }
                        on:change=move |_| edit_framing(state, Edit::Preset(preset))
                    />
                    <span>{preset.label()}</span>
                </label>
            }
        })
        .collect_view();
    // "W" and "H" of the Custom shape; typing in them chooses Custom.
    let side = move |label: &'static str, is_width: bool| {
        view! {
            <label class="ke-custom-side">
                <span>{label}</span>
                <input
                    type="number"
                    min="0.01"
                    step="any"
                    inputmode="decimal"
                    prop:value=move || {
                        let custom = state.framing.get().custom;
                        trim(if is_width { custom.width } else { custom.height })
                    }
                    on:change=move |ev| {
                        // NaN when empty or not a number; no float parser in the wasm.
                        let typed = event_target::<HtmlInputElement>(&ev).value_as_number();
                        let edit = if is_width {
                            Edit::CustomWidth(typed)
                        } else {
                            Edit::CustomHeight(typed)
                        };
                        edit_framing(state, edit);
                    }
                />
            </label>
        }
    };
    view! {
        <fieldset class="ke-aspect" role="radiogroup" aria-describedby=state.id("framing-note")>
            <legend>"Aspect ratio"</legend>
            {options}
            <span class="ke-custom">
                {side("W", true)}
                <span aria-hidden="true">":"</span>
                {side("H", false)}
            </span>
            <p class="ke-free" hidden=move || !free()>
                <strong>"Free"</strong>
                " — the sides are set by hand. Choose a shape to go back."
            </p>
        </fieldset>
    }
}

/// A number for an input: whole numbers without decimals, others with up to 4.
fn trim(value: f64) -> String {
    let text = fixed(value, 4);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
