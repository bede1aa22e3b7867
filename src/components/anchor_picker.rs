//! "Anchor": where the original sits on the new canvas, nine positions in a 3×3 grid.

use kling_expand_core::geometry::Anchor;
use leptos::prelude::*;

use crate::model::framing::anchor_label;
use crate::state::WidgetState;

#[component]
pub fn AnchorPicker() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let group = state.id("anchor");
    let cells = Anchor::ALL
        .into_iter()
        .map(|anchor| {
            // In free mode the sides say where the picture is: no position is claimed.
            let checked = move || state.framing.with(|f| !f.is_free() && f.anchor == anchor);
            view! {
                <label class="ke-anchor-cell" title=anchor_label(anchor)>
                    <input
                        type="radio"
                        name=group.clone()
                        value=anchor.as_str()
                        aria-label=anchor_label(anchor)
                        prop:checked=checked
                        on:change=move |_| state.framing.update(|f| f.choose_anchor(anchor))
                    />
                    <span aria-hidden="true"></span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="ke-anchor" role="radiogroup">
            <legend>"Anchor"</legend>
            <div class="ke-anchor-grid">{cells}</div>
        </fieldset>
    }
}
