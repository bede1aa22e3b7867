//! What a widget keeps across a page reload, and how a reloaded widget picks its work up.

use kling_expand_core::dialect::ResultImage;
use serde::{Deserialize, Serialize};

use crate::model::framing::Framing;
use crate::model::progress::Phase;
use crate::model::results::ResultsFrame;

/// Everything but the picture's bytes (those are stored beside it as a Blob).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedWidget {
    pub framing: Framing,
    pub prompt: String,
    pub n: u32,
    pub watermark: bool,
    /// The picture's name, or the address of a picture given by URL.
    pub picture: Option<SavedPicture>,
    pub phase: Phase,
    pub results: Vec<ResultImage>,
    pub results_frame: Option<ResultsFrame>,
}

/// Where the picture came from, for the reloaded widget to take it back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SavedPicture {
    /// Bytes stored beside the settings.
    Bytes { name: String },
    /// A URL, taken again as it was.
    Url { url: String },
}

/// What a reloaded widget does about the task it had.
#[derive(Clone, Debug, PartialEq)]
pub enum Resumption {
    /// Nothing was under way.
    Nothing,
    /// A task exists: poll it again.
    Poll { task_id: String, started_ms: f64 },
    /// The page went away during the create call: find out whether the task exists.
    Recover {
        external_task_id: String,
        started_ms: f64,
    },
}

impl SavedWidget {
    /// How to pick up the saved phase.
    pub fn resumption(&self) -> Resumption {
        match &self.phase {
            Phase::Running {
                task_id,
                started_ms,
                ..
            } => Resumption::Poll {
                task_id: task_id.clone(),
                started_ms: *started_ms,
            },
            Phase::Creating {
                started_ms,
                external_task_id,
            } => Resumption::Recover {
                external_task_id: external_task_id.clone(),
                started_ms: *started_ms,
            },
            Phase::Idle | Phase::Finished { .. } | Phase::Cancelled { .. } => Resumption::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kling_expand_core::dialect::TaskStatus;
    use kling_expand_core::geometry::{Ratios, Size};

    fn saved(phase: Phase) -> SavedWidget {
        SavedWidget {
            framing: Framing::default(),
            prompt: "a quiet bay".into(),
            n: 2,
            watermark: true,
            picture: Some(SavedPicture::Bytes {
                name: "bay.jpg".into(),
            }),
            phase,
            results: vec![ResultImage {
                index: 0,
                url: "/api/kling/results/t/0.png".into(),
                watermark_url: None,
                width: Some(900),
                height: Some(700),
            }],
            results_frame: Some(ResultsFrame {
                original: Size {
                    width: 600,
                    height: 500,
                },
                ratios: Ratios {
                    up: 0.1,
                    down: 0.1,
                    left: 0.25,
                    right: 0.25,
                },
            }),
        }
    }

    #[test]
    fn survives_a_json_round_trip_unchanged() {
        let before = saved(Phase::Finished {
            task_id: "t".into(),
            status: TaskStatus::Succeeded,
            elapsed_ms: 4_000.0,
        });
        let json = serde_json::to_string(&before).unwrap();
        let after: SavedWidget = serde_json::from_str(&json).unwrap();
        assert_eq!(after, before);
    }

    #[test]
    fn a_running_task_is_polled_again_from_its_start_time() {
        let running = saved(Phase::Running {
            task_id: "t-9".into(),
            status: TaskStatus::Processing,
            started_ms: 1_000.0,
        });
        assert_eq!(
            running.resumption(),
            Resumption::Poll {
                task_id: "t-9".into(),
                started_ms: 1_000.0
            }
        );
    }

    #[test]
    fn a_create_cut_short_is_looked_up_by_its_external_id() {
        let creating = saved(Phase::Creating {
            started_ms: 5.0,
            external_task_id: "ke-abc".into(),
        });
        assert_eq!(
            creating.resumption(),
            Resumption::Recover {
                external_task_id: "ke-abc".into(),
                started_ms: 5.0
            }
        );
        assert_eq!(saved(Phase::Idle).resumption(), Resumption::Nothing);
    }
}
