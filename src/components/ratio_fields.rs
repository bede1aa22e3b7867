//! The four ratios that will be sent: "Top", "Bottom", "Left", "Right".

use kling_expand_core::geometry::Side;
use leptos::prelude::*;

use crate::state::WidgetState;

#[component]
pub fn RatioFields() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let ratios = move || {
        let size = state.picture.with(|p| p.as_ref().map(|p| p.size))?;
        state.framing.with(|f| f.ratios(size)).ok()
    };
    let field = move |label: &'static str, side: Side| {
        let value = move || {
            ratios()
                .map(|r| {
                    let v = match side {
                        Side::Up => r.up,
                        Side::Down => r.down,
                        Side::Left => r.left,
                        Side::Right => r.right,
                    };
                    format!("{v:.4}")
                })
                .unwrap_or_default()
        };
        view! {
            <label class="ke-ratio">
                <span>{label}</span>
                <input type="number" min="0" max="2" step="0.0001" inputmode="decimal" readonly prop:value=value />
            </label>
        }
    };
    view! {
        <fieldset class="ke-ratios">
            <legend>"Expansion (multiples of the original side)"</legend>
            {field("Top", Side::Up)}
            {field("Bottom", Side::Down)}
            {field("Left", Side::Left)}
            {field("Right", Side::Right)}
        </fieldset>
    }
}
