//! The "Aspect ratio" presets and the Custom "W" and "H" inputs. A leaf: it shows `value` (none
//! while the sides are set by hand) and reports choices through its callbacks.

use crate::i18n::{en, t};
use kling_expand_core::geometry::Aspect;
use kling_expand_core::text::fixed;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::model::framing::{typed_shape_side, AspectPreset};

#[component]
pub fn AspectPicker(
    /// The radio group's name, unique on the page.
    name: String,
    /// The id of the note under W and H (why a typed shape is not used).
    note_id: String,
    /// The chosen preset; `None` while the sides are set by hand.
    value: impl Fn() -> Option<AspectPreset> + Copy + Send + Sync + 'static,
    /// The shape the Custom preset uses.
    custom: impl Fn() -> Aspect + Copy + Send + Sync + 'static,
    on_preset: impl Fn(AspectPreset) + Copy + Send + Sync + 'static,
    /// A usable W:H typed in; it chooses Custom.
    on_custom: impl Fn(Aspect) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Why the last typed W or H is not used (true for W).
    let invalid = RwSignal::new(None::<(bool, &'static str)>);
    let options = AspectPreset::ALL
        .into_iter()
        .map(|preset| {
            view! {
                <label class="ke-chip">
                    <input
                        type="radio"
                        name=name.clone()
                        value=preset.label()
                        prop:checked=move || value() == Some(preset)
                        on:change=move |_| on_preset(preset)
                    />
                    <span>{t(preset.label())}</span>
                </label>
            }
        })
        .collect_view();
    let field_note = note_id.clone();
    let side = move |label: String, is_width: bool| {
        let note_id = field_note.clone();
        view! {
            <label class="ke-custom-side">
                <span>{label}</span>
                <input
                    type="number"
                    min="0.01"
                    step="any"
                    inputmode="decimal"
                    aria-invalid=move || {
                        invalid.with(|i| matches!(i, Some((w, _)) if *w == is_width)).to_string()
                    }
                    aria-describedby=note_id
                    prop:value=move || {
                        let c = custom();
                        trim(if is_width { c.width } else { c.height })
                    }
                    on:change=move |ev| {
                        // NaN when empty or not a number; no float parser in the wasm.
                        let typed = event_target::<HtmlInputElement>(&ev).value_as_number();
                        match typed_shape_side(typed) {
                            Ok(v) => {
                                invalid.set(None);
                                let c = untrack(custom);
                                on_custom(if is_width { Aspect::new(v, c.height) } else { Aspect::new(c.width, v) });
                            }
                            Err(why) => invalid.set(Some((is_width, why))),
                        }
                    }
                />
            </label>
        }
    };
    view! {
        <fieldset class="ke-aspect" role="radiogroup">
            <legend>{t(en::ASPECT_RATIO)}</legend>
            {options}
            <span class="ke-custom">
                {side(t(en::WIDTH_SHORT), true)}
                <span aria-hidden="true">":"</span>
                {side(t(en::HEIGHT_SHORT), false)}
            </span>
            <p id=note_id.clone() class="ke-cap">{move || invalid.get().map(|(_, why)| t(why))}</p>
            <p class="ke-free" hidden=move || value().is_some()>
                <strong>{t(en::FREE)}</strong>
                {t(en::FREE_HINT)}
            </p>
        </fieldset>
    }
}

/// A number for an input: whole numbers without decimals, others with up to 4.
fn trim(value: f64) -> String {
    let text = fixed(value, 4);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
