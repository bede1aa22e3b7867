//! Why the chosen shape cannot be made (only past Kling's 3× area), said beside the controls,
//! with the nearest shape that works as a button ("Use 1.68:1 instead"). A leaf.

use crate::i18n::en;
use kling_expand_core::geometry::Aspect;
use leptos::prelude::*;

#[component]
pub fn FramingNote(
    id: String,
    /// The explanation, when the framing cannot be sent.
    text: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
    /// The nearest shape that works.
    offer: impl Fn() -> Option<Aspect> + Copy + Send + Sync + 'static,
    on_take: impl Fn(Aspect) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let strings = crate::i18n::strings();
    view! {
        // Always present, so that aria-describedby on the controls resolves and changes are read.
        <div id=id class="ke-framing-note" aria-live="polite">
            <div role="note" class="ke-note" hidden=move || text().is_none()>
                <p>{text}</p>
                <p class="ke-remedies">
                    <button
                        type="button"
                        hidden=move || offer().is_none()
                        on:click=move |_| {
                            if let Some(aspect) = offer() {
                                on_take(aspect);
                            }
                        }
                    >
                        {move || offer().map(|a| strings.fill(en::USE_INSTEAD, &[a.to_string()]))}
                    </button>
                </p>
            </div>
        </div>
    }
}
