//! Taking a picture in: read its headers, check it against Kling's limits, show it.

use kling_expand_core::inspect::{self, ImageInfo};
use kling_expand_core::validate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use crate::browser::file;
use crate::state::{Picture, PictureSource, ShownError, WidgetState};

/// Reads a picture the person gave (picker, drop, paste) and makes it the source, or says why not.
/// A refused picture leaves the current one, and every setting, as they were.
pub fn load_picture(state: WidgetState, blob: Blob, name: String) {
    spawn_local(async move {
        let byte_len = blob.size() as u64;
        let info = match read_info(&blob).await {
            Ok(info) => info,
            Err(reason) => {
                state.error.set(Some(picture_error(&name, reason)));
                return;
            }
        };
        let problems = validate::check_image(&info, byte_len);
        if !problems.is_empty() {
            let detail = problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            state.error.set(Some(picture_error(&name, detail)));
            return;
        }
        let object_url = match file::object_url(&blob) {
            Ok(url) => url,
            Err(_) => {
                state.error.set(Some(picture_error(
                    &name,
                    "The browser could not show it.".into(),
                )));
                return;
            }
        };
        let previous = state.picture.get_untracked();
        state.picture.set(Some(Picture {
            source: PictureSource::Bytes(blob),
            preview_url: object_url,
            name,
            size: info.displayed_size(),
            format: Some(info.format),
            byte_len: Some(byte_len),
        }));
        if let Some(Picture {
            source: PictureSource::Bytes(_),
            preview_url,
            ..
        }) = previous
        {
            file::revoke_object_url(&preview_url);
        }
        state.error.set(None);
    });
}

/// Header inspection on the first bytes only; the whole file only when its headers run longer.
async fn read_info(blob: &Blob) -> Result<ImageInfo, String> {
    let unreadable = |_| "The browser could not read the file.".to_owned();
    let head = file::read_head(blob, file::HEAD_BYTES)
        .await
        .map_err(unreadable)?;
    match inspect::inspect(&head) {
        Err(inspect::InspectError::Truncated { .. }) if blob.size() > file::HEAD_BYTES => {
            let whole = file::read_all(blob).await.map_err(unreadable)?;
            inspect::inspect(&whole).map_err(|e| e.to_string())
        }
        inspected => inspected.map_err(|e| e.to_string()),
    }
}

fn picture_error(name: &str, detail: String) -> ShownError {
    ShownError {
        title: format!("“{name}” cannot be used"),
        detail,
        retry: None,
    }
}
