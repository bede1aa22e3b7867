//! Where an expansion stands, and the sentence the live region reads out for it.

use kling_expand_core::dialect::TaskStatus;

/// The life of one expansion as the widget sees it. Kept across page reloads.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Nothing sent yet, or the last attempt was refused before a task existed.
    Idle,
    /// The create call is on its way; a second press sends nothing. The external id lets a
    /// reloaded page find the task if the call reached the provider.
    Creating {
        started_ms: f64,
        external_task_id: String,
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

impl Phase {
    /// True while a create call or a poll loop is under way.
    pub fn busy(&self) -> bool {
        matches!(self, Self::Creating { .. } | Self::Running { .. })
    }

    /// The task id, once the provider gave one.
    pub fn task_id(&self) -> Option<&str> {
        match self {
            Self::Running { task_id, .. } | Self::Finished { task_id, .. } => Some(task_id),
            Self::Cancelled { task_id } => task_id.as_deref(),
            Self::Idle | Self::Creating { .. } => None,
        }
    }

    /// What the status line says at `now_ms`.
    pub fn status_text(&self, now_ms: f64, result_count: usize) -> String {
        match self {
            Self::Idle => String::new(),
            Self::Creating { started_ms, .. } => {
                format!("Sending the picture… {}", elapsed(now_ms - started_ms))
            }
            Self::Running {
                status: TaskStatus::Submitted,
                started_ms,
                ..
            } => {
                format!(
                    "Submitted, waiting to start… {}",
                    elapsed(now_ms - started_ms)
                )
            }
            Self::Running { started_ms, .. } => {
                format!("Processing… {}", elapsed(now_ms - started_ms))
            }
            Self::Finished {
                status: TaskStatus::Succeeded,
                elapsed_ms,
                ..
            } => {
                let pictures = if result_count == 1 {
                    "picture"
                } else {
                    "pictures"
                };
                format!(
                    "Done in {}: {result_count} {pictures}.",
                    elapsed(*elapsed_ms)
                )
            }
            Self::Finished { elapsed_ms, .. } => format!("Failed after {}.", elapsed(*elapsed_ms)),
            Self::Cancelled { .. } => {
                "Stopped watching. The task may still finish at the provider \
                                      and be billed."
                    .to_owned()
            }
        }
    }
}

/// "7 s", "1 min 05 s".
pub fn elapsed(ms: f64) -> String {
    let seconds = (ms.max(0.0) / 1000.0).round() as u64;
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_only_while_sending_or_polling() {
        assert!(!Phase::Idle.busy());
        assert!(Phase::Creating {
            started_ms: 0.0,
            external_task_id: "ke-1".into()
        }
        .busy());
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
            submitted.status_text(4_400.0, 0),
            "Submitted, waiting to start… 3 s"
        );
        let processing = Phase::Running {
            task_id: "t".into(),
            status: TaskStatus::Processing,
            started_ms: 0.0,
        };
        assert_eq!(
            processing.status_text(65_000.0, 0),
            "Processing… 1 min 05 s"
        );
        let done = Phase::Finished {
            task_id: "t".into(),
            status: TaskStatus::Succeeded,
            elapsed_ms: 14_200.0,
        };
        assert_eq!(done.status_text(0.0, 2), "Done in 14 s: 2 pictures.");
        assert_eq!(done.status_text(0.0, 1), "Done in 14 s: 1 picture.");
    }
}
