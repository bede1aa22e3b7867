//! Why the chosen framing cannot be sent, said beside the controls, with the nearest choice that
//! works as a button ("Use 2.4× instead"). The choice itself is kept as the person made it.

use leptos::prelude::*;

use crate::model::framing::Remedy;
use crate::state::WidgetState;

#[component]
pub fn FramingNote() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let refusal = Memo::new(move |_| {
        let size = state.picture.with(|p| p.as_ref().map(|p| p.size))?;
        state.framing.with(|f| f.ratios(size)).err()
    });
    view! {
        // Always present, so that aria-describedby on the controls resolves and changes are read.
        <div id=state.id("framing-note") class="ke-framing-note" aria-live="polite">
            {move || {
                refusal
                    .get()
                    .map(|refusal| {
                        let remedies = Remedy::offered(&refusal)
                            .into_iter()
                            .map(|remedy| {
                                view! {
                                    <button
                                        type="button"
                                        on:click=move |_| state.framing.update(|f| f.apply(remedy))
                                    >
                                        {remedy.label()}
                                    </button>
                                }
                            })
                            .collect_view();
                        view! {
                            <div role="note" class="ke-note">
                                <p>{refusal.to_string()}</p>
                                <div class="ke-remedies">{remedies}</div>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
