//! The widget and its host page: the host's options applied as they change, and the events the
//! widget reports on its host element.

use kling_expand_core::dialect::{ApiError, TaskSnapshot};
use leptos::prelude::*;

use crate::actions::framing::edit_framing;
use crate::browser;
use crate::config::{Settings, WidgetConfig};
use crate::i18n::en;
use crate::model::events::{CancelledDetail, SubmittedDetail, WidgetEvent};
use crate::model::framing::Edit;
use crate::state::{GenerationStatus, ShownError, WidgetState};

/// What the host page set, and what it got wrong (shown in the widget).
#[derive(Clone, Debug, PartialEq)]
pub struct HostSettings {
    pub settings: Settings,
    pub warning: Option<String>,
}

/// Applies the host's settings now and whenever they change: the configuration at once (a task
/// already running keeps its endpoint; the next one uses the new one), and each framing option or
/// number of images that changed, as if the person had chosen it.
pub fn follow_settings(state: WidgetState, host: RwSignal<HostSettings>) {
    Effect::new(move |before: Option<Settings>| {
        let HostSettings { settings, warning } = host.get();
        if let Some(detail) = warning {
            state.error.set(Some(ShownError {
                title: state.t(en::WIDGET_CONFIGURATION),
                detail,
                retry: None,
            }));
        }
        // What was applied before (nothing, the first time): only what changed is applied. The
        // first framing is where the widget starts, not a step that Undo goes back from.
        let first = before.is_none();
        let old = before.unwrap_or_default();
        let edit = |edit: Edit| match first {
            true => state
                .framing
                .update(|framing| framing.apply(state.size.get_untracked(), edit)),
            false => edit_framing(state, edit),
        };
        state.theme.set(settings.theme);
        state.config.update_value(|config| {
            *config = settings.config(config.host.take());
        });
        if let Some(aspect) = settings.aspect.filter(|_| settings.aspect != old.aspect) {
            edit(aspect);
        }
        if let Some(area) = settings.area.filter(|_| settings.area != old.area) {
            edit(Edit::Multiplier(area));
        }
        if let Some(anchor) = settings.anchor.filter(|_| settings.anchor != old.anchor) {
            edit(Edit::Position(anchor.position()));
        }
        if let Some(n) = settings.images.filter(|_| settings.images != old.images) {
            state.n.set(n);
        }
        settings
    });
}

/// Reports every picture the widget will send (chosen, restored, or changed by a fix-up).
pub fn report_pictures(state: WidgetState) {
    Effect::new(move |_| {
        let event = state.picture.with(|picture| {
            picture.as_ref().map(|p| {
                WidgetEvent::picture(p.size, p.format, p.fixups.iter().map(|s| s.applied.kind()))
            })
        });
        if let Some(event) = event {
            report(state, &event);
        }
    });
}

/// Reports `event` on the widget's host element, if it has one.
pub fn report(state: WidgetState, event: &WidgetEvent) {
    if let Some(host) = state.config.with_value(|c| c.host.clone()) {
        browser::embed::emit(&host, event);
    }
}

/// A task now exists for the press being followed.
pub fn submitted(state: WidgetState, snapshot: &TaskSnapshot) {
    let external_task_id = snapshot.external_task_id.clone().or_else(|| {
        state.history.with_untracked(|history| {
            history
                .iter()
                .rev()
                .find(|g| g.status == GenerationStatus::Running)
                .map(|g| g.external_task_id.clone())
        })
    });
    report(
        state,
        &WidgetEvent::Submitted(SubmittedDetail {
            task_id: snapshot.task_id.clone(),
            external_task_id,
        }),
    );
}

/// A snapshot of the task being followed was read: progress, success or failure.
/// Its result links are resolved against the endpoint the task was sent to.
pub fn snapshot(
    state: WidgetState,
    config: &WidgetConfig,
    snapshot: &TaskSnapshot,
    elapsed_ms: f64,
) {
    let mut images = snapshot.images.clone();
    for image in &mut images {
        image.url = browser::resolve_url(&image.url, &config.endpoint);
    }
    report(
        state,
        &WidgetEvent::from_snapshot(snapshot, &images, elapsed_ms),
    );
}

/// A call failed and nothing (more) will come of this press.
pub fn failed(state: WidgetState, error: &ApiError) {
    report(state, &WidgetEvent::failed(error));
}

/// The person stopped following the task (`task_id`: `None` before one was known).
pub fn cancelled(state: WidgetState, task_id: Option<String>) {
    report(state, &WidgetEvent::Cancelled(CancelledDetail { task_id }));
}
