//! The tasks the fake has made, on a clock: submitted, then processing, then succeeded (or
//! failed), as each provider reports them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// Where a task is at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Submitted,
    Processing,
    Succeeded,
    Failed,
}

impl Phase {
    pub fn kling_word(self) -> &'static str {
        match self {
            Phase::Submitted => "submitted",
            Phase::Processing => "processing",
            Phase::Succeeded => "succeed",
            Phase::Failed => "failed",
        }
    }

    pub fn modellix_word(self) -> &'static str {
        match self {
            Phase::Submitted => "pending",
            Phase::Processing => "processing",
            Phase::Succeeded => "success",
            Phase::Failed => "failed",
        }
    }
}

/// One task made by a create call.
#[derive(Clone, Debug)]
pub struct Task {
    pub task_id: String,
    pub external_task_id: Option<String>,
    pub n: u32,
    pub watermark: bool,
    /// The result's pixel size (the original's, expanded by the ratios).
    pub width: u32,
    pub height: u32,
    pub created: Instant,
    pub created_at_ms: i64,
    pub fails: bool,
    pub results_missing: bool,
    pub hostile_links: bool,
    pub hostile_reason: bool,
}

/// The clock every task follows.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub submitted: Duration,
    pub processing: Duration,
}

impl Task {
    pub fn phase(&self, clock: Clock, now: Instant) -> Phase {
        let age = now.saturating_duration_since(self.created);
        if age < clock.submitted {
            Phase::Submitted
        } else if age < clock.submitted + clock.processing {
            Phase::Processing
        } else if self.fails {
            Phase::Failed
        } else {
            Phase::Succeeded
        }
    }

    /// When the task last changed, in Unix milliseconds.
    pub fn updated_at_ms(&self, clock: Clock, now: Instant) -> i64 {
        let age = now.saturating_duration_since(self.created);
        let changed = if age < clock.submitted {
            Duration::ZERO
        } else if age < clock.submitted + clock.processing {
            clock.submitted
        } else {
            clock.submitted + clock.processing
        };
        self.created_at_ms + changed.as_millis() as i64
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What `GET /__fake/tasks` shows of a task.
#[derive(Debug, Serialize)]
pub struct TaskView {
    pub task_id: String,
    pub external_task_id: Option<String>,
    pub n: u32,
    pub status: Phase,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_follows_the_clock() {
        let clock = Clock {
            submitted: Duration::from_millis(100),
            processing: Duration::from_millis(200),
        };
        let start = Instant::now();
        let task = Task {
            task_id: "1".into(),
            external_task_id: None,
            n: 1,
            watermark: false,
            width: 400,
            height: 300,
            created: start,
            created_at_ms: 1_000,
            fails: false,
            results_missing: false,
            hostile_links: false,
            hostile_reason: false,
        };
        assert_eq!(task.phase(clock, start), Phase::Submitted);
        let later = start + Duration::from_millis(150);
        assert_eq!(task.phase(clock, later), Phase::Processing);
        assert_eq!(task.updated_at_ms(clock, later), 1_100);
        let done = start + Duration::from_millis(300);
        assert_eq!(task.phase(clock, done), Phase::Succeeded);
        assert_eq!(task.updated_at_ms(clock, done), 1_300);
    }
}
