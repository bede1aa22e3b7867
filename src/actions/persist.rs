//! The widget's work survives a page reload: settings, picture, the running task and results
//! are saved as they change and taken back when the page opens again.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::expand::{recover, resume};
use crate::actions::load_picture::{load_picture, load_url};
use crate::browser::{file, storage};
use crate::model::saved::{Resumption, SavedPicture, SavedWidget};
use crate::state::{GenerationStatus, PictureSource, ShownError, WidgetState};

/// Takes back what was saved under `key`, then saves every change.
pub fn keep_across_reloads(state: WidgetState, key: String) {
    // Effects made after an await need the widget's owner, to end with the widget.
    let owner = Owner::current();
    spawn_local(async move {
        if let Some(saved) = storage::load_settings(&key)
            .await
            .and_then(|json| SavedWidget::from_json(&json))
        {
            restore(state, &key, saved).await;
        }
        let save = move || autosave(state, key);
        match owner {
            Some(owner) => owner.with(save),
            None => save(),
        }
    });
}

async fn restore(state: WidgetState, key: &str, saved: SavedWidget) {
    let resumption = saved.resumption();
    state.framing.set(saved.framing);
    state.prompt.set(saved.prompt);
    state.n.set(saved.n);
    state.watermark.set(saved.watermark);
    let mut history = saved.history;
    if resumption != Resumption::Nothing {
        // The task being watched when the page went is watched again.
        if let Some(last) = history.last_mut() {
            last.status = GenerationStatus::Running;
        }
    }
    state.history.set(history);
    match saved.picture {
        Some(SavedPicture::Bytes { name }) => {
            if let Some(blob) = storage::load_picture(key).await {
                load_picture(state, blob, name);
            }
        }
        Some(SavedPicture::Url { url }) => {
            if let Err(detail) = load_url(state, url).await {
                state.error.set(Some(ShownError {
                    title: "The picture's address no longer loads".into(),
                    detail,
                    retry: None,
                }));
            }
        }
        None => {}
    }
    match resumption {
        Resumption::Poll {
            task_id,
            started_ms,
        } => resume(state, task_id, Some(started_ms)),
        Resumption::Recover {
            external_task_id,
            started_ms,
        } => recover(state, external_task_id, started_ms),
        Resumption::Nothing => state.phase.set(saved.phase),
    }
}

fn autosave(state: WidgetState, key: String) {
    Effect::new(move |_| {
        let saved = SavedWidget {
            framing: state.framing.get(),
            prompt: state.prompt.get(),
            n: state.n.get(),
            watermark: state.watermark.get(),
            picture: state.picture.with(|picture| {
                picture.as_ref().map(|p| match &p.source {
                    PictureSource::Bytes(_) => SavedPicture::Bytes {
                        name: p.name.clone(),
                    },
                    PictureSource::Url(url) => SavedPicture::Url { url: url.clone() },
                })
            }),
            phase: state.phase.get(),
            history: state.history.get(),
        };
        let json = saved.to_json();
        let key = key.clone();
        spawn_local(async move {
            storage::save_settings(&key, &json).await;
        });
    });
}

/// What follows a new picture, in one place: its request body starts being prepared in the
/// background (so that Expand only joins the JSON around it), and a widget that keeps its work
/// saves the picture's bytes for a reload.
pub fn follow_picture(state: WidgetState, keep_under: Option<String>) {
    Effect::new(move |previous: Option<Option<String>>| {
        let current = state
            .picture
            .with(|p| p.as_ref().map(|p| p.preview_url.clone()));
        let bytes = state
            .picture
            .with_untracked(|p| match p.as_ref().map(|p| &p.source) {
                Some(PictureSource::Bytes(blob)) => Some(blob.clone()),
                _ => None,
            });
        if let Some(bytes) = &bytes {
            // Nothing to wait for here: the create call awaits the same preparation.
            let _ = file::prepare_base64(bytes);
        }
        // The first run only sees the empty widget: saving that would erase the picture a
        // reload is about to take back.
        if let (Some(key), Some(before)) = (keep_under.clone(), previous) {
            if before != current {
                spawn_local(async move {
                    storage::save_picture(&key, bytes).await;
                });
            }
        }
        current
    });
}
