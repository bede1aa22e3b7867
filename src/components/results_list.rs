//! The expanded pictures, as a list named "Results": every press of Expand this person made, the
//! newest first, each picture with its framing and what can be done with it. A task that was
//! cancelled or not finished in time stays listed, to be looked at again and collected.

use crate::i18n::{en, t};
use leptos::prelude::*;

use crate::actions::expand::check_again;
use crate::actions::results::{copy_link, download, expand_again};
use crate::components::{open_viewer, ResultViewer};
use crate::model::results::first_numbers;
use crate::state::{GenerationStatus, Part, WidgetState};

#[component]
pub fn ResultsList() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    // Which result (by number) the larger view shows, if open.
    let viewing = RwSignal::new(None::<usize>);
    // Every picture, the newest first, each with the caption of the press that made it.
    let items = move || {
        let history = state.history.get();
        let strings = state.strings.get_value();
        let firsts = first_numbers(&history);
        let mut pictures = Vec::new();
        for (generation, first) in history.iter().zip(firsts).rev() {
            let caption = generation.caption(&strings);
            for (position, image) in generation.images.iter().enumerate() {
                pictures.push((first + position, image.url.clone(), caption.clone()));
            }
        }
        pictures
            .into_iter()
            .map(|(number, url, caption)| {
                let name = state.fill(en::RESULT_N, &[number.to_string()]);
                let caption_id = state.id(Part::ResultCaption(number));
                view! {
                    <li class="ke-result">
                        <button
                            type="button"
                            id=state.id(Part::ResultThumb(number))
                            class="ke-thumb"
                            title=state.t(en::VIEW_LARGER)
                            on:click=move |_| open_viewer(state, viewing, number)
                        >
                            <img
                                src=url
                                alt=name.clone()
                                on:error={
                                    let name = name.clone();
                                    move |_| state.notice.set(Some(state.fill(en::RESULT_GONE, std::slice::from_ref(&name))))
                                }
                            />
                        </button>
                        <p id=caption_id.clone() class="ke-result-caption">
                            {state.fill(en::CAPTION, &[name, caption])}
                        </p>
                        <div class="ke-result-actions">
                            <button type="button" aria-describedby=caption_id.clone() on:click=move |_| download(state, number)>
                                {state.t(en::DOWNLOAD)}
                            </button>
                            <button type="button" aria-describedby=caption_id.clone() on:click=move |_| copy_link(state, number)>
                                {state.t(en::COPY_LINK)}
                            </button>
                            <button type="button" aria-describedby=caption_id on:click=move |_| expand_again(state, number)>
                                {state.t(en::EXPAND_AGAIN)}
                            </button>
                        </div>
                    </li>
                }
            })
            .collect_view()
    };
    // The presses whose task may still finish at the provider (and be billed).
    let unfinished = move || {
        state
            .history
            .with(|history| {
                history
                    .iter()
                    .filter(|g| g.status == GenerationStatus::Unfinished)
                    .map(|g| {
                        (
                            g.external_task_id.clone(),
                            state.strings.with_value(|s| g.caption(s)),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .into_iter()
            .map(|(id, caption)| {
                view! {
                    <li>
                        {state.fill(en::UNFINISHED, &[caption])}
                        <button type="button" on:click=move |_| check_again(state, id.clone())>
                            {state.t(en::CHECK_AGAIN)}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let empty = move || {
        state.history.with(|h| {
            h.iter()
                .all(|g| g.images.is_empty() && g.status != GenerationStatus::Unfinished)
        })
    };
    view! {
        // Always in place, shown only with results: cheaper than mounting it on demand.
        <section class="ke-results" hidden=empty>
            <h2>{t(en::RESULTS)}</h2>
            <ul aria-label=t(en::RESULTS)>{items}</ul>
            <ul class="ke-unfinished" aria-label=t(en::NOT_FINISHED)>{unfinished}</ul>
            <p class="ke-hint">{t(en::LINKS_EXPIRE)}</p>
            <p class="ke-notice" aria-live="polite">
                {move || state.notice.get()}
            </p>
            <ResultViewer viewing />
        </section>
    }
}
