//! What the widget reports to its host page: one `CustomEvent` per thing that happened, its
//! `detail` one of these shapes (camelCase, `null` for what is not known). `kling-expand.d.ts`
//! describes the same shapes.

use kling_expand_core::dialect::{ApiError, ErrorCategory, ResultImage, TaskSnapshot, TaskStatus};
use kling_expand_core::inspect::ImageFormat;
use serde::Serialize;

use kling_expand_core::geometry::Size;

use crate::model::fixups::FixupKind;

/// A picture was chosen, or a fix-up changed it: what will be sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PictureDetail {
    pub width: u32,
    pub height: u32,
    /// `null` for a picture given by URL.
    pub format: Option<ImageFormat>,
    /// The fix-ups applied, oldest first: "upright", "convert", "shrink", "crop".
    pub fixups: Vec<&'static str>,
}

/// A task exists at the provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmittedDetail {
    pub task_id: String,
    pub external_task_id: Option<String>,
}

/// A task's status, as a poll read it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressDetail {
    pub status: TaskStatus,
    pub elapsed_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageDetail {
    pub index: u32,
    /// Absolute.
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SucceededDetail {
    pub task_id: String,
    pub images: Vec<ImageDetail>,
}

/// Why nothing (more) will come of a press of Expand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCategory {
    /// The provider ran the task and it failed.
    TaskFailed,
    /// A call was refused or could not be made: the error's category ("billing", "network"…).
    #[serde(untagged)]
    Api(ErrorCategory),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedDetail {
    pub category: FailureCategory,
    /// The provider's (or the proxy's) numeric code, when it gave one.
    pub code: Option<i64>,
    /// The sentence the widget shows.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelledDetail {
    /// `null` when the task was not known yet.
    pub task_id: Option<String>,
}

/// One report to the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetEvent {
    Picture(PictureDetail),
    Submitted(SubmittedDetail),
    Progress(ProgressDetail),
    Succeeded(SucceededDetail),
    Failed(FailedDetail),
    Cancelled(CancelledDetail),
}

impl WidgetEvent {
    /// The event's type: kebab-case, no colon (so every framework's listener syntax takes it).
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Picture(_) => "kling-expand-picture",
            Self::Submitted(_) => "kling-expand-submitted",
            Self::Progress(_) => "kling-expand-progress",
            Self::Succeeded(_) => "kling-expand-succeeded",
            Self::Failed(_) => "kling-expand-failed",
            Self::Cancelled(_) => "kling-expand-cancelled",
        }
    }

    /// A picture of `size` (as displayed) in `format`, made by these fix-ups.
    pub fn picture(
        size: Size,
        format: Option<ImageFormat>,
        fixups: impl Iterator<Item = FixupKind>,
    ) -> Self {
        Self::Picture(PictureDetail {
            width: size.width,
            height: size.height,
            format,
            fixups: fixups
                .map(|kind| match kind {
                    FixupKind::Upright => "upright",
                    FixupKind::Convert => "convert",
                    FixupKind::Shrink => "shrink",
                    FixupKind::Crop => "crop",
                })
                .collect(),
        })
    }

    /// What a snapshot read while following a task says: progress, success or failure.
    /// `images` are the snapshot's, with absolute URLs.
    pub fn from_snapshot(snapshot: &TaskSnapshot, images: &[ResultImage], elapsed_ms: f64) -> Self {
        let task_id = snapshot.task_id.clone();
        match snapshot.status {
            TaskStatus::Submitted | TaskStatus::Processing => Self::Progress(ProgressDetail {
                status: snapshot.status,
                elapsed_ms: elapsed_ms.max(0.0).round() as u64,
            }),
            TaskStatus::Succeeded => Self::Succeeded(SucceededDetail {
                task_id,
                images: images
                    .iter()
                    .map(|image| ImageDetail {
                        index: image.index,
                        url: image.url.clone(),
                        width: image.width,
                        height: image.height,
                    })
                    .collect(),
            }),
            TaskStatus::Failed => Self::Failed(FailedDetail {
                category: FailureCategory::TaskFailed,
                code: None,
                message: snapshot
                    .status_message
                    .clone()
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| "The provider gave no reason.".to_owned()),
            }),
        }
    }

    pub fn failed(error: &ApiError) -> Self {
        Self::Failed(FailedDetail {
            category: FailureCategory::Api(error.category),
            code: error.code,
            message: error.explanation().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(status: TaskStatus) -> TaskSnapshot {
        TaskSnapshot {
            task_id: "t1".into(),
            external_task_id: Some("ke-1".into()),
            status,
            status_message: None,
            images: Vec::new(),
            created_at_ms: None,
            updated_at_ms: None,
            expires_at_ms: None,
            refused_links: 0,
        }
    }

    #[test]
    fn names_are_kebab_case_without_a_colon() {
        let progress = WidgetEvent::from_snapshot(&snapshot(TaskStatus::Processing), &[], 1234.4);
        assert_eq!(progress.name(), "kling-expand-progress");
        assert_eq!(
            progress,
            WidgetEvent::Progress(ProgressDetail {
                status: TaskStatus::Processing,
                elapsed_ms: 1234
            })
        );
    }

    #[test]
    fn a_success_carries_the_absolute_images_and_a_failure_its_reason() {
        let images = [ResultImage {
            index: 0,
            url: "https://api.test/r/0.png".into(),
            watermark_url: None,
            width: Some(800),
            height: None,
        }];
        let WidgetEvent::Succeeded(detail) =
            WidgetEvent::from_snapshot(&snapshot(TaskStatus::Succeeded), &images, 0.0)
        else {
            panic!("a success")
        };
        assert_eq!(detail.task_id, "t1");
        assert_eq!(detail.images[0].url, "https://api.test/r/0.png");
        assert_eq!(detail.images[0].width, Some(800));
        let WidgetEvent::Failed(failed) =
            WidgetEvent::from_snapshot(&snapshot(TaskStatus::Failed), &[], 0.0)
        else {
            panic!("a failure")
        };
        assert_eq!(failed.category, FailureCategory::TaskFailed);
        assert!(failed.message.contains("no reason"));
    }

    #[test]
    fn an_api_error_keeps_its_category_and_code() {
        let mut error = ApiError::new(ErrorCategory::Billing, "Account in arrears.");
        error.code = Some(1102);
        let WidgetEvent::Failed(failed) = WidgetEvent::failed(&error) else {
            panic!("a failure")
        };
        assert_eq!(
            failed.category,
            FailureCategory::Api(ErrorCategory::Billing)
        );
        assert_eq!(failed.code, Some(1102));
    }
}
