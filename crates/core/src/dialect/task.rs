//! A task's state as every dialect reports it, normalised.

use core::fmt;

use serde::{Deserialize, Serialize};

/// What a successful create answer says about the task it made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Created {
    /// The answer names the task (and usually its first status).
    Task(TaskSnapshot),
    /// The provider accepted the request but named no task (KKIAI's documented `{}`): the task
    /// exists, and is found by the `external_task_id` the request carried.
    Unnamed,
}

impl Created {
    /// The task the answer names, if it names one.
    pub fn into_task(self) -> Option<TaskSnapshot> {
        match self {
            Created::Task(task) => Some(task),
            Created::Unnamed => None,
        }
    }
}

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
    /// Result links the answer carried that are not web addresses ([`is_web_link`]): left out
    /// of `images`, counted so that a client can say so.
    #[serde(default)]
    pub refused_links: u32,
}

/// Whether a result link may be stored, shown, fetched or opened: an `http:` or `https:`
/// address, or one relative to the endpoint's own origin (`/…`, as the local engine answers).
/// Anything else (`javascript:`, `data:`, `blob:`, `file:`, a scheme-relative `//host`, a
/// `/\host` that browsers read as one, control characters or spaces) is refused.
pub fn is_web_link(url: &str) -> bool {
    if url.is_empty() || url.len() > crate::limits::MAX_URL_BYTES {
        return false;
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| lower.starts_with(scheme));
    if let Some(scheme) = scheme {
        // Something after the scheme's "//".
        return url.len() > scheme.len();
    }
    let mut chars = url.chars();
    chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'))
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
            refused_links: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_pass() {
        for good in [
            "https://cdn.klingai.com/r/1.png",
            "HTTP://example.com/x",
            "/api/kling/results/t/0.png",
        ] {
            assert!(is_web_link(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>x</script>",
            "blob:https://example.com/1",
            "file:///etc/passwd",
            "//evil.example/x.png",
            "/\\evil.example/x.png",
            "https://",
            "https://example.com/a b",
            "https://example.com/\nx",
            "vbscript:x",
            "",
            "x.png",
        ] {
            assert!(!is_web_link(bad), "{bad}");
        }
    }

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
