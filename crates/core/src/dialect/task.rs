//! A task's state as every dialect reports it, normalised.

use core::fmt;

use serde::{Deserialize, Serialize};

/// Where a task is. Every provider's words map onto these four.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Submitted,
    Processing,
    Succeeded,
    Failed,
}

impl TaskStatus {
    /// Succeeded or failed: stop polling.
    pub const fn is_terminal(&self) -> bool {
        matches!(self, TaskStatus::Succeeded | TaskStatus::Failed)
    }

    /// Normalise a provider's status word (case-insensitive). Kling says `submitted`,
    /// `processing`, `succeed`, `failed`; Modellix `pending`, `processing`, `success`,
    /// `failed`; a few common synonyms are accepted too. `None` for anything else.
    pub fn from_word(word: &str) -> Option<TaskStatus> {
        let word = word.trim().to_ascii_lowercase();
        Some(match word.as_str() {
            "submitted" | "pending" | "queued" | "queuing" | "waiting" | "created" => {
                TaskStatus::Submitted
            }
            "processing" | "running" | "in_progress" | "started" | "generating" => {
                TaskStatus::Processing
            }
            "succeed" | "success" | "succeeded" | "completed" | "complete" | "done"
            | "finished" => TaskStatus::Succeeded,
            "failed" | "fail" | "failure" | "error" | "cancelled" | "canceled" | "timeout" => {
                TaskStatus::Failed
            }
            _ => return None,
        })
    }

    /// The word official Kling uses.
    pub const fn kling_word(&self) -> &'static str {
        match self {
            TaskStatus::Submitted => "submitted",
            TaskStatus::Processing => "processing",
            TaskStatus::Succeeded => "succeed",
            TaskStatus::Failed => "failed",
        }
    }

    /// The word Modellix uses.
    pub const fn modellix_word(&self) -> &'static str {
        match self {
            TaskStatus::Submitted => "pending",
            TaskStatus::Processing => "processing",
            TaskStatus::Succeeded => "success",
            TaskStatus::Failed => "failed",
        }
    }

    /// A word for people: "submitted", "processing", "done", "failed".
    pub const fn label(&self) -> &'static str {
        match self {
            TaskStatus::Submitted => "submitted",
            TaskStatus::Processing => "processing",
            TaskStatus::Succeeded => "done",
            TaskStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One result picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultImage {
    pub index: u32,
    pub url: String,
    /// Kling's watermarked copy (anti-hotlinking: fetch it server-side).
    pub watermark_url: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A task as last reported. A FAILED task is a snapshot with [`TaskStatus::Failed`] and the
/// provider's reason in `status_message`, not an error: the call itself succeeded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSnapshot {
    pub task_id: String,
    pub external_task_id: Option<String>,
    pub status: TaskStatus,
    pub status_message: Option<String>,
    /// Sorted by index; empty until the task succeeds.
    pub images: Vec<ResultImage>,
    pub created_at_ms: Option<i64>,
    pub updated_at_ms: Option<i64>,
    /// When the result links stop working, when known or derivable.
    pub expires_at_ms: Option<i64>,
}

impl TaskSnapshot {
    /// A just-submitted task.
    pub fn submitted(task_id: impl Into<String>) -> Self {
        TaskSnapshot {
            task_id: task_id.into(),
            external_task_id: None,
            status: TaskStatus::Submitted,
            status_message: None,
            images: Vec::new(),
            created_at_ms: None,
            updated_at_ms: None,
            expires_at_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_normalise() {
        for (word, status) in [
            ("submitted", TaskStatus::Submitted),
            ("pending", TaskStatus::Submitted),
            ("processing", TaskStatus::Processing),
            ("succeed", TaskStatus::Succeeded),
            ("success", TaskStatus::Succeeded),
            ("SUCCEED", TaskStatus::Succeeded),
            ("failed", TaskStatus::Failed),
        ] {
            assert_eq!(TaskStatus::from_word(word), Some(status), "{word}");
        }
        assert_eq!(TaskStatus::from_word("exploded"), None);
        for s in [
            TaskStatus::Submitted,
            TaskStatus::Processing,
            TaskStatus::Succeeded,
            TaskStatus::Failed,
        ] {
            assert_eq!(TaskStatus::from_word(s.kling_word()), Some(s));
            assert_eq!(TaskStatus::from_word(s.modellix_word()), Some(s));
        }
        assert!(TaskStatus::Failed.is_terminal() && !TaskStatus::Processing.is_terminal());
    }
}
