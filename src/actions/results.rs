//! Saving, sharing and re-using results.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::load_picture::load_picture;
use crate::browser::results::{copy_text, fetch_blob, save_as};
use crate::model::results::download_name;
use crate::state::{ShownError, WidgetState};

/// Saves one result under a name that says which task and which picture it is.
pub fn download(state: WidgetState, position: usize) {
    let Some((url, name)) = link_and_name(state, position) else {
        return;
    };
    spawn_local(async move {
        if !save_as(&url, &name).await {
            state.notice.set(Some(format!(
                "{name} opened in a new tab: save it from there."
            )));
        }
    });
}

/// Saves every result, one after the other.
pub fn download_all(state: WidgetState) {
    let count = state.results.with_untracked(Vec::len);
    spawn_local(async move {
        for position in 0..count {
            if let Some((url, name)) = link_and_name(state, position) {
                save_as(&url, &name).await;
            }
        }
    });
}

/// Copies a result's link and says so.
pub fn copy_link(state: WidgetState, position: usize) {
    let Some((url, _)) = link_and_name(state, position) else {
        return;
    };
    spawn_local(async move {
        let notice = match copy_text(&url).await {
            Ok(()) => format!("Link to result {} copied.", position + 1),
            Err(reason) => format!("Could not copy the link ({reason}); it is: {url}"),
        };
        state.notice.set(Some(notice));
    });
}

/// Makes a result the new source picture, to chain expansions past 3×.
pub fn expand_again(state: WidgetState, position: usize) {
    let Some((url, name)) = link_and_name(state, position) else {
        return;
    };
    spawn_local(async move {
        match fetch_blob(&url).await {
            Ok(blob) => {
                load_picture(state, blob, name);
                state.notice.set(Some(format!("Result {} is now the picture to expand.", position + 1)));
            }
            Err(reason) => state.error.set(Some(ShownError {
                title: "Could not take the result".into(),
                detail: format!(
                    "Result {} could not be downloaded ({reason}). Save it and choose it as a file instead.",
                    position + 1
                ),
                retry: None,
            })),
        }
    });
}

fn link_and_name(state: WidgetState, position: usize) -> Option<(String, String)> {
    let url = state
        .results
        .with_untracked(|r| r.get(position).map(|i| i.url.clone()))?;
    let task_id = state
        .phase
        .with_untracked(|p| p.task_id().map(str::to_owned));
    let name = download_name(task_id.as_deref(), position, &url);
    Some((url, name))
}
