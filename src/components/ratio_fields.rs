//! The four ratios that will be sent: "Top", "Bottom", "Left", "Right". Editing one sets that side
//! by hand (free mode); a value that had to be capped says so next to its field.

use kling_expand_core::geometry::Side;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::model::framing::{cap_note, side_label};
use crate::state::WidgetState;

#[component]
pub fn RatioFields() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let size = move || state.picture.with(|p| p.as_ref().map(|p| p.size));
    let field = move |side: Side| {
        let note_id = state.id(&format!("cap-{side}"));
        let value = move || {
            size()
                .map(|size| format!("{:.4}", state.framing.with(|f| f.shown(size).get(side))))
                .unwrap_or_default()
        };
        let pixels = move || {
            let size = size()?;
            let canvas = state.framing.with(|f| f.shown(size)).canvas(size);
            let px = match side {
                Side::Up => canvas.top_px,
                Side::Down => canvas.bottom_px,
                Side::Left => canvas.left_px,
                Side::Right => canvas.right_px,
            };
            Some(format!("+{px} px"))
        };
        let note = move || {
            state.framing.with(|f| {
                f.capped
                    .as_ref()
                    .filter(|cap| cap.side == side)
                    .map(cap_note)
            })
        };
        let described = {
            let note_id = note_id.clone();
            move || note().map(|_| note_id.clone())
        };
        view! {
            <div class="ke-ratio">
                <label>
                    <span>{side_label(side)}</span>
                    <input
                        type="number"
                        min="0"
                        max="2"
                        step="0.01"
                        inputmode="decimal"
                        placeholder="—"
                        prop:value=value
                        aria-describedby=described
                        on:change=move |ev| {
                            let Some(size) = size() else { return };
                            // NaN when empty or not a number; no float parser in the wasm.
                            let typed = event_target::<HtmlInputElement>(&ev).value_as_number();
                            state.framing.update(|f| f.edit_side(size, side, typed));
                        }
                    />
                </label>
                <span class="ke-px" aria-hidden="true">{pixels}</span>
                {move || note().map(|text| view! { <p class="ke-cap" id=note_id.clone()>{text}</p> })}
            </div>
        }
    };
    view! {
        <fieldset class="ke-ratios">
            <legend>"Expansion per side"</legend>
            {field(Side::Up)}
            {field(Side::Down)}
            {field(Side::Left)}
            {field(Side::Right)}
            <p class="ke-hint ke-ratios-hint">
                "Top and Bottom are multiples of the picture's height, Left and Right of its width. Typing a value sets that side by hand."
            </p>
        </fieldset>
    }
}
