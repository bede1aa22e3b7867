//! Where an expansion stands, and the sentence the live region reads out for it.

use kling_expand_core::dialect::TaskStatus;

use crate::i18n::{en, Strings};

/// The life of one expansion as the widget sees it. Kept across page reloads.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Nothing sent yet, or the last attempt was refused before a task existed.
    Idle,
    /// The create call is on its way, or its outcome is being found out; a second press sends
    /// nothing. The external id finds the task if the call reached the provider, after a lost
    /// answer or a reload.
    Creating {
        started_ms: f64,
        external_task_id: String,
        stage: CreateStage,
    },
    /// A task exists and is being polled.
    Running {
        task_id: String,
        status: TaskStatus,
        started_ms: f64,
    },
    /// The task ended (succeeded or failed).
    Finished {
        task_id: String,
        status: TaskStatus,
        elapsed_ms: f64,
    },
    /// The person stopped watching; the task may still finish upstream.
    Cancelled { task_id: Option<String> },
}

/// Where a create call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateStage {
    /// The call is on its way.
    Sending,
    /// Its answer was lost or named no task: the widget asks for the task by its external id.
    Finding,
    /// Asking did not tell whether the task exists. Nothing runs; Retry (or Expand) asks again
    /// before anything is sent, so a task that does exist is never paid for twice.
    Unsure,
}

impl Phase {
    /// True while a create call or a poll loop is under way.
    pub fn busy(&self) -> bool {
        match self {
            Self::Creating { stage, .. } => *stage != CreateStage::Unsure,
            Self::Running { .. } => true,
            _ => false,
        }
    }

    /// The external id of a create whose task may exist but is not known yet.
    pub fn unsure_create(&self) -> Option<&str> {
        match self {
            Self::Creating {
                external_task_id,
                stage: CreateStage::Unsure,
                ..
            } => Some(external_task_id),
            _ => None,
        }
    }

    /// The task id, once the provider gave one.
    pub fn task_id(&self) -> Option<&str> {
        match self {
            Self::Running { task_id, .. } | Self::Finished { task_id, .. } => Some(task_id),
            Self::Cancelled { task_id } => task_id.as_deref(),
            Self::Idle | Self::Creating { .. } => None,
        }
    }

    /// What the status line says (and the live region reads out): it changes when the stage
    /// does, not every second, so a screen reader is not interrupted while a task runs. A
    /// failure is said by the alert alone.
    pub fn status_text(&self, strings: &Strings, result_count: usize) -> String {
        match self {
            Self::Idle => String::new(),
            Self::Creating { stage, .. } => match stage {
                CreateStage::Sending => strings.get(en::SENDING),
                CreateStage::Finding => strings.get(en::FINDING),
                CreateStage::Unsure => String::new(),
            },
            Self::Running {
                status: TaskStatus::Submitted,
                ..
            } => strings.get(en::SUBMITTED),
            Self::Running { .. } => strings.get(en::PROCESSING),
            Self::Finished {
                status: TaskStatus::Succeeded,
                elapsed_ms,
                ..
            } => strings.fill(
                if result_count == 1 {
                    en::DONE_ONE
                } else {
                    en::DONE_MANY
                },
                &[elapsed(strings, *elapsed_ms), result_count.to_string()],
            ),
            Self::Finished { .. } => String::new(),
            Self::Cancelled { .. } => strings.get(en::STOPPED_WATCHING),
        }
    }

    /// The time since the task started, shown beside the status while it runs (not read out).
    pub fn ticking(&self, strings: &Strings, now_ms: f64) -> Option<String> {
        match self {
            Self::Creating {
                started_ms,
                stage: CreateStage::Sending | CreateStage::Finding,
                ..
            }
            | Self::Running { started_ms, .. } => Some(elapsed(strings, now_ms - started_ms)),
            _ => None,
        }
    }
}

/// "7 s", "1 min 05 s".
pub fn elapsed(strings: &Strings, ms: f64) -> String {
    let seconds = (ms.max(0.0) / 1000.0).round() as u64;
    if seconds < 60 {
        strings.fill(en::SECONDS, &[seconds.to_string()])
    } else {
        strings.fill(
            en::MINUTES_SECONDS,
            &[(seconds / 60).to_string(), format!("{:02}", seconds % 60)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_only_while_sending_or_polling() {
        assert!(!Phase::Idle.busy());
        let creating = |stage| Phase::Creating {
            started_ms: 0.0,
            external_task_id: "ke-1".into(),
            stage,
        };
        assert!(creating(CreateStage::Sending).busy());
        assert!(creating(CreateStage::Finding).busy());
        // Unsure waits for the person: Retry or Expand looks the task up again.
        assert!(!creating(CreateStage::Unsure).busy());
        assert_eq!(creating(CreateStage::Unsure).unsure_create(), Some("ke-1"));
        assert_eq!(creating(CreateStage::Finding).unsure_create(), None);
        let running = Phase::Running {
            task_id: "t".into(),
            status: TaskStatus::Processing,
            started_ms: 0.0,
        };
        assert!(running.busy());
        assert!(!Phase::Cancelled {
            task_id: Some("t".into())
        }
        .busy());
    }

    #[test]
    fn the_status_line_names_the_stage_and_the_elapsed_time() {
        let submitted = Phase::Running {
            task_id: "t".into(),
            status: TaskStatus::Submitted,
            started_ms: 1_000.0,
        };
        assert_eq!(
            submitted.status_text(&Strings::english(), 0),
            "Submitted, waiting to start…"
        );
        assert_eq!(
            submitted.ticking(&Strings::english(), 4_400.0).as_deref(),
            Some("3 s")
        );
        let processing = Phase::Running {
            task_id: "t".into(),
            status: TaskStatus::Processing,
            started_ms: 0.0,
        };
        assert_eq!(
            processing.status_text(&Strings::english(), 0),
            "Processing…"
        );
        assert_eq!(
            processing.ticking(&Strings::english(), 65_000.0).as_deref(),
            Some("1 min 05 s")
        );
        let done = Phase::Finished {
            task_id: "t".into(),
            status: TaskStatus::Succeeded,
            elapsed_ms: 14_200.0,
        };
        assert_eq!(
            done.status_text(&Strings::english(), 2),
            "Done in 14 s: 2 pictures."
        );
        assert_eq!(
            done.status_text(&Strings::english(), 1),
            "Done in 14 s: 1 picture."
        );
        assert_eq!(done.ticking(&Strings::english(), 99_000.0), None);
        let failed = Phase::Finished {
            task_id: "t".into(),
            status: TaskStatus::Failed,
            elapsed_ms: 1.0,
        };
        assert_eq!(
            failed.status_text(&Strings::english(), 0),
            "",
            "the alert says it, once"
        );
    }
}
