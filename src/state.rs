//! The widget's reactive state, shared by its components through context.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use kling_expand_core::dialect::ResultImage;
use kling_expand_core::geometry::Size;
use kling_expand_core::inspect::{ImageFormat, ImageInfo};
use kling_expand_core::validate::{self, Problem};
use leptos::prelude::*;
use web_sys::Blob;

use crate::config::WidgetConfig;
use crate::model::fixups::{self, Applied};
use crate::model::framing::Framing;
use crate::model::progress::Phase;
pub use crate::model::results::ResultsFrame;

/// Where the picture to send lives.
#[derive(Clone, Debug)]
pub enum PictureSource {
    /// Bytes the person gave (picker, drop, paste), kept in JavaScript; sent as base64.
    Bytes(Blob),
    /// An http(s) URL, sent as-is for the provider to fetch.
    Url(String),
}

/// The picture that will be sent, as the person chose it (or as a fix-up left it).
#[derive(Clone, Debug)]
pub struct Picture {
    pub source: PictureSource,
    /// What the preview shows: an object URL for bytes (no base64), the URL itself otherwise.
    pub preview_url: String,
    /// File name or URL, for messages.
    pub name: String,
    /// Size as displayed (EXIF orientation applied): what the ratios are computed against.
    pub size: Size,
    /// Known for bytes (from their headers); unknown for a URL.
    pub format: Option<ImageFormat>,
    /// Known for bytes.
    pub byte_len: Option<u64>,
    /// What the headers of the bytes say (format, stored size, EXIF orientation); `None` for a URL.
    pub info: Option<ImageInfo>,
    /// The fix-ups that made this picture from the one the person gave, oldest first.
    pub fixups: Vec<FixupStep>,
}

/// One applied fix-up and the picture it replaced (whose own `fixups` are kept only here, on
/// the newest picture: undoing step `i` restores `fixups[i].before` with `fixups[..i]`).
#[derive(Clone, Debug)]
pub struct FixupStep {
    pub applied: Applied,
    pub before: Picture,
}

impl Picture {
    /// Why Kling would refuse this picture as it is (the core's checks); empty when it can be
    /// sent. A URL picture is known only by its displayed size.
    pub fn problems(&self) -> Vec<Problem> {
        match (&self.source, self.info) {
            (PictureSource::Bytes(_), Some(info)) => {
                validate::check_image(&info, self.byte_len.unwrap_or(0))
            }
            _ => fixups::size_problems(self.size),
        }
    }

    /// The object URLs this picture and the ones its fix-ups replaced hold (to free them when
    /// they are no longer shown nor restorable).
    pub fn object_urls(&self) -> Vec<String> {
        let own = matches!(self.source, PictureSource::Bytes(_)).then(|| self.preview_url.clone());
        own.into_iter()
            .chain(
                self.fixups
                    .iter()
                    .flat_map(|step| step.before.object_urls()),
            )
            .collect()
    }
}

/// What "Retry" does for the error on screen.
#[derive(Clone, Debug, PartialEq)]
pub enum RetryAction {
    /// Send the create call again (nothing was created).
    Create,
    /// Go back to polling a task that exists.
    Poll { task_id: String },
}

/// An error as the person sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownError {
    /// Short, names the kind of problem ("Billing", "Network").
    pub title: String,
    /// What happened and what to do.
    pub detail: String,
    pub retry: Option<RetryAction>,
}

/// Lets a running poll loop notice that it was cancelled, superseded, or that the widget is gone.
/// Deliberately outside the reactive system: it must outlive the widget's signals.
#[derive(Clone, Debug, Default)]
pub struct TaskControl {
    generation: Arc<AtomicU64>,
}

impl TaskControl {
    /// Starts a new run and returns its ticket; every earlier ticket stops being current.
    pub fn begin(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Stops whatever run is current.
    pub fn stop(&self) {
        self.begin();
    }

    pub fn is_current(&self, ticket: u64) -> bool {
        self.generation.load(Ordering::Relaxed) == ticket
    }
}

/// All the signals of one widget instance.
#[derive(Clone, Copy)]
pub struct WidgetState {
    /// Distinguishes this widget from others on the page (radio group names, element ids).
    pub uid: usize,
    pub config: StoredValue<WidgetConfig>,
    pub picture: RwSignal<Option<Picture>, LocalStorage>,
    pub framing: RwSignal<Framing>,
    pub prompt: RwSignal<String>,
    /// The "Images" field as typed; checked against 1..=9 before anything is sent.
    pub n: RwSignal<u32>,
    pub watermark: RwSignal<bool>,
    pub phase: RwSignal<Phase>,
    pub results: RwSignal<Vec<ResultImage>>,
    /// A short confirmation about results ("Link copied"), read out politely.
    pub notice: RwSignal<Option<String>>,
    /// The frame of the task that made (or is making) `results`.
    pub results_frame: RwSignal<Option<ResultsFrame>>,
    pub error: RwSignal<Option<ShownError>>,
    /// The browser's clock, refreshed while a task runs, for the elapsed time.
    pub now_ms: RwSignal<f64>,
    pub control: StoredValue<TaskControl>,
    /// What the picture's fix-ups are doing now ("Converting WebP…"); Expand waits for them.
    pub preparing: RwSignal<Option<String>>,
    /// Picture work (loading, fix-ups) in progress; a newer load or an undo supersedes it.
    pub loading: StoredValue<TaskControl>,
}

impl WidgetState {
    pub fn new(config: WidgetConfig) -> Self {
        static NEXT_UID: AtomicUsize = AtomicUsize::new(1);
        Self {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            config: StoredValue::new(config),
            picture: RwSignal::new_local(None),
            framing: RwSignal::new(Framing::default()),
            prompt: RwSignal::new(String::new()),
            n: RwSignal::new(1),
            watermark: RwSignal::new(false),
            phase: RwSignal::new(Phase::Idle),
            results: RwSignal::new(Vec::new()),
            results_frame: RwSignal::new(None),
            notice: RwSignal::new(None),
            error: RwSignal::new(None),
            now_ms: RwSignal::new(0.0),
            control: StoredValue::new(TaskControl::default()),
            preparing: RwSignal::new(None),
            loading: StoredValue::new(TaskControl::default()),
        }
    }

    /// Why the current picture cannot be sent yet, as sentences (the core's messages, or that
    /// its fix-ups are still running); empty when it can, or when there is no picture. Reactive.
    pub fn picture_blockers(&self) -> Vec<String> {
        if self.preparing.with(Option::is_some) {
            return vec!["Wait a moment: the picture is being prepared for sending.".to_owned()];
        }
        self.picture.with(|picture| {
            picture
                .iter()
                .flat_map(Picture::problems)
                .map(|problem| problem.to_string())
                .collect()
        })
    }

    /// The picture's displayed size, which the framing is computed against. Reactive.
    pub fn picture_size(&self) -> Option<Size> {
        self.picture.with(|p| p.as_ref().map(|p| p.size))
    }

    /// An element id unique to this widget on the page.
    pub fn id(&self, part: &str) -> String {
        format!("kling-expand-{}-{part}", self.uid)
    }
}
