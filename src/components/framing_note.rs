//! Why the chosen framing cannot be sent, said beside the controls, with the nearest choice that
//! works as a button ("Use 2.4× instead"). The choice itself is kept as the person made it.
//!
//! Everything is always in place and only shown or hidden, which keeps the widget's code small.

use leptos::prelude::*;

use crate::actions::framing::edit_framing;
use crate::model::framing::{Edit, Remedy};
use crate::state::WidgetState;

#[component]
pub fn FramingNote() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let refusal = move || state.framing.get().ratios(state.picture_size()?).err();
    // The n-th way out, if the refusal offers that many.
    let remedy = move |n: usize| refusal().and_then(|r| Remedy::offered(&r).get(n).copied());
    let offer = move |n: usize| {
        view! {
            <button
                type="button"
                hidden=move || remedy(n).is_none()
                on:click=move |_| {
                    if let Some(way_out) = remedy(n) {
                        edit_framing(state, Edit::Remedy(way_out));
                    }
                }
            >
                {move || remedy(n).map(|r| r.label())}
            </button>
        }
    };
    view! {
        // Always present, so that aria-describedby on the controls resolves and changes are read.
        <div id=state.id("framing-note") class="ke-framing-note" aria-live="polite">
            <div role="note" class="ke-note" hidden=move || refusal().is_none()>
                <p>{move || refusal().map(|r| r.to_string())}</p>
                <div class="ke-remedies">{offer(0)} {offer(1)}</div>
            </div>
        </div>
    }
}
