//! The local engine's storage: one JSON file per task, the uploaded original until it has been
//! processed, and the result pictures, all under the data directory, so tasks and results
//! survive a restart. Tasks expire (files removed) after the configured time to live.
//!
//! Layout:
//! ```text
//! <data-dir>/tasks/<task_id>.json
//! <data-dir>/originals/<task_id>          (until processed)
//! <data-dir>/results/<task_id>/<index>.png and <index>-watermark.png
//! ```

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kling_expand_core::dialect::TaskStatus;
use kling_expand_core::geometry::Ratios;
use serde::{Deserialize, Serialize};

/// One result picture's size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageMeta {
    pub index: u32,
    pub width: u32,
    pub height: u32,
}

/// Where a task's processing ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Pending,
    Succeeded {
        finished_at_ms: i64,
        images: Vec<ImageMeta>,
    },
    Failed {
        finished_at_ms: i64,
        message: String,
    },
}

/// Everything the engine knows about a task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub task_id: String,
    pub external_task_id: Option<String>,
    pub created_at_ms: i64,
    /// How long the task shows `submitted`, then `processing` (fixed at creation).
    pub submitted_for_ms: u64,
    pub processing_for_ms: u64,
    pub expires_at_ms: i64,
    pub n: u8,
    pub ratios: Ratios,
    pub prompt: Option<String>,
    pub watermark: bool,
    /// The image URL to download, or `None` when the original was uploaded as base64 and is
    /// stored under `originals/`.
    pub image_url: Option<String>,
    pub callback_url: Option<String>,
    /// The engine was told to fail this task with a content-policy message.
    pub fail_content_policy: bool,
    pub outcome: Outcome,
}

/// What a query shows at a given time.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusView {
    pub status: TaskStatus,
    pub updated_at_ms: i64,
    pub message: Option<String>,
}

impl TaskRecord {
    /// The status shown at `now`: `submitted` for the configured time, then `processing` for the
    /// configured time (and for as long as the work is not done), then the outcome. Derived from
    /// time rather than stored, so it is the same before and after a restart.
    pub fn status_at(&self, now_ms: i64) -> StatusView {
        let processing_from = self.created_at_ms + self.submitted_for_ms as i64;
        let ends_no_earlier = processing_from + self.processing_for_ms as i64;
        if now_ms < processing_from {
            return StatusView {
                status: TaskStatus::Submitted,
                updated_at_ms: self.created_at_ms,
                message: None,
            };
        }
        let processing = StatusView {
            status: TaskStatus::Processing,
            updated_at_ms: processing_from,
            message: None,
        };
        if now_ms < ends_no_earlier {
            return processing;
        }
        match &self.outcome {
            Outcome::Pending => processing,
            Outcome::Succeeded { finished_at_ms, .. } => StatusView {
                status: TaskStatus::Succeeded,
                updated_at_ms: (*finished_at_ms).max(ends_no_earlier),
                message: None,
            },
            Outcome::Failed {
                finished_at_ms,
                message,
            } => StatusView {
                status: TaskStatus::Failed,
                updated_at_ms: (*finished_at_ms).max(ends_no_earlier),
                message: Some(message.clone()),
            },
        }
    }

    /// When the shown status next changes (for callbacks), if it still will.
    pub fn next_change_after(&self, now_ms: i64) -> Option<i64> {
        let processing_from = self.created_at_ms + self.submitted_for_ms as i64;
        let ends_no_earlier = processing_from + self.processing_for_ms as i64;
        if now_ms < processing_from {
            Some(processing_from)
        } else if now_ms < ends_no_earlier && self.outcome != Outcome::Pending {
            Some(ends_no_earlier)
        } else {
            None
        }
    }
}

/// The tasks in memory. Records are shared (`Arc`), so a query or a page of the list clones
/// pointers under the lock, not records; `by_time` keeps the list's order without sorting.
#[derive(Default)]
struct Index {
    tasks: HashMap<String, Arc<TaskRecord>>,
    by_external: HashMap<String, String>,
    /// (created_at_ms, task_id) of every task: the list, newest last.
    by_time: BTreeSet<(i64, String)>,
    /// Bytes each task's files take under the data directory.
    bytes: HashMap<String, u64>,
    bytes_total: u64,
}

impl Index {
    fn add(&mut self, record: TaskRecord) {
        if let Some(external) = &record.external_task_id {
            self.by_external
                .insert(external.clone(), record.task_id.clone());
        }
        self.by_time
            .insert((record.created_at_ms, record.task_id.clone()));
        self.tasks.insert(record.task_id.clone(), Arc::new(record));
    }

    fn remove(&mut self, task_id: &str) -> Option<Arc<TaskRecord>> {
        let record = self.tasks.remove(task_id)?;
        if let Some(external) = &record.external_task_id {
            self.by_external.remove(external);
        }
        self.by_time
            .remove(&(record.created_at_ms, record.task_id.clone()));
        if let Some(bytes) = self.bytes.remove(task_id) {
            self.bytes_total -= bytes;
        }
        Some(record)
    }

    fn count_bytes(&mut self, task_id: &str, bytes: u64) {
        if self.tasks.contains_key(task_id) {
            *self.bytes.entry(task_id.to_owned()).or_insert(0) += bytes;
            self.bytes_total += bytes;
        }
    }
}

/// Why a task could not be stored.
#[derive(Debug)]
pub enum InsertError {
    /// The external_task_id is already used by the named task.
    DuplicateExternalId {
        task_id: String,
    },
    Io(io::Error),
}

pub struct Store {
    root: PathBuf,
    index: Mutex<Index>,
}

/// Bytes of the files under `path` (a file or a directory), 0 when absent.
fn size_of(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::read_dir(path)
            .map(|entries| entries.flatten().map(|e| size_of(&e.path())).sum())
            .unwrap_or(0),
        Ok(meta) => meta.len(),
        Err(_) => 0,
    }
}

impl Store {
    /// Opens (creating if needed) the data directory and loads every task from it, with the
    /// bytes its files take. Unreadable task files are skipped with a warning rather than
    /// stopping the engine.
    pub fn open(root: &Path) -> io::Result<Store> {
        for sub in ["tasks", "originals", "results"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        let mut index = Index::default();
        for entry in std::fs::read_dir(root.join("tasks"))? {
            let path = entry?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            match std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    serde_json::from_slice::<TaskRecord>(&bytes).map_err(|e| e.to_string())
                }) {
                Ok(record) => {
                    let task_id = record.task_id.clone();
                    index.add(record);
                    let bytes = size_of(&path)
                        + size_of(&root.join("originals").join(&task_id))
                        + size_of(&root.join("results").join(&task_id));
                    index.count_bytes(&task_id, bytes);
                }
                Err(error) => {
                    tracing::warn!(file = %path.display(), "skipping an unreadable task file: {error}")
                }
            }
        }
        Ok(Store {
            root: root.to_path_buf(),
            index: Mutex::new(index),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn task_file(&self, task_id: &str) -> PathBuf {
        self.root.join("tasks").join(format!("{task_id}.json"))
    }

    pub fn original_file(&self, task_id: &str) -> PathBuf {
        self.root.join("originals").join(task_id)
    }

    pub fn results_dir(&self, task_id: &str) -> PathBuf {
        self.root.join("results").join(task_id)
    }

    /// Writes the record atomically (temporary file, then rename); returns its size.
    fn persist(&self, record: &TaskRecord) -> io::Result<u64> {
        let path = self.task_file(&record.task_id);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(record)?;
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok(bytes.len() as u64)
    }

    /// Stores a new task; its external_task_id must not be in use. `file_bytes` are the bytes
    /// its files already take (its uploaded original).
    pub fn insert(&self, record: TaskRecord, file_bytes: u64) -> Result<(), InsertError> {
        let mut index = self.lock();
        if let Some(external) = &record.external_task_id {
            if let Some(task_id) = index.by_external.get(external) {
                return Err(InsertError::DuplicateExternalId {
                    task_id: task_id.clone(),
                });
            }
        }
        let written = self.persist(&record).map_err(InsertError::Io)?;
        let task_id = record.task_id.clone();
        index.add(record);
        index.count_bytes(&task_id, written + file_bytes);
        Ok(())
    }

    /// Counts a task's bytes again from its files (after its work wrote results and removed
    /// the original).
    pub fn recount(&self, task_id: &str) {
        let bytes = size_of(&self.task_file(task_id))
            + size_of(&self.original_file(task_id))
            + size_of(&self.results_dir(task_id));
        let mut index = self.lock();
        if let Some(old) = index.bytes.remove(task_id) {
            index.bytes_total -= old;
        }
        index.count_bytes(task_id, bytes);
    }

    /// How many tasks are kept, and the bytes their files take.
    pub fn usage(&self) -> (usize, u64) {
        let index = self.lock();
        (index.tasks.len(), index.bytes_total)
    }

    /// Is this task id taken (ids are drawn at random; this guards the rare clash)?
    pub fn contains(&self, task_id: &str) -> bool {
        self.lock().tasks.contains_key(task_id)
    }

    /// Is this external_task_id in use, and by which task?
    pub fn task_of_external(&self, external: &str) -> Option<String> {
        self.lock().by_external.get(external).cloned()
    }

    /// The task with this task_id or external_task_id, unless it has expired (an expired task
    /// is removed on the spot).
    pub fn find(&self, id: &str, now_ms: i64) -> Option<Arc<TaskRecord>> {
        let record = {
            let index = self.lock();
            let task_id = if index.tasks.contains_key(id) {
                id
            } else {
                index.by_external.get(id)?.as_str()
            };
            index.tasks.get(task_id)?.clone()
        };
        if record.expires_at_ms <= now_ms {
            self.remove(&record.task_id);
            return None;
        }
        Some(record)
    }

    /// Records how a task's processing ended.
    pub fn finish(&self, task_id: &str, outcome: Outcome) -> io::Result<()> {
        let mut index = self.lock();
        let Some(record) = index.tasks.get_mut(task_id) else {
            return Ok(()); // expired or removed meanwhile
        };
        Arc::make_mut(record).outcome = outcome;
        let record = record.clone();
        self.persist(&record).map(|_| ())
    }

    /// Tasks whose processing has not ended (to resume after a restart).
    pub fn pending(&self) -> Vec<TaskRecord> {
        self.lock()
            .tasks
            .values()
            .filter(|r| r.outcome == Outcome::Pending)
            .map(|r| TaskRecord::clone(r))
            .collect()
    }

    /// Concurrency slots in use at `now`: each task holds `n` until its status is final.
    pub fn busy_slots(&self, now_ms: i64) -> u32 {
        self.lock()
            .tasks
            .values()
            .filter(|r| !r.status_at(now_ms).status.is_terminal() && r.expires_at_ms > now_ms)
            .map(|r| u32::from(r.n))
            .sum()
    }

    /// One page of tasks, newest first (pages count from 1): only the page's records are
    /// touched, and only their pointers cloned.
    pub fn list(&self, page_num: u32, page_size: u32, now_ms: i64) -> Vec<Arc<TaskRecord>> {
        let skip = (page_num.saturating_sub(1) as usize).saturating_mul(page_size as usize);
        let index = self.lock();
        index
            .by_time
            .iter()
            .rev()
            .filter_map(|(_, task_id)| index.tasks.get(task_id))
            .filter(|r| r.expires_at_ms > now_ms)
            .skip(skip)
            .take(page_size as usize)
            .cloned()
            .collect()
    }

    /// Forgets a task and deletes its files.
    pub fn remove(&self, task_id: &str) {
        let removed = self.lock().remove(task_id);
        if removed.is_some() {
            let _ = std::fs::remove_file(self.task_file(task_id));
            let _ = std::fs::remove_file(self.original_file(task_id));
            let _ = std::fs::remove_dir_all(self.results_dir(task_id));
        }
    }

    /// Removes every task expired at `now`; returns how many.
    pub fn sweep(&self, now_ms: i64) -> usize {
        let expired: Vec<String> = self
            .lock()
            .tasks
            .values()
            .filter(|r| r.expires_at_ms <= now_ms)
            .map(|r| r.task_id.clone())
            .collect();
        for task_id in &expired {
            self.remove(task_id);
        }
        expired.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(task_id: &str, external: Option<&str>, created_at_ms: i64) -> TaskRecord {
        TaskRecord {
            task_id: task_id.into(),
            external_task_id: external.map(Into::into),
            created_at_ms,
            submitted_for_ms: 1000,
            processing_for_ms: 2000,
            expires_at_ms: created_at_ms + 10_000,
            n: 2,
            ratios: Ratios {
                up: 0.1,
                down: 0.1,
                left: 0.2,
                right: 0.2,
            },
            prompt: None,
            watermark: false,
            image_url: None,
            callback_url: None,
            fail_content_policy: false,
            outcome: Outcome::Pending,
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kling-expand-store-{name}-{}",
            crate::wire::random_u64()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn status_follows_the_configured_timing_and_waits_for_the_work() {
        let mut task = record("1", None, 10_000);
        assert_eq!(task.status_at(10_500).status, TaskStatus::Submitted);
        assert_eq!(task.status_at(11_000).status, TaskStatus::Processing);
        // Time is up but the work is not done: still processing.
        assert_eq!(task.status_at(20_000).status, TaskStatus::Processing);
        task.outcome = Outcome::Succeeded {
            finished_at_ms: 12_000,
            images: vec![],
        };
        assert_eq!(task.status_at(12_999).status, TaskStatus::Processing);
        let done = task.status_at(13_000);
        assert_eq!(done.status, TaskStatus::Succeeded);
        assert_eq!(done.updated_at_ms, 13_000);
        task.outcome = Outcome::Failed {
            finished_at_ms: 15_000,
            message: "Image pixel is invalid".into(),
        };
        let failed = task.status_at(16_000);
        assert_eq!(failed.status, TaskStatus::Failed);
        assert_eq!(failed.updated_at_ms, 15_000);
        assert_eq!(failed.message.as_deref(), Some("Image pixel is invalid"));
    }

    #[test]
    fn survives_reopening_and_finds_by_either_id() {
        let dir = temp_dir("reopen");
        {
            let store = Store::open(&dir).unwrap();
            store
                .insert(record("100", Some("mine-1"), 1_000), 0)
                .unwrap();
            store.insert(record("101", None, 2_000), 0).unwrap();
            store
                .finish(
                    "100",
                    Outcome::Failed {
                        finished_at_ms: 1_500,
                        message: "x".into(),
                    },
                )
                .unwrap();
        }
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.find("mine-1", 3_000).unwrap().task_id, "100");
        assert!(matches!(
            store.find("100", 3_000).unwrap().outcome,
            Outcome::Failed { .. }
        ));
        assert_eq!(store.pending().len(), 1);
        let page: Vec<String> = store
            .list(1, 10, 3_000)
            .iter()
            .map(|r| r.task_id.clone())
            .collect();
        assert_eq!(page, vec!["101", "100"]);
        assert_eq!(store.list(2, 1, 3_000)[0].task_id, "100");
        assert!(store.list(3, 1, 3_000).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_second_task_with_the_same_external_id() {
        let dir = temp_dir("dup");
        let store = Store::open(&dir).unwrap();
        store.insert(record("1", Some("same"), 0), 0).unwrap();
        match store.insert(record("2", Some("same"), 0), 0) {
            Err(InsertError::DuplicateExternalId { task_id }) => assert_eq!(task_id, "1"),
            other => panic!("expected a duplicate, got {other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn expired_tasks_disappear_with_their_files() {
        let dir = temp_dir("ttl");
        let store = Store::open(&dir).unwrap();
        store.insert(record("7", Some("ext-7"), 0), 0).unwrap();
        std::fs::create_dir_all(store.results_dir("7")).unwrap();
        std::fs::write(store.results_dir("7").join("0.png"), b"png").unwrap();
        assert!(store.find("7", 9_999).is_some());
        assert!(store.find("ext-7", 10_000).is_none());
        assert!(!store.results_dir("7").exists());
        assert!(!dir.join("tasks/7.json").exists());
        // The external id is free again.
        store.insert(record("8", Some("ext-7"), 20_000), 0).unwrap();
        assert_eq!(store.sweep(30_000), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_bytes_of_every_task_are_counted_and_survive_reopening() {
        let dir = temp_dir("bytes");
        let store = Store::open(&dir).unwrap();
        std::fs::write(store.original_file("1"), vec![0u8; 5000]).unwrap();
        store.insert(record("1", None, 0), 5000).unwrap();
        store.insert(record("2", None, 1), 0).unwrap();
        let (tasks, bytes) = store.usage();
        assert_eq!(tasks, 2);
        assert!(bytes > 5000, "{bytes}");
        std::fs::create_dir_all(store.results_dir("2")).unwrap();
        std::fs::write(store.results_dir("2").join("0.png"), vec![0u8; 7000]).unwrap();
        store.recount("2");
        let counted = store.usage().1;
        drop(store);
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.usage(), (2, counted), "the same count from the files");
        store.remove("1");
        store.remove("2");
        assert_eq!(store.usage(), (0, 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_page_shares_the_records_it_lists_and_skips_expired_ones() {
        let dir = temp_dir("page");
        let store = Store::open(&dir).unwrap();
        for i in 0..50 {
            store.insert(record(&format!("{i}"), None, i), 0).unwrap();
        }
        let page = store.list(2, 10, 5);
        let ids: Vec<&str> = page.iter().map(|r| r.task_id.as_str()).collect();
        assert_eq!(
            ids,
            ["39", "38", "37", "36", "35", "34", "33", "32", "31", "30"]
        );
        let again = store.find("39", 5).unwrap();
        assert!(Arc::ptr_eq(&page[0], &again), "no copy of the record");
        // Tasks 0..=9 expire at 10_000..=10_009.
        assert_eq!(store.list(1, 100, 10_005).len(), 44);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
