//! The expanded pictures, as a list named "Results", with what can be done with each.

use leptos::prelude::*;

use crate::actions::results::{copy_link, download, download_all, expand_again};
use crate::components::{open_viewer, ResultViewer};
use crate::state::WidgetState;

#[component]
pub fn ResultsList() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    // Which result the larger view shows, if open.
    let viewing = RwSignal::new(None::<usize>);
    let items = move || {
        state
            .results
            .get()
            .into_iter()
            .enumerate()
            .map(|(position, image)| {
                let alt = format!("Result {}", position + 1);
                view! {
                    <li class="ke-result">
                        <button
                            type="button"
                            class="ke-thumb"
                            title="View larger"
                            on:click=move |_| open_viewer(state, viewing, position)
                        >
                            <img src=image.url alt=alt />
                        </button>
                        <div class="ke-result-actions">
                            <button type="button" on:click=move |_| download(state, position)>
                                "Download"
                            </button>
                            <button type="button" on:click=move |_| copy_link(state, position)>
                                "Copy link"
                            </button>
                            <button type="button" on:click=move |_| expand_again(state, position)>
                                "Expand again"
                            </button>
                        </div>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        // Always in place, shown only with results: cheaper than mounting it on demand.
        <section class="ke-results" hidden=move || state.results.with(Vec::is_empty)>
                <div class="ke-results-head">
                    <h2>"Results"</h2>
                    <button type="button" on:click=move |_| download_all(state)>
                        "Download all"
                    </button>
                </div>
                <ul aria-label="Results">{items}</ul>
                <p class="ke-hint">
                    "Result links expire after 30 days: download the pictures you want to keep."
                </p>
                <p class="ke-notice" aria-live="polite">
                    {move || state.notice.get()}
                </p>
                <ResultViewer viewing />
        </section>
    }
}
