//! The "Aspect ratio" presets, the Custom "W" and "H" inputs, and the "Free" state once a side
//! was set by hand.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::model::framing::AspectPreset;
use crate::state::WidgetState;

#[component]
pub fn AspectPicker() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let group = state.id("aspect");
    let free = move || state.framing.with(|f| f.is_free());
    let options = AspectPreset::ALL
        .into_iter()
        .map(|preset| {
            let checked = move || state.framing.with(|f| !f.is_free() && f.preset == preset);
            view! {
                <label class="ke-chip">
                    <input
                        type="radio"
                        name=group.clone()
                        value=preset.label()
                        prop:checked=checked
                        on:change=move |_| state.framing.update(|f| f.choose_preset(preset))
                    />
                    <span>{preset.label()}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="ke-aspect"
            role="radiogroup"
            aria-describedby=state.id("framing-note")
        >
            <legend>"Aspect ratio"</legend>
            {options}
            <CustomAspect />
            <Show when=free>
                <p class="ke-free">
                    <strong>"Free"</strong>
                    " — the sides are set by hand. Choose a shape to go back."
                </p>
            </Show>
        </fieldset>
    }
}

/// "W" and "H" of the Custom shape; typing in them chooses Custom.
#[component]
fn CustomAspect() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let input = move |label: &'static str, is_width: bool| {
        let value = move || {
            state.framing.with(|f| {
                let v = if is_width {
                    f.custom.width
                } else {
                    f.custom.height
                };
                trim(v)
            })
        };
        view! {
            <label class="ke-custom-side">
                <span>{label}</span>
                <input
                    type="number"
                    min="0.01"
                    step="any"
                    inputmode="decimal"
                    prop:value=value
                    on:change=move |ev| {
                        // NaN when empty or not a number; no float parser in the wasm.
                        let typed = event_target::<HtmlInputElement>(&ev).value_as_number();
                        state
                            .framing
                            .update(|f| {
                                let (w, h) = if is_width {
                                    (typed, f.custom.height)
                                } else {
                                    (f.custom.width, typed)
                                };
                                f.set_custom(w, h);
                            });
                    }
                />
            </label>
        }
    };
    view! {
        <span class="ke-custom">
            {input("W", true)}
            <span aria-hidden="true">":"</span>
            {input("H", false)}
        </span>
    }
}

/// A number for an input: whole numbers without decimals, others with up to 4.
fn trim(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
