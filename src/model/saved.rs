//! What a widget keeps across a page reload, and how a reloaded widget picks its work up.
//!
//! Stored as JSON written and read by hand over the core's `json::Value`, whose code the widget
//! already carries for the providers' answers: derived (de)serialisers for these types would
//! add about 6 KB (brotli) to the wasm for this one use. Anything missing or malformed reads as
//! its default, so an old or damaged record never stops the widget.

use kling_expand_core::dialect::{is_web_link, ResultImage, TaskStatus};
use kling_expand_core::geometry::{Aspect, Position, Ratios, Size};
use kling_expand_core::json::{Map, Value};

use crate::model::framing::{AspectPreset, Framing};
use crate::model::progress::{CreateStage, Phase};
use crate::model::results::{Generation, GenerationStatus, ResultsFrame};

/// Everything but the picture's bytes (those are stored beside it as a Blob).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedWidget {
    pub framing: Framing,
    pub prompt: String,
    pub n: u32,
    pub watermark: bool,
    /// The picture's name, or the address of a picture given by URL.
    pub picture: Option<SavedPicture>,
    pub phase: Phase,
    /// Every press of Expand, with its framing and pictures.
    pub history: Vec<Generation>,
}

/// Where the picture came from, for the reloaded widget to take it back.
#[derive(Clone, Debug, PartialEq)]
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

const STATUSES: [TaskStatus; 4] = [
    TaskStatus::Submitted,
    TaskStatus::Processing,
    TaskStatus::Succeeded,
    TaskStatus::Failed,
];

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
                ..
            } => Resumption::Recover {
                external_task_id: external_task_id.clone(),
                started_ms: *started_ms,
            },
            Phase::Idle | Phase::Finished { .. } | Phase::Cancelled { .. } => Resumption::Nothing,
        }
    }

    pub fn to_json(&self) -> String {
        let framing = &self.framing;
        let picture = match &self.picture {
            Some(SavedPicture::Bytes { name }) => object([("name", name.into())]),
            Some(SavedPicture::Url { url }) => object([("url", url.into())]),
            None => Value::Null,
        };
        let history: Vec<Value> = self
            .history
            .iter()
            .map(|g| {
                let images: Vec<Value> = g
                    .images
                    .iter()
                    .map(|image| {
                        object([
                            ("index", image.index.into()),
                            ("url", image.url.as_str().into()),
                            ("watermark_url", image.watermark_url.as_deref().into()),
                            ("width", image.width.into()),
                            ("height", image.height.into()),
                        ])
                    })
                    .collect();
                object([
                    ("external_task_id", g.external_task_id.as_str().into()),
                    ("task_id", g.task_id.as_deref().into()),
                    ("source", g.source.as_str().into()),
                    ("shape", g.shape.as_str().into()),
                    (
                        "original",
                        vec![
                            g.frame.original.width.into(),
                            g.frame.original.height.into(),
                        ]
                        .into(),
                    ),
                    ("ratios", ratios_json(g.frame.ratios)),
                    // A task that was running when the page went is looked at again.
                    ("done", (g.status == GenerationStatus::Succeeded).into()),
                    ("images", images.into()),
                ])
            })
            .collect();
        let framing = object([
            (
                "preset",
                position(&AspectPreset::ALL, &framing.preset).into(),
            ),
            (
                "custom",
                pair_json(framing.custom.width, framing.custom.height),
            ),
            ("multiplier", framing.multiplier.into()),
            (
                "position",
                pair_json(framing.position.x, framing.position.y),
            ),
            ("free", framing.free.map(ratios_json).into()),
        ]);
        object([
            ("framing", framing),
            ("prompt", self.prompt.as_str().into()),
            ("n", self.n.into()),
            ("watermark", self.watermark.into()),
            ("picture", picture),
            ("phase", phase_json(&self.phase)),
            ("history", history.into()),
        ])
        .to_string()
    }

    /// Reads a record written by [`SavedWidget::to_json`]; `None` when it is not JSON at all.
    pub fn from_json(text: &str) -> Option<SavedWidget> {
        let root = Value::parse(text).ok()?;
        let empty = Map::new();
        let framing_json = root["framing"].as_object().unwrap_or(&empty);
        let defaults = Framing::default();
        let framing = Framing {
            preset: nth(&AspectPreset::ALL, &framing_json.get("preset")).unwrap_or(defaults.preset),
            custom: pair(framing_json.get("custom"))
                .map(|(width, height)| Aspect { width, height })
                .unwrap_or(defaults.custom),
            multiplier: number(framing_json.get("multiplier")).unwrap_or(defaults.multiplier),
            position: pair(framing_json.get("position"))
                .map(|(x, y)| Position { x, y })
                .unwrap_or(defaults.position),
            free: framing_json.get("free").and_then(ratios_from),
            capped: None,
        }
        .restored();
        let picture = match (
            text_of(&root["picture"]["name"]),
            text_of(&root["picture"]["url"]),
        ) {
            (Some(name), _) => Some(SavedPicture::Bytes { name }),
            (None, Some(url)) => Some(SavedPicture::Url { url }),
            (None, None) => None,
        };
        let history = root["history"]
            .as_array()
            .map(|entries| entries.iter().filter_map(generation_from).collect())
            .unwrap_or_default();
        Some(SavedWidget {
            framing,
            prompt: text_of(&root["prompt"]).unwrap_or_default(),
            n: root["n"]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(1),
            watermark: root["watermark"].as_bool().unwrap_or(false),
            picture,
            phase: phase_from(&root["phase"]).unwrap_or(Phase::Idle),
            history,
        })
    }
}

fn phase_json(phase: &Phase) -> Value {
    match phase {
        Phase::Idle => object([("stage", "idle".into())]),
        // Every stage is saved alike: after a reload the task is looked for again.
        Phase::Creating {
            started_ms,
            external_task_id,
            ..
        } => object([
            ("stage", "creating".into()),
            ("started_ms", (*started_ms).into()),
            ("external_task_id", external_task_id.into()),
        ]),
        Phase::Running {
            task_id,
            status,
            started_ms,
        } => object([
            ("stage", "running".into()),
            ("task_id", task_id.into()),
            ("status", position(&STATUSES, status).into()),
            ("started_ms", (*started_ms).into()),
        ]),
        Phase::Finished {
            task_id,
            status,
            elapsed_ms,
        } => object([
            ("stage", "finished".into()),
            ("task_id", task_id.into()),
            ("status", position(&STATUSES, status).into()),
            ("elapsed_ms", (*elapsed_ms).into()),
        ]),
        Phase::Cancelled { task_id } => object([
            ("stage", "cancelled".into()),
            ("task_id", task_id.as_deref().into()),
        ]),
    }
}

fn phase_from(json: &Value) -> Option<Phase> {
    let task_id = || text_of(&json["task_id"]);
    let status = || nth(&STATUSES, &json.get("status"));
    Some(match json["stage"].as_str()? {
        "creating" => Phase::Creating {
            started_ms: json["started_ms"].as_f64()?,
            external_task_id: text_of(&json["external_task_id"])?,
            stage: CreateStage::Finding,
        },
        "running" => Phase::Running {
            task_id: task_id()?,
            status: status()?,
            started_ms: json["started_ms"].as_f64()?,
        },
        "finished" => Phase::Finished {
            task_id: task_id()?,
            status: status()?,
            elapsed_ms: json["elapsed_ms"].as_f64()?,
        },
        "cancelled" => Phase::Cancelled { task_id: task_id() },
        _ => Phase::Idle,
    })
}

fn generation_from(json: &Value) -> Option<Generation> {
    let (width, height) = pair(json.get("original"))?;
    Some(Generation {
        external_task_id: text_of(&json["external_task_id"])?,
        task_id: text_of(&json["task_id"]),
        source: text_of(&json["source"]).unwrap_or_default(),
        shape: text_of(&json["shape"]).unwrap_or_default(),
        frame: ResultsFrame {
            original: Size {
                width: width as u32,
                height: height as u32,
            },
            ratios: ratios_from(&json["ratios"])?.quantized(),
        },
        status: if json["done"].as_bool() == Some(true) {
            GenerationStatus::Succeeded
        } else {
            GenerationStatus::Unfinished
        },
        images: json["images"]
            .as_array()
            .map(|images| images.iter().filter_map(result_from).collect())
            .unwrap_or_default(),
    })
}

/// A saved result, its links checked again as the core checks a provider's: a damaged or
/// altered record cannot smuggle in a `javascript:` link.
fn result_from(json: &Value) -> Option<ResultImage> {
    let size = |key: &str| json[key].as_u64().and_then(|v| u32::try_from(v).ok());
    Some(ResultImage {
        index: size("index")?,
        url: text_of(&json["url"]).filter(|u| is_web_link(u))?,
        watermark_url: text_of(&json["watermark_url"]).filter(|u| is_web_link(u)),
        width: size("width"),
        height: size("height"),
    })
}

fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(members.into_iter().collect())
}

fn pair_json(a: f64, b: f64) -> Value {
    Value::Array(vec![a.into(), b.into()])
}

fn ratios_json(ratios: Ratios) -> Value {
    Value::Array(vec![
        ratios.up.into(),
        ratios.down.into(),
        ratios.left.into(),
        ratios.right.into(),
    ])
}

fn ratios_from(json: &Value) -> Option<Ratios> {
    match json.as_array()?.as_slice() {
        [up, down, left, right] => Some(Ratios {
            up: up.as_f64()?,
            down: down.as_f64()?,
            left: left.as_f64()?,
            right: right.as_f64()?,
        }),
        _ => None,
    }
}

fn position<T: PartialEq>(all: &[T], item: &T) -> usize {
    all.iter()
        .position(|candidate| candidate == item)
        .unwrap_or_default()
}

fn nth<T: Copy>(all: &[T], json: &Option<&Value>) -> Option<T> {
    all.get(usize::try_from(json.and_then(Value::as_u64)?).ok()?)
        .copied()
}

fn number(json: Option<&Value>) -> Option<f64> {
    json.and_then(Value::as_f64)
}

fn pair(json: Option<&Value>) -> Option<(f64, f64)> {
    match json?.as_array()?.as_slice() {
        [a, b] => Some((a.as_f64()?, b.as_f64()?)),
        _ => None,
    }
}

fn text_of(json: &Value) -> Option<String> {
    json.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(phase: Phase) -> SavedWidget {
        SavedWidget {
            framing: Framing {
                preset: AspectPreset::Wide16x9,
                multiplier: 2.5,
                position: Position { x: 0.0, y: 1.0 },
                ..Framing::default()
            },
            prompt: "a quiet bay".into(),
            n: 2,
            watermark: true,
            picture: Some(SavedPicture::Bytes {
                name: "bay.jpg".into(),
            }),
            phase,
            history: vec![
                Generation {
                    external_task_id: "ke-1".into(),
                    task_id: Some("t".into()),
                    source: "bay.jpg".into(),
                    shape: "16:9".into(),
                    frame: ResultsFrame {
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
                    },
                    status: GenerationStatus::Succeeded,
                    images: vec![ResultImage {
                        index: 0,
                        url: "/api/kling/results/t/0.png".into(),
                        watermark_url: None,
                        width: Some(900),
                        height: Some(700),
                    }],
                },
                Generation {
                    external_task_id: "ke-2".into(),
                    task_id: None,
                    source: "bay.jpg".into(),
                    shape: "Free".into(),
                    frame: ResultsFrame {
                        original: Size {
                            width: 600,
                            height: 500,
                        },
                        ratios: Ratios::ZERO,
                    },
                    status: GenerationStatus::Unfinished,
                    images: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn every_phase_and_setting_survives_a_round_trip_unchanged() {
        let phases = [
            Phase::Idle,
            // Saved in any stage, a create comes back as one to look for.
            Phase::Creating {
                started_ms: 5.0,
                external_task_id: "ke-1".into(),
                stage: CreateStage::Finding,
            },
            Phase::Running {
                task_id: "t".into(),
                status: TaskStatus::Processing,
                started_ms: 9.0,
            },
            Phase::Finished {
                task_id: "t".into(),
                status: TaskStatus::Failed,
                elapsed_ms: 4_000.0,
            },
            Phase::Cancelled {
                task_id: Some("t".into()),
            },
            Phase::Cancelled { task_id: None },
        ];
        for phase in phases {
            let before = saved(phase);
            assert_eq!(SavedWidget::from_json(&before.to_json()), Some(before));
        }
        let mut free = saved(Phase::Idle);
        let photo = Size {
            width: 640,
            height: 480,
        };
        free.framing
            .edit_side(photo, kling_expand_core::geometry::Side::Up, 9.0);
        assert!(
            free.framing.capped.is_some(),
            "an edit that had to be capped"
        );
        let back = SavedWidget::from_json(&free.to_json()).unwrap();
        assert_eq!(back.framing.capped, None, "a passing remark is not kept");
        free.framing.capped = None;
        assert_eq!(back.framing, free.framing);
        free.framing.free = Some(Ratios {
            up: 0.0,
            down: 0.5,
            left: 0.125,
            right: 0.0,
        });
        free.picture = Some(SavedPicture::Url {
            url: "https://example.test/a.png".into(),
        });
        assert_eq!(SavedWidget::from_json(&free.to_json()), Some(free));
    }

    #[test]
    fn a_damaged_record_reads_as_defaults_and_never_as_an_unsafe_framing() {
        let read = SavedWidget::from_json(
            r#"{"framing":{"multiplier":9,"preset":99},"n":"x","phase":{"stage":"running"}}"#,
        )
        .unwrap();
        assert_eq!(read.framing.multiplier, 3.0, "kept within 1–3×");
        assert_eq!(read.framing.preset, AspectPreset::Original);
        assert_eq!(read.n, 1);
        assert_eq!(
            read.phase,
            Phase::Idle,
            "a running phase without its task id is dropped"
        );
        assert_eq!(SavedWidget::from_json("not json"), None);
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
            stage: CreateStage::Unsure,
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

    #[test]
    fn a_record_written_by_the_earlier_serde_json_writer_reads_the_same() {
        // Keys sorted, doubles with ".0": as records saved before this format's writer changed.
        let earlier = r#"{"framing":{"custom":[16.0,9.0],"free":null,"multiplier":2.5,"position":[0.0,1.0],"preset":6},"history":[{"done":true,"external_task_id":"ke-1","images":[{"height":700,"index":0,"url":"/api/kling/results/t/0.png","watermark_url":null,"width":900}],"original":[600,500],"ratios":[0.1,0.1,0.25,0.25],"shape":"16:9","source":"bay.jpg","task_id":"t"},{"done":false,"external_task_id":"ke-2","images":[],"original":[600,500],"ratios":[0.0,0.0,0.0,0.0],"shape":"Free","source":"bay.jpg","task_id":null}],"n":2,"phase":{"stage":"running","started_ms":1733000000123.0,"status":1,"task_id":"t-9"},"picture":{"name":"bay.jpg"},"prompt":"a quiet bay","watermark":true}"#;
        let expected = saved(Phase::Running {
            task_id: "t-9".into(),
            status: TaskStatus::Processing,
            started_ms: 1_733_000_000_123.0,
        });
        assert_eq!(SavedWidget::from_json(earlier), Some(expected.clone()));
        assert_eq!(SavedWidget::from_json(&expected.to_json()), Some(expected));
    }
}
