//! The "Aspect ratio" presets.

use leptos::prelude::*;

use crate::model::framing::AspectPreset;
use crate::state::WidgetState;

#[component]
pub fn AspectPicker() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let group = state.id("aspect");
    let options = AspectPreset::ALL
        .into_iter()
        .map(|preset| {
            let group = group.clone();
            let checked = move || {
                state
                    .framing
                    .with(|f| f.free.is_none() && f.preset == preset)
            };
            view! {
                <label class="ke-chip">
                    <input
                        type="radio"
                        name=group
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
        <fieldset class="ke-aspect">
            <legend>"Aspect ratio"</legend>
            {options}
        </fieldset>
    }
}
