//! One side of the expansion in the picture's pixels: "Top", "Bottom", "Left" or "Right". A leaf:
//! it shows `value` and reports a whole, non-negative number of pixels; anything else is marked
//! invalid, explained, and not used. The ratio sent (a multiple of the picture's height or
//! width) is shown beside it, derived.

use crate::i18n::{en, t};
use kling_expand_core::geometry::Side;
use kling_expand_core::text::fixed;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::model::framing::{side_label, typed_pixels};

#[component]
pub fn SideField(
    side: Side,
    id: String,
    note_id: String,
    /// The pixels this side adds; `None` without a picture.
    value: impl Fn() -> Option<u32> + Copy + Send + Sync + 'static,
    /// The ratio that is sent for it.
    ratio: impl Fn() -> f64 + Copy + Send + Sync + 'static,
    /// The largest value a field may hold (2× the picture's height or width).
    max: impl Fn() -> u32 + Copy + Send + Sync + 'static,
    /// What the last value had to become and why (a cap), if anything.
    note: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
    on_change: impl Fn(u32) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Why the typed text is not used, and the value shown when it was typed: a new value from
    // elsewhere (a drag, a preset, Reset) ends the remark.
    let remark = RwSignal::new(None::<(Option<u32>, &'static str)>);
    let invalid = move || {
        remark
            .get()
            .filter(|(at, _)| *at == value())
            .map(|(_, why)| why)
    };
    let strings = crate::i18n::strings();
    view! {
        <div class="ke-ratio">
            <label for=id.clone()>{t(side_label(side))}</label>
            <input
                id=id
                type="number"
                min="0"
                max=move || max().to_string()
                step="1"
                inputmode="numeric"
                placeholder="—"
                data-ratio=move || fixed(ratio(), 4)
                aria-invalid=move || invalid().is_some().to_string()
                aria-describedby=note_id.clone()
                prop:value=move || value().map(|px| px.to_string()).unwrap_or_default()
                on:change=move |ev| {
                    // NaN when empty or not a number; no float parser in the wasm.
                    let typed = event_target::<HtmlInputElement>(&ev).value_as_number();
                    match typed_pixels(typed) {
                        Ok(px) => {
                            remark.set(None);
                            on_change(px);
                        }
                        Err(why) => remark.set(Some((untrack(value), why))),
                    }
                }
            />
            <span class="ke-px" aria-hidden="true">
                {let strings = strings.clone();
                move || {
                    let template =
                        if side.is_vertical() { en::PX_RATIO_HEIGHT } else { en::PX_RATIO_WIDTH };
                    strings.fill(template, &[fixed(ratio(), 4)])
                }}
            </span>
            <p class="ke-cap" id=note_id>
                {move || invalid().map(|why| strings.get(why)).or_else(note)}
            </p>
        </div>
    }
}
