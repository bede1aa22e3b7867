//! Answers about tasks: one task by `task_id` or `external_task_id`, a page of the list, and the
//! `data` object both are made of, as Kling documents it.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use kling_expand_core::dialect::{kling, TaskStatus};
use serde_json::Value;

use super::store::{Outcome, TaskRecord};
use super::{Engine, MOUNT, STYLE};
use crate::config::FailMode;
use crate::wire::{now_ms, ApiFailure};

/// Kling's list-route bounds (seed 001).
const MAX_PAGE_NUM: u32 = 1000;
const MAX_PAGE_SIZE: u32 = 500;

impl Engine {
    pub(super) fn query(&self, id: &str) -> Result<Value, ApiFailure> {
        if self.config.fails(FailMode::Server) || self.config.fails(FailMode::ServerQuery) {
            return Err(self.server_failure());
        }
        let now = now_ms();
        let record = self.store.find(id, now).ok_or_else(|| {
            ApiFailure::new(
                StatusCode::NOT_FOUND,
                1203,
                format!(
                    "Task {id} does not exist: no task has this task_id or external_task_id (results are kept {})",
                    describe_ttl(self.config.ttl)
                ),
            )
        })?;
        Ok(self.task_data(&record, now))
    }

    pub(super) fn list(&self, page_num: u32, page_size: u32) -> Result<Value, ApiFailure> {
        if self.config.fails(FailMode::Server) || self.config.fails(FailMode::ServerQuery) {
            return Err(self.server_failure());
        }
        if !(1..=MAX_PAGE_NUM).contains(&page_num) {
            return Err(ApiFailure::invalid(format!(
                "pageNum is {page_num}; it must be from 1 to {MAX_PAGE_NUM}"
            )));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(ApiFailure::invalid(format!(
                "pageSize is {page_size}; it must be from 1 to {MAX_PAGE_SIZE}"
            )));
        }
        let now = now_ms();
        let page = self.store.list(page_num, page_size, now);
        Ok(Value::Array(
            page.iter().map(|r| self.task_data(r, now)).collect(),
        ))
    }

    /// Answers a list call whose pageNum or pageSize is missing a number or out of range.
    pub fn bad_page(&self, query: &str) -> Response {
        ApiFailure::invalid(bad_page_message(query)).into_response(STYLE)
    }

    /// The `data` object of a query, as Kling documents it.
    pub(super) fn task_data(&self, record: &TaskRecord, now: i64) -> Value {
        let view = record.status_at(now);
        let task_result = match (&record.outcome, view.status) {
            (Outcome::Succeeded { images, .. }, TaskStatus::Succeeded) => Some(kling::TaskResult {
                images: images
                    .iter()
                    .map(|image| kling::ImageResult {
                        index: image.index,
                        url: self.result_url(&record.task_id, &format!("{}.png", image.index)),
                        watermark_url: record.watermark.then(|| {
                            self.result_url(
                                &record.task_id,
                                &format!("{}-watermark.png", image.index),
                            )
                        }),
                    })
                    .collect(),
            }),
            _ => None,
        };
        let deduction = match view.status {
            TaskStatus::Succeeded => record.n.to_string(),
            _ => "0".to_owned(),
        };
        let data = kling::TaskData {
            task_id: record.task_id.clone(),
            task_status: view.status.kling_word().to_owned(),
            task_status_msg: Some(view.message.unwrap_or_default()),
            task_info: Some(task_info(record)),
            final_unit_deduction: Some(deduction),
            watermark_info: Some(kling::WatermarkInfo {
                enabled: record.watermark,
            }),
            created_at: record.created_at_ms,
            updated_at: view.updated_at_ms,
            task_result,
        };
        serde_json::to_value(data).unwrap_or_default()
    }

    fn result_url(&self, task_id: &str, file: &str) -> String {
        format!("{}{MOUNT}/results/{task_id}/{file}", self.config.public_url)
    }
}

pub(super) fn task_info(record: &TaskRecord) -> kling::TaskInfo {
    kling::TaskInfo {
        external_task_id: record.external_task_id.clone(),
    }
}

fn bad_page_message(query: &str) -> String {
    let mut problems = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, max) = match key {
            "pageNum" => ("pageNum", MAX_PAGE_NUM),
            "pageSize" => ("pageSize", MAX_PAGE_SIZE),
            _ => continue,
        };
        if !value.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n)) {
            let shown: String = value.chars().take(20).collect();
            problems.push(format!(
                "{name} is \"{shown}\"; it must be a whole number from 1 to {max}."
            ));
        }
    }
    if problems.is_empty() {
        problems.push("pageNum must be 1 to 1000 and pageSize 1 to 500.".to_owned());
    }
    problems.join(" ")
}

fn describe_ttl(ttl: Duration) -> String {
    let secs = ttl.as_secs();
    if secs >= 86_400 && secs.is_multiple_of(86_400) {
        format!("{} days", secs / 86_400)
    } else if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{} hours", secs / 3600)
    } else if secs >= 1 {
        format!("{secs} s")
    } else {
        format!("{} ms", ttl.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pages_are_named_with_what_was_sent() {
        assert_eq!(
            bad_page_message("pageNum=0&pageSize=abc&x=1"),
            "pageNum is \"0\"; it must be a whole number from 1 to 1000. pageSize is \"abc\"; \
             it must be a whole number from 1 to 500."
        );
        assert_eq!(
            bad_page_message(""),
            "pageNum must be 1 to 1000 and pageSize 1 to 500."
        );
        let long = format!("pageSize={}", "9".repeat(100));
        assert!(
            bad_page_message(&long).len() < 100,
            "what was sent is shortened"
        );
    }

    #[test]
    fn time_to_live_in_the_largest_whole_unit() {
        assert_eq!(describe_ttl(Duration::from_secs(30 * 86_400)), "30 days");
        assert_eq!(describe_ttl(Duration::from_secs(7200)), "2 hours");
        assert_eq!(describe_ttl(Duration::from_secs(90)), "90 s");
        assert_eq!(describe_ttl(Duration::from_millis(250)), "250 ms");
    }
}
