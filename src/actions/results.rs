//! Saving, sharing and re-using results.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::api;
use crate::actions::load_picture::load_picture;
use crate::browser::results::{copy_text, fetch_blob, save_as, ResultSource};
use crate::config::WidgetConfig;
use crate::i18n::en;
use crate::model::results::result_copy_path;
use crate::state::{ShownError, WidgetState};

/// Saves result number `number` (as the list names it: "Result 1", …) under a name that says
/// which picture and which framing it came from.
pub fn download(state: WidgetState, number: usize) {
    let Some(result) = locate(state, number) else {
        return;
    };
    spawn_local(async move {
        if let Err(reason) = save_as(&result.source().await, &result.name).await {
            state.notice.set(Some(
                state.fill(en::NOT_SAVED, &[number.to_string(), reason]),
            ));
        }
    });
}

/// Copies a result's link and says so.
pub fn copy_link(state: WidgetState, number: usize) {
    let Some(Located { url, .. }) = locate(state, number) else {
        return;
    };
    spawn_local(async move {
        let notice = match copy_text(&url).await {
            Ok(()) => state.fill(en::LINK_COPIED, &[number.to_string()]),
            Err(reason) => state.fill(en::NOT_COPIED, &[reason, url]),
        };
        state.notice.set(Some(notice));
    });
}

/// Makes a result the new source picture, to chain expansions past 3×.
pub fn expand_again(state: WidgetState, number: usize) {
    let Some(result) = locate(state, number) else {
        return;
    };
    spawn_local(async move {
        match fetch_blob(&result.source().await).await {
            Ok(blob) => {
                load_picture(state, blob, result.name);
                state
                    .notice
                    .set(Some(state.fill(en::NOW_THE_PICTURE, &[number.to_string()])));
            }
            Err(reason) => state.error.set(Some(ShownError {
                title: state.t(en::NOT_TAKEN),
                detail: state.fill(en::NOT_DOWNLOADED, &[number.to_string(), reason]),
                retry: None,
            })),
        }
    });
}

/// A result's link, the proxy's copy of it, and the name it is saved under.
struct Located {
    url: String,
    relay: String,
    name: String,
    config: WidgetConfig,
}

impl Located {
    /// Where to read the picture, with the access token the proxy's copy needs.
    async fn source(&self) -> ResultSource<'_> {
        ResultSource {
            url: &self.url,
            relay: &self.relay,
            authorization: api::authorization(&self.config).await,
        }
    }
}

/// Result number `number` (1-based, in the order results were made).
fn locate(state: WidgetState, number: usize) -> Option<Located> {
    let (url, index, task_id, name) = state.history.with_untracked(|history| {
        let mut first = 1;
        for generation in history {
            let count = generation.images.len();
            if (first..first + count).contains(&number) {
                let position = number - first;
                let image = &generation.images[position];
                return Some((
                    image.url.clone(),
                    image.index,
                    generation.task_id.clone(),
                    generation.download_name(position, &image.url),
                ));
            }
            first += count;
        }
        None
    })?;
    let config = state.config.get_value();
    // The proxy serves its copy of each result link it relayed, for when the provider's
    // host does not let this page read the picture (no CORS).
    let relay = task_id
        .map(|task| config.url(&result_copy_path(&task, index)))
        .unwrap_or_default();
    Some(Located {
        url,
        relay,
        name,
        config,
    })
}
