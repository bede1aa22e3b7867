//! The embedded store: the state in memory under one lock, every change appended to
//! `<data-dir>/access/state.log` as one JSON line holding the new value (so replaying the log
//! at start gives the same state, whatever was repeated), compacted at each start.
//!
//! Lines are written to the file at each change (no fsync): the state survives a restart or a
//! crash of the process; a power cut may lose the last changes. One instance only: several
//! instances share state through Redis.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Claim, TaskRecord, RECORD_TTL_MS};
use crate::access::quota::{Exceeded, Spend};
use crate::wire::now_ms;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Entry {
    Count {
        key: String,
        value: u32,
        expires_ms: i64,
    },
    Flight {
        key: String,
        member: String,
        /// `None`: the member left.
        until_ms: Option<i64>,
    },
    Claim(Claim),
    Task(TaskRecord),
}

#[derive(Default)]
struct State {
    counters: HashMap<String, (u32, i64)>,
    flights: HashMap<String, HashMap<String, i64>>,
    claims: HashMap<(String, String), Claim>,
    tasks: HashMap<String, TaskRecord>,
    /// Task ids of each owner, oldest first.
    by_owner: HashMap<String, Vec<String>>,
}

impl State {
    fn apply(&mut self, entry: Entry) {
        match entry {
            Entry::Count {
                key,
                value,
                expires_ms,
            } => {
                self.counters.insert(key, (value, expires_ms));
            }
            Entry::Flight {
                key,
                member,
                until_ms,
            } => {
                let set = self.flights.entry(key.clone()).or_default();
                match until_ms {
                    Some(until) => {
                        set.insert(member, until);
                    }
                    None => {
                        set.remove(&member);
                        if set.is_empty() {
                            self.flights.remove(&key);
                        }
                    }
                }
            }
            Entry::Claim(claim) => {
                self.claims
                    .insert((claim.owner.clone(), claim.external_task_id.clone()), claim);
            }
            Entry::Task(record) => {
                if !self.tasks.contains_key(&record.task_id) {
                    self.by_owner
                        .entry(record.owner.clone())
                        .or_default()
                        .push(record.task_id.clone());
                }
                self.tasks.insert(record.task_id.clone(), record);
            }
        }
    }

    fn counter(&self, key: &str, now_ms: i64) -> u32 {
        self.counters
            .get(key)
            .filter(|(_, expires)| *expires > now_ms)
            .map_or(0, |(value, _)| *value)
    }

    fn running(&mut self, key: &str, now_ms: i64) -> u32 {
        let Some(set) = self.flights.get_mut(key) else {
            return 0;
        };
        set.retain(|_, until| *until > now_ms);
        set.len() as u32
    }

    /// Every live value as log entries (for compaction).
    fn entries(&self, now_ms: i64) -> Vec<Entry> {
        let mut out = Vec::new();
        for (key, (value, expires_ms)) in &self.counters {
            if *expires_ms > now_ms {
                out.push(Entry::Count {
                    key: key.clone(),
                    value: *value,
                    expires_ms: *expires_ms,
                });
            }
        }
        for (key, set) in &self.flights {
            for (member, until) in set {
                if *until > now_ms {
                    out.push(Entry::Flight {
                        key: key.clone(),
                        member: member.clone(),
                        until_ms: Some(*until),
                    });
                }
            }
        }
        for claim in self.claims.values() {
            if claim.created_ms + RECORD_TTL_MS > now_ms {
                out.push(Entry::Claim(claim.clone()));
            }
        }
        let mut tasks: Vec<&TaskRecord> = self
            .tasks
            .values()
            .filter(|t| t.created_ms + RECORD_TTL_MS > now_ms)
            .collect();
        tasks.sort_by_key(|t| t.created_ms);
        out.extend(tasks.into_iter().cloned().map(Entry::Task));
        out
    }
}

pub struct Embedded {
    inner: Mutex<(State, File)>,
    path: PathBuf,
    /// Bytes appended since the log was last written anew.
    appended: std::sync::atomic::AtomicU64,
}

/// The log is written anew (only live values) once this much was appended to it.
const COMPACT_AFTER_BYTES: u64 = 64 * 1024 * 1024;

impl Embedded {
    /// Opens (or creates) the log under `dir`, replays it and writes it anew without what has
    /// expired.
    pub fn open(dir: &Path) -> std::io::Result<Embedded> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("state.log");
        let mut state = State::default();
        if let Ok(file) = File::open(&path) {
            for line in BufReader::new(file).lines() {
                let line = line?;
                // A line cut by a crash is skipped; every other line still holds.
                if let Ok(entry) = serde_json::from_str::<Entry>(&line) {
                    state.apply(entry);
                }
            }
        }
        let now = now_ms();
        let compacted = dir.join("state.log.new");
        {
            let mut out = std::io::BufWriter::new(File::create(&compacted)?);
            for entry in state.entries(now) {
                serde_json::to_writer(&mut out, &entry)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            out.get_ref().sync_all()?;
        }
        std::fs::rename(&compacted, &path)?;
        let mut fresh = State::default();
        for entry in state.entries(now) {
            fresh.apply(entry);
        }
        let file = OpenOptions::new().append(true).open(&path)?;
        Ok(Embedded {
            inner: Mutex::new((fresh, file)),
            path,
            appended: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Appends `text` to the log; past [`COMPACT_AFTER_BYTES`], writes the log anew from
    /// `state` (under the caller's lock, so no change is lost between the two).
    fn append(&self, state: &State, file: &mut File, text: &str) {
        if let Err(error) = file.write_all(text.as_bytes()) {
            tracing::error!(path = %self.path.display(), "the state log cannot be written: {error}");
        }
        let total = self
            .appended
            .fetch_add(text.len() as u64, std::sync::atomic::Ordering::Relaxed)
            + text.len() as u64;
        if total < COMPACT_AFTER_BYTES {
            return;
        }
        self.appended.store(0, std::sync::atomic::Ordering::Relaxed);
        let compacted = self.path.with_extension("log.new");
        let written = (|| -> std::io::Result<File> {
            let mut out = std::io::BufWriter::new(File::create(&compacted)?);
            for entry in state.entries(now_ms()) {
                serde_json::to_writer(&mut out, &entry)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            std::fs::rename(&compacted, &self.path)?;
            OpenOptions::new().append(true).open(&self.path)
        })();
        match written {
            Ok(fresh) => *file = fresh,
            Err(error) => {
                tracing::error!(path = %self.path.display(), "the state log cannot be compacted: {error}")
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn change(&self, entries: Vec<Entry>) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (state, file) = &mut *guard;
        let mut text = String::new();
        for entry in entries {
            if let Ok(line) = serde_json::to_string(&entry) {
                text.push_str(&line);
                text.push('\n');
            }
            state.apply(entry);
        }
        self.append(state, file, &text);
    }

    pub fn spend(&self, spend: &Spend, now_ms: i64) -> Result<(), Exceeded> {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (state, file) = &mut *guard;
        for counter in &spend.counters {
            let used = state.counter(&counter.key, now_ms);
            if u64::from(used) + u64::from(counter.add) > u64::from(counter.limit) {
                return Err(Exceeded::Counter {
                    counter: counter.clone(),
                    used,
                });
            }
        }
        let mut entries = Vec::new();
        if let Some(flight) = &spend.in_flight {
            if state.running(&flight.key, now_ms) >= flight.limit {
                return Err(Exceeded::InFlight {
                    limit: flight.limit,
                });
            }
            entries.push(Entry::Flight {
                key: flight.key.clone(),
                member: flight.member.clone(),
                until_ms: Some(flight.hold_until_ms),
            });
        }
        for counter in &spend.counters {
            entries.push(Entry::Count {
                key: counter.key.clone(),
                value: state.counter(&counter.key, now_ms) + counter.add,
                expires_ms: counter.resets_at_ms,
            });
        }
        let mut text = String::new();
        for entry in entries {
            if let Ok(line) = serde_json::to_string(&entry) {
                text.push_str(&line);
                text.push('\n');
            }
            state.apply(entry);
        }
        self.append(state, file, &text);
        Ok(())
    }

    pub fn refund(&self, spend: &Spend) {
        let now = now_ms();
        let entries = {
            let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let state = &guard.0;
            let mut entries: Vec<Entry> = spend
                .counters
                .iter()
                .map(|c| Entry::Count {
                    key: c.key.clone(),
                    value: state.counter(&c.key, now).saturating_sub(c.add),
                    expires_ms: c.resets_at_ms,
                })
                .collect();
            if let Some(flight) = &spend.in_flight {
                entries.push(Entry::Flight {
                    key: flight.key.clone(),
                    member: flight.member.clone(),
                    until_ms: None,
                });
            }
            entries
        };
        self.change(entries);
    }

    pub fn land(&self, key: &str, member: &str) {
        self.change(vec![Entry::Flight {
            key: key.to_owned(),
            member: member.to_owned(),
            until_ms: None,
        }]);
    }

    pub fn put_claim(&self, claim: &Claim) {
        self.change(vec![Entry::Claim(claim.clone())]);
    }

    pub fn claim(&self, owner: &str, external_task_id: &str) -> Option<Claim> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .0
            .claims
            .get(&(owner.to_owned(), external_task_id.to_owned()))
            .cloned()
    }

    pub fn put_task(&self, record: &TaskRecord) {
        let mut entries = vec![Entry::Task(record.clone())];
        if let Some(external) = &record.external_task_id {
            if let Some(mut claim) = self.claim(&record.owner, external) {
                if claim.task_id.as_deref() != Some(&record.task_id) {
                    claim.task_id = Some(record.task_id.clone());
                    entries.push(Entry::Claim(claim));
                }
            }
        }
        self.change(entries);
    }

    pub fn task(&self, task_id: &str) -> Option<TaskRecord> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.0.tasks.get(task_id).cloned()
    }

    pub fn tasks_of(&self, owner: &str, offset: usize, limit: usize) -> Vec<TaskRecord> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let state = &guard.0;
        state
            .by_owner
            .get(owner)
            .into_iter()
            .flat_map(|ids| ids.iter().rev())
            .skip(offset)
            .take(limit)
            .filter_map(|id| state.tasks.get(id).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kling_expand_core::dialect::Dialect;

    use super::*;
    use crate::access::quota::SpendingLimits;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kling-expand-store-{name}-{}-{}",
            std::process::id(),
            crate::wire::random_u64()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const LIMITS: SpendingLimits = SpendingLimits {
        creates_per_period: 2,
        images_per_period: 0,
        period: Duration::from_secs(86_400),
        in_flight: 0,
        max_n: 9,
        daily_budget: 0,
    };

    #[test]
    fn counts_and_tasks_survive_a_reopen() {
        let dir = dir("reopen");
        let now = now_ms();
        {
            let store = Embedded::open(&dir).unwrap();
            for _ in 0..2 {
                store
                    .spend(&LIMITS.spend("ip:1.2.3.4", None, 1, "m", now), now)
                    .unwrap();
            }
            store.put_task(&TaskRecord {
                task_id: "t1".into(),
                owner: "ip:1.2.3.4".into(),
                external_task_id: None,
                dialect: Dialect::Kling,
                created_ms: now,
                n: 1,
                flight: None,
                last: None,
            });
        }
        let store = Embedded::open(&dir).unwrap();
        assert!(store
            .spend(&LIMITS.spend("ip:1.2.3.4", None, 1, "m", now), now)
            .is_err());
        assert!(store
            .spend(&LIMITS.spend("ip:5.6.7.8", None, 1, "m", now), now)
            .is_ok());
        assert_eq!(store.task("t1").unwrap().owner, "ip:1.2.3.4");
        assert_eq!(store.tasks_of("ip:1.2.3.4", 0, 10).len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_refund_gives_the_count_back() {
        let dir = dir("refund");
        let store = Embedded::open(&dir).unwrap();
        let now = now_ms();
        let spend = LIMITS.spend("sub:a", None, 1, "m", now);
        store.spend(&spend, now).unwrap();
        store.spend(&spend, now).unwrap();
        assert!(store.spend(&spend, now).is_err());
        store.refund(&spend);
        assert!(store.spend(&spend, now).is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }
}
