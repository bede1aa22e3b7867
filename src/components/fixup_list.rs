//! What was changed in the picture before sending ("Turned upright from EXIF orientation 6"),
//! each with "Undo"; what it still needs, each with the button that does it; and what is being
//! done right now.

use leptos::prelude::*;

use crate::actions::load_picture::{apply_fixup, undo_fixup};
use crate::model::fixups;
use crate::state::WidgetState;

#[component]
pub fn FixupList() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let heading_id = state.id("fixups");
    let applied = move || {
        state.picture.with(|p| {
            p.iter()
                .flat_map(|p| p.fixups.iter().map(|step| step.applied.to_string()))
                .collect::<Vec<_>>()
        })
    };
    // Offered only once the automatic fix-ups are done, so nothing flickers while they run.
    let needed = move || {
        if state.preparing.with(Option::is_some) {
            return Vec::new();
        }
        state
            .picture
            .with(|p| match p.as_ref().map(|p| (p.info, p.byte_len)) {
                Some((Some(info), Some(byte_len))) => fixups::needed(&info, byte_len),
                _ => Vec::new(),
            })
    };
    let shown = move || {
        state.preparing.with(Option::is_some)
            || state
                .picture
                .with(|p| p.as_ref().is_some_and(|p| !p.fixups.is_empty()))
            || !needed().is_empty()
    };
    view! {
        <Show when=shown>
            <section class="ke-fixups" aria-labelledby=heading_id.clone()>
                <h2 id=heading_id.clone() class="ke-fixups-title">"Before sending"</h2>
                <ul class="ke-fixups-done">
                    {move || {
                        applied()
                            .into_iter()
                            .enumerate()
                            .map(|(index, text)| {
                                view! {
                                    <li>
                                        <span>{text}</span>
                                        <button type="button" on:click=move |_| undo_fixup(state, index)>
                                            "Undo"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <p class="ke-fixups-doing" role="status">{move || state.preparing.get()}</p>
                <ul class="ke-fixups-needed">
                    {move || {
                        needed()
                            .into_iter()
                            .map(|need| {
                                let kind = need.kind();
                                view! {
                                    <li>
                                        <span>{need.reason()}</span>
                                        <button type="button" on:click=move |_| apply_fixup(state, kind)>
                                            {need.action()}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </section>
        </Show>
    }
}
