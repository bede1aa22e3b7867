//! What is asked besides the frame: "Prompt" (with a live count), "Images" and "Watermark".

use crate::i18n::{en, t};
use kling_expand_core::limits::{MAX_N, MAX_PROMPT_CHARS, MIN_N};
use leptos::prelude::*;

use crate::state::{Part, WidgetState};

#[component]
pub fn RequestOptions() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let count_id = state.id(Part::PromptCount);
    let chars = move || state.prompt.with(|p| p.chars().count());
    let over = move || chars() > MAX_PROMPT_CHARS;
    view! {
        <fieldset class="ke-request">
            <legend>{t(en::REQUEST)}</legend>
            <label class="ke-prompt">
                <span>{t(en::PROMPT)}</span>
                <textarea
                    rows="3"
                    placeholder=t(en::PROMPT_PLACEHOLDER)
                    aria-describedby=count_id.clone()
                    aria-invalid=move || over().to_string()
                    prop:value=move || state.prompt.get()
                    on:input=move |ev| state.prompt.set(event_target_value(&ev))
                ></textarea>
            </label>
            <p id=count_id class="ke-count" class:ke-over=over>
                {move || format!("{} / {MAX_PROMPT_CHARS}", chars())}
            </p>
            <div class="ke-request-row">
                <label class="ke-images">
                    <span>{t(en::IMAGES)}</span>
                    <input
                        type="number"
                        min=MIN_N
                        max=MAX_N
                        step="1"
                        prop:value=move || state.n.get().to_string()
                        on:input=move |ev| {
                            state.n.set(event_target_value(&ev).trim().parse().unwrap_or(0))
                        }
                    />
                </label>
                <label class="ke-watermark">
                    <input
                        type="checkbox"
                        prop:checked=move || state.watermark.get()
                        on:change=move |ev| state.watermark.set(event_target_checked(&ev))
                    />
                    <span>{t(en::WATERMARK)}</span>
                </label>
            </div>
        </fieldset>
    }
}
