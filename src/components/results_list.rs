//! The expanded pictures, as a list named "Results".

use leptos::prelude::*;

use crate::state::WidgetState;

#[component]
pub fn ResultsList() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let items = move || {
        state
            .results
            .get()
            .into_iter()
            .enumerate()
            .map(|(position, image)| {
                let alt = format!("Result {}", position + 1);
                let href = image.url.clone();
                view! {
                    <li class="ke-result">
                        <a href=href target="_blank" rel="noopener">
                            <img src=image.url alt=alt loading="lazy" />
                        </a>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || state.results.with(|r| !r.is_empty())>
            <section class="ke-results">
                <ul aria-label="Results">{items}</ul>
                <p class="ke-hint">"Result links expire after 30 days: download what you keep."</p>
            </section>
        </Show>
    }
}
