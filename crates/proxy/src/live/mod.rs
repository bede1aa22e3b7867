//! Live status: the proxy follows each task it created once, however many pages watch it, and
//! hands every status change to the task's event streams (`api::events`).
//!
//! ```text
//! relay::remember ── a change ──► Live::publish ──► Watched: history + tick ──► each stream
//! a stream opens ──► Live::watch ──► one poller per task (`poller`), until the task ends or
//!                                    nobody has watched it for IDLE
//! a callback ─────► relay::remember (signed), or Watched::wake (a hint: ask now)
//! ```
//!
//! A task's changes are numbered from 1 (the events' ids); a stream sends those after the
//! `Last-Event-ID` it was given. With the shared store (Redis), the numbers are the task's list
//! of events there, every change is published to all instances (`shared`), and a lease makes
//! one instance the task's only poller. Memory is bounded: at most [`HISTORY`] changes per task, tasks
//! forgotten once nobody watches them and their poller has stopped, streams capped in total and
//! per client.

pub mod poller;
pub mod shared;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kling_expand_core::dialect::kling::TaskData;
use kling_expand_core::dialect::TaskStatus;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};

use crate::config::LiveConfig;
use crate::store::{Store, TaskRecord};
use crate::transport::{ClientSlot, ClientSlots};

/// Changes kept per task (a task has three or four; a provider that changes `updated_at` on
/// every query could make more).
pub const HISTORY: usize = 32;

/// How long a task is still followed once its last stream closed (a reload reconnects well
/// within it).
pub const IDLE: Duration = Duration::from_secs(30);

/// One status change of a task, as its event carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The event id: 1 for the first change the proxy saw, then 2, 3, …
    pub seq: u64,
    /// The task's `data` in Kling's shape (JSON), namespace taken off its external id.
    pub data: Arc<str>,
    pub terminal: bool,
}

impl Change {
    /// The event's `data`: a Kling query answer, which every widget's parser reads.
    pub fn answer(&self) -> String {
        format!(r#"{{"code":0,"message":"SUCCEED","data":{}}}"#, self.data)
    }
}

/// A change's `data`: the task's `data` in Kling's shape, with `refused_links` (how many result
/// links the provider sent that are not web addresses, which the core left out) when there were
/// any, so that a widget can say so as it does for a query's answer.
fn change_json(data: &TaskData, refused_links: u32) -> String {
    let mut value = serde_json::to_value(data).unwrap_or_default();
    if let (Some(object), 1..) = (value.as_object_mut(), refused_links) {
        object.insert("refused_links".to_owned(), refused_links.into());
    }
    value.to_string()
}

#[derive(Default)]
struct WatchState {
    history: Vec<Change>,
    /// Streams open now.
    watchers: usize,
    /// When the last stream closed (or the task was first watched).
    last_watched: Option<Instant>,
    polling: bool,
}

/// A task someone watches.
pub struct Watched {
    pub task_id: String,
    state: Mutex<WatchState>,
    /// The number of the latest change; streams wait on it.
    tick: watch::Sender<u64>,
    /// Ask the upstream now (a callback said something changed).
    pub wake: Notify,
}

impl Watched {
    fn new(task_id: &str) -> Watched {
        Watched {
            task_id: task_id.to_owned(),
            state: Mutex::new(WatchState::default()),
            tick: watch::channel(0).0,
            wake: Notify::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `data` as the next change unless it is the latest already; true if added.
    pub fn push(&self, data: &TaskData) -> bool {
        self.insert(None, change_json(data, 0).into())
    }

    /// Adds change `seq` (numbered by the shared store) unless it is known already.
    pub fn put(&self, seq: u64, json: &str) -> bool {
        self.insert(Some(seq), json.into())
    }

    fn insert(&self, seq: Option<u64>, json: Arc<str>) -> bool {
        let terminal = serde_json::from_str::<TaskData>(&json)
            .ok()
            .and_then(|d| TaskStatus::from_word(&d.task_status))
            .is_some_and(|s| s.is_terminal());
        let seq = {
            let mut state = self.state();
            let latest = state.history.last();
            if latest.is_some_and(|c| c.terminal) {
                return false;
            }
            let seq = match seq {
                Some(seq) if latest.is_some_and(|c| c.seq >= seq) => return false,
                Some(seq) => seq,
                None if latest.is_some_and(|c| c.data == json) => return false,
                None => latest.map_or(1, |c| c.seq + 1),
            };
            if state.history.len() == HISTORY {
                state.history.remove(0);
            }
            state.history.push(Change {
                seq,
                data: json,
                terminal,
            });
            seq
        };
        self.tick.send_replace(seq);
        true
    }

    /// The number of the latest change (0 before any).
    pub fn latest(&self) -> u64 {
        self.state().history.last().map_or(0, |c| c.seq)
    }

    /// What a stream that has seen up to `seen` sends next: the first later change; or, when
    /// there is none and the task has ended (or `seen` is from an earlier history, such as
    /// before a restart), the latest one.
    pub fn after(&self, seen: u64) -> Option<Change> {
        let state = self.state();
        let latest = state.history.last()?;
        if latest.seq <= seen {
            return (latest.terminal || latest.seq < seen).then(|| latest.clone());
        }
        state.history.iter().find(|c| c.seq > seen).cloned()
    }

    /// Woken at each change.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.tick.subscribe()
    }

    pub fn ended(&self) -> bool {
        self.state().history.last().is_some_and(|c| c.terminal)
    }

    /// How long nobody has watched it (zero while a stream is open).
    pub fn unwatched_for(&self) -> Duration {
        let state = self.state();
        if state.watchers > 0 {
            return Duration::ZERO;
        }
        state.last_watched.map_or(Duration::MAX, |at| at.elapsed())
    }

    pub fn watchers(&self) -> usize {
        self.state().watchers
    }
}

/// Why a stream is not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// This client holds as many as it may.
    Client(usize),
    /// The proxy holds as many as it takes.
    Total(usize),
}

/// Every task watched on this instance.
pub struct Live {
    pub config: LiveConfig,
    /// This instance, as the holder of leases in the shared store.
    pub instance: String,
    tasks: Mutex<HashMap<String, Arc<Watched>>>,
    streams: Arc<Semaphore>,
    per_client: Arc<ClientSlots>,
    /// Set when the process begins to stop: every stream ends (see [`Live::close_streams`]).
    closing: watch::Sender<bool>,
}

/// A stream's hold on its task and its places under the caps; let go when dropped.
pub struct Watching {
    live: Arc<Live>,
    pub watched: Arc<Watched>,
    _places: (OwnedSemaphorePermit, ClientSlot),
}

impl Drop for Watching {
    fn drop(&mut self) {
        {
            let mut state = self.watched.state();
            state.watchers -= 1;
            state.last_watched = Some(Instant::now());
        }
        self.live.release(&self.watched);
    }
}

impl Live {
    pub fn new(config: LiveConfig) -> Live {
        Live {
            streams: Arc::new(Semaphore::new(config.max_streams)),
            per_client: Arc::new(ClientSlots::new(config.max_streams_per_client)),
            tasks: Mutex::new(HashMap::new()),
            closing: watch::channel(false).0,
            instance: format!("{:016x}", crate::wire::random_u64()),
            config,
        }
    }

    fn tasks(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Watched>>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more stream from `client`, or why there is none.
    pub fn places(&self, client: IpAddr) -> Result<(OwnedSemaphorePermit, ClientSlot), Full> {
        let slot = self
            .per_client
            .take(client)
            .ok_or(Full::Client(self.config.max_streams_per_client))?;
        let permit = self
            .streams
            .clone()
            .try_acquire_owned()
            .map_err(|_| Full::Total(self.config.max_streams))?;
        Ok((permit, slot))
    }

    /// A stream starts watching the task `record` describes; the second value is true when
    /// the caller has to start its poller (nobody follows it here yet and it has not ended).
    pub async fn watch(
        self: &Arc<Self>,
        store: &Store,
        record: &TaskRecord,
        places: (OwnedSemaphorePermit, ClientSlot),
    ) -> (Watching, bool) {
        let watched = self
            .tasks()
            .entry(record.task_id.clone())
            .or_insert_with(|| Arc::new(Watched::new(&record.task_id)))
            .clone();
        {
            let mut state = watched.state();
            state.watchers += 1;
            state.last_watched = Some(Instant::now());
        }
        let watching = Watching {
            live: self.clone(),
            watched: watched.clone(),
            _places: places,
        };
        if watched.latest() == 0 {
            if let Some(redis) = store.shared() {
                shared::load(redis, &watched).await;
            }
            if watched.latest() == 0 {
                self.publish(store, record, 0).await;
            }
        }
        let start = {
            let mut state = watched.state();
            let ended = state.history.last().is_some_and(|c| c.terminal);
            let start = !state.polling && !ended;
            state.polling |= start;
            start
        };
        (watching, start)
    }

    /// Ends every stream, now and from now on: the process is stopping. A stream has no end of
    /// its own before its task's, so a graceful stop would otherwise hold it for its whole grace,
    /// and send ends meanwhile from a process that no longer takes connections (the result links
    /// they carry could not be fetched from it). Clients reconnect with `Last-Event-ID`, to the
    /// next process or another instance.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once the process is stopping.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// The task, if this instance watches it.
    pub fn watched(&self, task_id: &str) -> Option<Arc<Watched>> {
        self.tasks().get(task_id).cloned()
    }

    /// Every task watched here.
    pub fn all_watched(&self) -> Vec<Arc<Watched>> {
        self.tasks().values().cloned().collect()
    }

    /// A task's recorded state changed: its streams get it, on every instance sharing the
    /// store. `refused_links`: result links the core left out of it (not web addresses).
    pub async fn publish(&self, store: &Store, record: &TaskRecord, refused_links: u32) {
        let Some(last) = &record.last else {
            return;
        };
        let json = change_json(last, refused_links);
        let Some(redis) = store.shared() else {
            if let Some(watched) = self.watched(&record.task_id) {
                watched.insert(None, json.into());
            }
            return;
        };
        match redis
            .append_event(&record.task_id, &json, 2 * HISTORY)
            .await
        {
            Ok(Some(seq)) => {
                if let Some(watched) = self.watched(&record.task_id) {
                    watched.put(seq, &json);
                }
            }
            Ok(None) => {}
            Err(down) => tracing::warn!("a status change was not shared: {}", down.0),
        }
    }

    /// The poller of `watched` has stopped.
    pub fn stopped(&self, watched: &Arc<Watched>) {
        watched.state().polling = false;
        self.release(watched);
    }

    /// Forgets a task nobody watches and nobody follows.
    fn release(&self, watched: &Arc<Watched>) {
        let mut tasks = self.tasks();
        let state = watched.state();
        if state.watchers == 0 && !state.polling {
            if let Some(known) = tasks.get(&watched.task_id) {
                if Arc::ptr_eq(known, watched) {
                    tasks.remove(&watched.task_id);
                }
            }
        }
    }

    /// Tasks held in memory now (for tests of boundedness).
    pub fn watched_count(&self) -> usize {
        self.tasks().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(status: &str, updated: i64) -> TaskData {
        TaskData {
            task_id: "t1".into(),
            task_status: status.into(),
            task_status_msg: None,
            task_info: None,
            final_unit_deduction: None,
            watermark_info: None,
            created_at: 1,
            updated_at: updated,
            task_result: None,
        }
    }

    #[test]
    fn changes_are_numbered_and_repeats_are_not_changes() {
        let w = Watched::new("t1");
        assert!(w.after(0).is_none());
        assert!(w.push(&data("submitted", 1)));
        assert!(!w.push(&data("submitted", 1)), "the same state again");
        assert!(w.push(&data("processing", 2)));
        assert_eq!(w.after(0).unwrap().seq, 1);
        assert_eq!(w.after(1).unwrap().seq, 2);
        assert!(w.after(2).is_none(), "nothing new yet");
        assert!(w.push(&data("succeed", 3)));
        assert!(!w.push(&data("processing", 4)), "nothing after the end");
        let last = w.after(2).unwrap();
        assert_eq!((last.seq, last.terminal), (3, true));
        assert_eq!(
            w.after(3).unwrap().seq,
            3,
            "the end is said again to a late stream"
        );
        assert!(last
            .answer()
            .starts_with(r#"{"code":0,"message":"SUCCEED","data":{"#));
    }

    #[test]
    fn an_id_from_an_earlier_history_gets_the_latest_state() {
        let w = Watched::new("t1");
        w.push(&data("processing", 2));
        assert_eq!(w.after(7).unwrap().seq, 1);
        assert!(w.after(1).is_none());
    }

    #[test]
    fn a_change_says_how_many_result_links_were_left_out() {
        let w = Watched::new("t1");
        assert!(!change_json(&data("succeed", 3), 0).contains("refused_links"));
        assert!(w.insert(None, change_json(&data("succeed", 3), 2).into()));
        let change = w.after(0).unwrap();
        assert!(change.terminal, "still read as the task's data");
        let answer: serde_json::Value = serde_json::from_str(&change.answer()).unwrap();
        assert_eq!(answer["data"]["refused_links"], 2);
        assert_eq!(answer["data"]["task_status"], "succeed");
    }

    #[test]
    fn history_is_bounded() {
        let w = Watched::new("t1");
        for i in 0..100 {
            w.push(&data("processing", i));
        }
        assert_eq!(w.state().history.len(), HISTORY);
        assert_eq!(w.after(0).unwrap().seq, 100 - HISTORY as u64 + 1);
    }
}
