//! The widget's reactive state, shared by its components through context.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use kling_expand_core::geometry::{Canvas, Infeasible, Ratios, Side, Size};
use kling_expand_core::inspect::{ImageFormat, ImageInfo};
use kling_expand_core::validate::{self, Problem};
use leptos::prelude::*;
use web_sys::Blob;

use crate::config::Theme;
use crate::config::WidgetConfig;
use crate::i18n::{en, Strings};
use crate::model::fixups::{self, Applied};
use crate::model::framing::{Framing, FramingHistory};
use crate::model::progress::Phase;
use crate::model::readiness;
pub use crate::model::results::{Generation, GenerationStatus, ResultsFrame};

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
    /// Send the create call again: at once when nothing was made, or after asking for the task
    /// by this external id when it may exist.
    Create { external_task_id: Option<String> },
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

/// The parts of a widget that other parts point at (a label's `for`, `aria-describedby`, a
/// dialog opened by id). [`WidgetState::id`] is the one place their ids are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Area,
    AspectGroup,
    AnchorGroup,
    FramingNote,
    /// The note under a side's field (a cap, or why the typed value is not used).
    SideNote(Side),
    SideField(Side),
    CustomNote,
    OutputSize,
    ExpandButton,
    CancelButton,
    ExpandBlockers,
    Viewer,
    /// The caption of result number N (1-based), which its buttons are described by.
    ResultCaption(usize),
    /// The thumbnail button of result number N.
    ResultThumb(usize),
    PictureFacts,
    FileInput,
    ImageUrl,
    ImageUrlMessage,
    PromptCount,
    Fixups,
}

impl Part {
    fn name(self) -> String {
        match self {
            Part::Area => "area".into(),
            Part::AspectGroup => "aspect".into(),
            Part::AnchorGroup => "anchor".into(),
            Part::FramingNote => "framing-note".into(),
            Part::SideNote(side) => format!("note-{side}"),
            Part::SideField(side) => format!("side-{side}"),
            Part::CustomNote => "custom-note".into(),
            Part::OutputSize => "output".into(),
            Part::ExpandButton => "expand".into(),
            Part::CancelButton => "cancel".into(),
            Part::ExpandBlockers => "expand-blockers".into(),
            Part::Viewer => "viewer".into(),
            Part::ResultCaption(n) => format!("result-{n}"),
            Part::ResultThumb(n) => format!("thumb-{n}"),
            Part::PictureFacts => "picture-facts".into(),
            Part::FileInput => "file".into(),
            Part::ImageUrl => "image-url".into(),
            Part::ImageUrlMessage => "image-url-message".into(),
            Part::PromptCount => "prompt-count".into(),
            Part::Fixups => "fixups".into(),
        }
    }
}

/// All the signals of one widget instance, and the values derived from them (memos, computed
/// once per change and read by every part that needs them).
#[derive(Clone, Copy)]
pub struct WidgetState {
    /// Distinguishes this widget from others on the page (radio group names, element ids).
    pub uid: usize,
    pub config: StoredValue<WidgetConfig>,
    /// The words it says, in its locale (set when it is mounted).
    pub strings: StoredValue<Strings>,
    /// Its colours: `data-theme` on its root.
    pub theme: RwSignal<Theme>,
    pub picture: RwSignal<Option<Picture>, LocalStorage>,
    pub framing: RwSignal<Framing>,
    /// What Undo and Redo of the framing go back and forth between.
    pub framing_history: RwSignal<FramingHistory>,
    /// True while a drag is under way: it was recorded once, when it started.
    pub gesture: StoredValue<bool>,
    pub prompt: RwSignal<String>,
    /// The "Images" field as typed; checked against 1..=9 before anything is sent.
    pub n: RwSignal<u32>,
    pub watermark: RwSignal<bool>,
    pub phase: RwSignal<Phase>,
    /// Every press of Expand and what it made, oldest first.
    pub history: RwSignal<Vec<Generation>>,
    /// A short confirmation about results ("Link copied"), read out politely.
    pub notice: RwSignal<Option<String>>,
    pub error: RwSignal<Option<ShownError>>,
    /// The browser's clock, refreshed while a task runs, for the elapsed time.
    pub now_ms: RwSignal<f64>,
    pub control: StoredValue<TaskControl>,
    /// What the picture's fix-ups are doing now ("Converting WebP…"); Expand waits for them.
    pub preparing: RwSignal<Option<String>>,
    /// Picture work (loading, fix-ups) in progress; a newer load or an undo supersedes it.
    pub loading: StoredValue<TaskControl>,
    /// The picture's displayed size, which the framing is computed against.
    pub size: Memo<Option<Size>>,
    /// The ratios the framing gives on this picture, or why it cannot work; `None` without a
    /// picture.
    pub ratios: Memo<Option<Result<Ratios, Infeasible>>>,
    /// The canvas shown (no growth while the framing cannot work).
    pub canvas: Memo<Option<Canvas>>,
    /// Why Expand cannot be pressed now, as sentences; empty when it can.
    pub blockers: Memo<Vec<String>>,
}

impl WidgetState {
    pub fn new(config: WidgetConfig) -> Self {
        static NEXT_UID: AtomicUsize = AtomicUsize::new(1);
        let picture = RwSignal::new_local(None::<Picture>);
        let framing = RwSignal::new(Framing::default());
        let prompt = RwSignal::new(String::new());
        let n = RwSignal::new(1);
        let preparing = RwSignal::new(None::<String>);
        let strings = StoredValue::new(Strings::english());
        let size = Memo::new(move |_| picture.with(|p| p.as_ref().map(|p| p.size)));
        let ratios = Memo::new(move |_| {
            let size = size.get()?;
            Some(framing.with(|f| f.ratios(size)))
        });
        let canvas = Memo::new(move |_| {
            let shown = ratios.get()?.unwrap_or(Ratios::ZERO);
            Some(shown.canvas(size.get()?))
        });
        let blockers = Memo::new(move |_| {
            // The picture's own problems first (a format, a size or a shape Kling refuses, or
            // fix-ups still running).
            let strings = strings.get_value();
            let mut blockers = if preparing.with(Option::is_some) {
                vec![strings.get(en::PREPARING)]
            } else {
                picture.with(|picture| {
                    picture
                        .iter()
                        .flat_map(Picture::problems)
                        .map(|problem| strings.say(&problem.sentence()))
                        .collect()
                })
            };
            blockers.extend(ratios.with(|ratios| {
                prompt.with(|prompt| {
                    readiness::expand_blockers(
                        &strings,
                        size.get().is_some(),
                        ratios.as_ref(),
                        prompt,
                        n.get(),
                    )
                })
            }));
            blockers
        });
        Self {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            config: StoredValue::new(config),
            strings,
            theme: RwSignal::new(Theme::Auto),
            picture,
            framing,
            framing_history: RwSignal::new(FramingHistory::default()),
            gesture: StoredValue::new(false),
            prompt,
            n,
            watermark: RwSignal::new(false),
            phase: RwSignal::new(Phase::Idle),
            history: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            error: RwSignal::new(None),
            now_ms: RwSignal::new(0.0),
            control: StoredValue::new(TaskControl::default()),
            preparing,
            loading: StoredValue::new(TaskControl::default()),
            size,
            ratios,
            canvas,
            blockers,
        }
    }

    /// The picture's displayed size, which the framing is computed against. Reactive.
    pub fn picture_size(&self) -> Option<Size> {
        self.size.get()
    }

    /// The id of one of this widget's parts, unique on the page.
    /// `english` in this widget's language.
    pub fn t(&self, english: &'static str) -> String {
        self.strings.with_value(|s| s.get(english))
    }

    /// A template of the table in this widget's language, filled with `args`.
    pub fn fill(&self, template: &'static str, args: &[String]) -> String {
        self.strings.with_value(|s| s.fill(template, args))
    }

    pub fn id(&self, part: Part) -> String {
        format!("kling-expand-{}-{}", self.uid, part.name())
    }
}
