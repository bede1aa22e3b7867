//! The four ratios that will be sent: "Top", "Bottom", "Left", "Right". Editing one sets that side
//! by hand (free mode); a value that had to be capped says so next to its field.

use kling_expand_core::geometry::Side;
use kling_expand_core::text::fixed;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::actions::framing::edit_framing;
use crate::model::framing::{cap_note, side_label, Edit};
use crate::state::WidgetState;

#[component]
pub fn RatioFields() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let field = move |side: Side| {
        // The note is always in place (empty unless this side was capped), so the field can
        // point at it for good.
        let note_id = state.id(&format!("cap-{side}"));
        let shown = move || {
            let size = state.picture_size()?;
            let ratios = state.framing.get().shown(size);
            Some((ratios.get(side), side_px(ratios.canvas(size), side)))
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
                        prop:value=move || shown().map(|(v, _)| fixed(v, 4)).unwrap_or_default()
                        aria-describedby=note_id.clone()
                        on:change=move |ev| {
                            // NaN when empty or not a number; no float parser in the wasm.
                            let typed = event_target::<HtmlInputElement>(&ev).value_as_number();
                            edit_framing(state, Edit::Side(side, typed));
                        }
                    />
                </label>
                <span class="ke-px" aria-hidden="true">
                    {move || shown().map(|(_, px)| format!("+{px} px"))}
                </span>
                <p class="ke-cap" id=note_id>
                    {move || {
                        state.framing.get().capped.filter(|cap| cap.side == side).map(|cap| cap_note(&cap))
                    }}
                </p>
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

/// The pixels a side adds.
pub(crate) fn side_px(canvas: kling_expand_core::geometry::Canvas, side: Side) -> u32 {
    match side {
        Side::Up => canvas.top_px,
        Side::Down => canvas.bottom_px,
        Side::Left => canvas.left_px,
        Side::Right => canvas.right_px,
    }
}
