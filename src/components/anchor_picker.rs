//! "Anchor": where the original sits on the new canvas, nine positions in a 3×3 grid.

use kling_expand_core::geometry::Anchor;
use leptos::prelude::*;

use crate::actions::framing::edit_framing;
use crate::model::framing::{anchor_label, Edit};
use crate::state::WidgetState;

#[component]
pub fn AnchorPicker() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let group = state.id("anchor");
    let cells = Anchor::ALL
        .into_iter()
        .map(|anchor| {
            view! {
                <label class="ke-anchor-cell" title=anchor_label(anchor)>
                    <input
                        type="radio"
                        name=group.clone()
                        value=anchor.as_str()
                        aria-label=anchor_label(anchor)
                        // In free mode the sides say where the picture is: no position is claimed.
                        prop:checked=move || {
                            let f = state.framing.get();
                            !f.is_free() && f.anchor == anchor
                        }
                        on:change=move |_| edit_framing(state, Edit::Anchor(anchor))
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
