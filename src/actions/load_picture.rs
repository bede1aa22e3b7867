//! Taking a picture in (chosen, dropped, pasted, or at an address) and the fix-ups applied
//! before it is sent: the pure decisions are in `model::fixups`, the pixel work in
//! `browser::image_prep`; here they are joined and written into the widget's state.
//!
//! Rules kept throughout:
//! - a refused or failed load leaves the current picture, its fix-ups and every setting as they
//!   were;
//! - the newest action on the picture wins: a load, an undo or a requested fix-up supersedes
//!   the fix-ups still running (see `WidgetState::loading`), and whoever supersedes also owns
//!   `WidgetState::preparing`;
//! - object URLs are freed once no picture on screen or in the undo history uses them.

use kling_expand_core::inspect::{self, ImageFormat, ImageInfo};
use kling_expand_core::validate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ClipboardEvent, DataTransfer, DragEvent, Element, Event};

use crate::browser::file;
use crate::browser::image_prep::{self, Bitmap};
use crate::browser::transfer::{self, Carried};
use crate::model::fixups::{self, Applied, FixupKind, Needed, Next, ShrinkSearch};
use crate::state::{FixupStep, Picture, PictureSource, ShownError, WidgetState};

/// Reads a picture the person gave (picker, drop, paste), shows it at once, then applies the
/// automatic fix-ups it needs. A refused picture, or one whose fix-ups fail, leaves the
/// current one as it was.
pub fn load_picture(state: WidgetState, blob: Blob, name: String) {
    let ticket = begin(state);
    spawn_local(async move {
        let current = move || state.loading.get_value().is_current(ticket);
        let byte_len = blob.size() as u64;
        let info = match read_info(&blob).await {
            Ok(info) => info,
            Err(reason) => {
                if current() {
                    state.error.set(Some(picture_error(&name, reason)));
                }
                return;
            }
        };
        if !current() {
            return;
        }
        if let Some(problem) = fixups::refusal(&info) {
            state
                .error
                .set(Some(picture_error(&name, problem.to_string())));
            return;
        }
        let Ok(preview_url) = file::object_url(&blob) else {
            state.error.set(Some(picture_error(
                &name,
                "The browser could not show it.".into(),
            )));
            return;
        };
        let given = Picture {
            source: PictureSource::Bytes(blob),
            preview_url,
            name: name.clone(),
            size: info.displayed_size(),
            format: Some(info.format),
            byte_len: Some(byte_len),
            info: Some(info),
            fixups: Vec::new(),
        };
        let previous = state.picture.get_untracked();
        state.picture.set(Some(given));
        state.error.set(None);
        match prepare(state, ticket, None).await {
            Ok(()) | Err(Stop::Superseded) => release(previous.as_ref()),
            Err(Stop::Failed(reason)) => {
                // The load fails as a whole: the person keeps what they had.
                let failed = state.picture.get_untracked();
                state.picture.set(previous);
                release(failed.as_ref());
                state.error.set(Some(picture_error(&name, reason)));
            }
        }
    });
}

/// Uses the picture at an http(s) address, sent as-is: checked as an address, loaded in an
/// `<img>` for its displayed size, and refused (with the reason) when it does not load or its
/// size breaks Kling's rules. The current picture stays until the new one is accepted.
pub async fn load_url(state: WidgetState, url: String) -> Result<(), String> {
    let url = url.trim().to_owned();
    validate::check_image_url(&url).map_err(|problem| problem.to_string())?;
    let ticket = begin(state);
    let loaded = image_prep::load_natural_size(&url).await;
    if !state.loading.get_value().is_current(ticket) {
        // Something newer happened meanwhile; this address no longer matters.
        return Ok(());
    }
    let size = loaded.map_err(|_| {
        "The picture at this address did not load. Check that the address opens a PNG or JPEG \
         picture in a new tab, or save the picture and choose the file instead."
            .to_owned()
    })?;
    let problems = fixups::size_problems(size);
    if !problems.is_empty() {
        return Err(sentences(problems));
    }
    let previous = state.picture.get_untracked();
    state.picture.set(Some(Picture {
        source: PictureSource::Url(url.clone()),
        preview_url: url.clone(),
        name: address_name(&url),
        size,
        format: None,
        byte_len: None,
        info: None,
        fixups: Vec::new(),
    }));
    release(previous.as_ref());
    state.error.set(None);
    Ok(())
}

/// Applies a fix-up the person asked for (an offered crop, or one they undid), with the ones it
/// depends on (a picture is made upright and convertible before it is shrunk or cropped).
pub fn apply_fixup(state: WidgetState, kind: FixupKind) {
    let ticket = begin(state);
    spawn_local(async move {
        if let Err(Stop::Failed(reason)) = prepare(state, ticket, Some(kind)).await {
            let name = state
                .picture
                .with_untracked(|p| p.as_ref().map(|p| p.name.clone()))
                .unwrap_or_default();
            state.error.set(Some(ShownError {
                title: format!("“{name}” could not be fixed"),
                detail: reason,
                retry: None,
            }));
        }
    });
}

/// Restores the picture as it was before fix-up `index` (dropping that one and every later
/// one), and stops any fix-up still running.
pub fn undo_fixup(state: WidgetState, index: usize) {
    begin(state);
    let Some(current) = state.picture.get_untracked() else {
        return;
    };
    let Some(step) = current.fixups.get(index) else {
        return;
    };
    let mut restored = step.before.clone();
    restored.fixups = current.fixups[..index].to_vec();
    let kept = restored.object_urls();
    for url in current.object_urls() {
        if !kept.contains(&url) {
            file::revoke_object_url(&url);
        }
    }
    state.picture.set(Some(restored));
}

/// `dragover` on the widget: accept drops that carry files or a link.
pub fn allow_drop(event: &DragEvent) {
    if event
        .data_transfer()
        .is_some_and(|t| transfer::offers_picture(&t))
    {
        event.prevent_default();
    }
}

/// `drop` on the widget: a file, or a picture's address (a link dragged from another page).
/// Text dropped into a text field stays that field's business.
pub fn take_drop(state: WidgetState, event: &DragEvent) {
    let Some(transfer) = event.data_transfer() else {
        return;
    };
    if take(state, event, &transfer) {
        return;
    }
    if transfer::offers_picture(&transfer) && !in_text_field(event) {
        // Otherwise the browser would leave the page to open what was dropped.
        event.prevent_default();
        state.error.set(Some(ShownError {
            title: "Nothing to use in what was dropped".into(),
            detail: "Drop a PNG or JPEG file, or a link to one (http or https).".into(),
            retry: None,
        }));
    }
}

/// `paste` anywhere in the widget: a picture file from the clipboard, or a copied http(s)
/// address outside the text fields. Text pasted into a field is left alone.
pub fn take_paste(state: WidgetState, event: &ClipboardEvent) {
    if let Some(transfer) = event.clipboard_data() {
        take(state, event, &transfer);
    }
}

/// Takes what a drop or paste carries; true when it was used.
fn take(state: WidgetState, event: &Event, transfer: &DataTransfer) -> bool {
    match transfer::carried(transfer) {
        Some(Carried::File(file)) => {
            event.prevent_default();
            let name = file.name();
            load_picture(state, file.unchecked_into(), name);
            true
        }
        Some(Carried::Address(url)) if !in_text_field(event) => {
            event.prevent_default();
            spawn_local(async move {
                if let Err(detail) = load_url(state, url.clone()).await {
                    state
                        .error
                        .set(Some(picture_error(&address_name(&url), detail)));
                }
            });
            true
        }
        _ => false,
    }
}

fn in_text_field(event: &Event) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| {
            e.closest("textarea, input:not([type=file]), [contenteditable]")
                .ok()
                .flatten()
        })
        .is_some()
}

/// Starts an action on the picture: supersedes whatever picture work is running, and takes
/// over its "preparing" notice.
fn begin(state: WidgetState) -> u64 {
    let ticket = state.loading.get_value().begin();
    state.preparing.set(None);
    ticket
}

/// Why a run of fix-ups stopped early.
enum Stop {
    /// A newer action on the picture took over.
    Superseded,
    /// A fix-up could not be made; the sentence says why.
    Failed(String),
}

/// Applies fix-ups to the current picture one at a time, publishing each result: every
/// automatic one it needs (`only: None`), or the one asked for with those it depends on.
async fn prepare(state: WidgetState, ticket: u64, only: Option<FixupKind>) -> Result<(), Stop> {
    let current = move || state.loading.get_value().is_current(ticket);
    // Each fix-up removes its own need, so a handful of rounds is always enough.
    for _ in 0..6 {
        let Some(picture) = state.picture.get_untracked() else {
            break;
        };
        let (Some(info), Some(byte_len)) = (picture.info, picture.byte_len) else {
            break;
        };
        let needs = fixups::needed(&info, byte_len);
        let next = needs.into_iter().find(|need| match only {
            None => need.automatic(),
            Some(kind) => {
                need.kind() == kind
                    || (need.kind() < kind
                        && matches!(need.kind(), FixupKind::Upright | FixupKind::Convert))
            }
        });
        let Some(need) = next else {
            break;
        };
        state.preparing.set(Some(doing(&need)));
        let fixed = apply(&picture, need).await;
        if !current() {
            if let Ok(fixed) = fixed {
                file::revoke_object_url(&fixed.preview_url);
            }
            return Err(Stop::Superseded);
        }
        match fixed {
            Ok(fixed) => state.picture.set(Some(fixed)),
            Err(reason) => {
                state.preparing.set(None);
                return Err(Stop::Failed(reason));
            }
        }
        if only == Some(need.kind()) {
            break;
        }
    }
    if current() {
        state.preparing.set(None);
    }
    Ok(())
}

/// What the widget says while a fix-up runs.
fn doing(need: &Needed) -> String {
    match need {
        Needed::Upright { .. } => "Turning the picture upright…".to_owned(),
        Needed::Convert { from } => format!("Converting the {from} picture…"),
        Needed::Shrink { .. } => "Making the picture fit 10 MB…".to_owned(),
        Needed::Crop(crop) => format!("Cropping the picture to {}…", crop.shape()),
    }
}

/// One fix-up: decode (upright), draw, encode, and check what the browser made.
async fn apply(picture: &Picture, need: Needed) -> Result<Picture, String> {
    let (PictureSource::Bytes(blob), Some(info), Some(byte_len)) =
        (&picture.source, picture.info, picture.byte_len)
    else {
        return Err("Only a picture from a file can be changed here.".to_owned());
    };
    let bitmap = image_prep::decode(blob).await.map_err(|_| {
        format!(
            "This browser cannot decode the {} picture, so it cannot prepare it. Save it as PNG \
             or JPEG in an image editor and choose that file.",
            info.format
        )
    })?;
    let made = redraw(&bitmap, picture, info, byte_len, need).await;
    bitmap.close();
    let (blob, asked, applied) = made?;
    let made_info = read_info(&blob).await?;
    if made_info.format != asked {
        return Err(format!(
            "This browser cannot write {asked} pictures, so it cannot prepare this one. Save it \
             as PNG or JPEG in an image editor and choose that file."
        ));
    }
    let preview_url =
        file::object_url(&blob).map_err(|_| "The browser could not show it.".to_owned())?;
    let mut before = picture.clone();
    let mut steps = std::mem::take(&mut before.fixups);
    steps.push(FixupStep { applied, before });
    Ok(Picture {
        source: PictureSource::Bytes(blob.clone()),
        preview_url,
        name: picture.name.clone(),
        size: made_info.displayed_size(),
        format: Some(made_info.format),
        byte_len: Some(blob.size() as u64),
        info: Some(made_info),
        fixups: steps,
    })
}

/// The pixel work of one fix-up; returns the new file, the format asked of the browser, and
/// what was done. Every fix-up is one drawing of (a part of) the upright picture, encoded once;
/// only shrinking may try again, smaller.
async fn redraw(
    bitmap: &Bitmap,
    picture: &Picture,
    info: ImageInfo,
    byte_len: u64,
    need: Needed,
) -> Result<(Blob, ImageFormat, Applied), String> {
    let shown = picture.size;
    if bitmap.size() != shown {
        return Err(format!(
            "The browser decoded the picture at {} instead of the {} its header announces, so \
             the preview and the ratios would not match what is sent. Save it again from an \
             image editor.",
            bitmap.size(),
            shown
        ));
    }
    // A format Kling accepts as it is stays; the others are converted before any other redraw.
    let kept = if info.format.accepted() {
        info.format
    } else {
        ImageFormat::Png
    };
    let transparent = || fixups::may_be_transparent(info.format) && bitmap.transparent();
    let (origin, part, format) = match need {
        Needed::Upright { .. } => ((0, 0), shown, kept),
        Needed::Convert { .. } => {
            // A small picture becomes PNG anyway: no need to look at its pixels.
            let look = shown.pixels() > fixups::SMALL_PIXELS && transparent();
            ((0, 0), shown, fixups::conversion_target(shown, look))
        }
        Needed::Shrink { .. } => ((0, 0), shown, fixups::shrink_target(transparent())),
        Needed::Crop(crop) => ((crop.x, crop.y), crop.to, kept),
    };
    let shrinking = matches!(need, Needed::Shrink { .. });
    let (mut search, mut attempt) = ShrinkSearch::start(shown, format);
    if !shrinking {
        attempt.size = part;
    }
    loop {
        let blob = image_prep::encode(bitmap, origin, part, attempt.size, format, attempt.quality)
            .await
            .map_err(|_| {
                "The browser could not encode the picture (it may be out of memory). Close \
                 other tabs, or save a smaller picture and choose that file."
                    .to_owned()
            })?;
        let after = blob.size() as u64;
        let next = if shrinking {
            search.next(after)
        } else {
            Next::Done
        };
        match next {
            Next::Done => {
                let applied = match need {
                    Needed::Upright { orientation } => Applied::Upright { orientation },
                    Needed::Convert { from } => Applied::Converted {
                        from,
                        to: format,
                        // PNG was chosen for transparency only when the picture is not small.
                        transparent: format == ImageFormat::Png
                            && fixups::conversion_target(shown, false) == ImageFormat::Jpeg,
                    },
                    Needed::Shrink { .. } => Applied::Shrunk {
                        to: format,
                        from_size: shown,
                        to_size: attempt.size,
                        before: byte_len,
                        after,
                    },
                    Needed::Crop(crop) => Applied::Cropped(crop),
                };
                return Ok((blob, format, applied));
            }
            Next::Try(next) => attempt = next,
            Next::GiveUp => {
                return Err(
                    "Even scaled down to 300 px on its short side, the picture does not fit in \
                     10 MB."
                        .to_owned(),
                )
            }
        }
    }
}

/// Frees the object URLs of a picture that is gone for good (and of its undo history).
fn release(picture: Option<&Picture>) {
    for url in picture.iter().flat_map(|p| p.object_urls()) {
        file::revoke_object_url(&url);
    }
}

/// Header inspection on the first bytes only; the whole file only when its headers run longer,
/// or when its last bytes do not look like the end of a PNG or JPEG (a file cut off after its
/// header would show as a half-grey preview, and be refused only once sent).
async fn read_info(blob: &Blob) -> Result<ImageInfo, String> {
    let unreadable = |_| "The browser could not read the file.".to_owned();
    let head = file::read_head(blob, file::HEAD_BYTES)
        .await
        .map_err(unreadable)?;
    let info = match inspect::inspect(&head) {
        Err(inspect::InspectError::Truncated { .. }) if blob.size() > file::HEAD_BYTES => {
            let whole = file::read_all(blob).await.map_err(unreadable)?;
            inspect::inspect(&whole).map_err(|e| e.to_string())?
        }
        inspected => inspected.map_err(|e| e.to_string())?,
    };
    let tail = file::read_tail(blob, 64.0).await.map_err(unreadable)?;
    if !inspect::ends_like_complete(info.format, &tail) {
        // Rare: a cut-off file, or one with more after its picture (a motion photo's video).
        let whole = file::read_all(blob).await.map_err(unreadable)?;
        inspect::check_complete(&whole).map_err(|e| e.to_string())?;
    }
    Ok(info)
}

/// A short name for a picture at an address: its file name, else its host.
fn address_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|part| !part.is_empty())
        .unwrap_or(path)
        .to_owned()
}

fn sentences(problems: Vec<validate::Problem>) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn picture_error(name: &str, detail: String) -> ShownError {
    ShownError {
        title: format!("“{name}” cannot be used"),
        detail,
        retry: None,
    }
}
