//! The proxy's state: spending counters, tasks in flight, and which caller owns which task.
//!
//! Two stores behind one type: an embedded one (a log file under `--data-dir`, replayed at
//! start, for one instance) and Redis (`--state redis://…`, shared by every instance behind a
//! load balancer). Every spend is checked and counted in one atomic step (a Lua script on
//! Redis, one lock in the embedded store). A store that cannot be reached is
//! [`StoreDown`]: creates then fail closed (503) and nothing is forwarded.
//!
//! Live task status uses the same Redis (see `live`): each status change is appended to the
//! task's list of events and published (`kling-expand:status:<task>`), and one instance holds a
//! per-task lease (`kling-expand:lease:<task>`, with an expiry) to be the only one following
//! that task upstream. With the embedded store, all of it stays in the one process.

mod embedded;
mod redis;

use std::path::Path;

use kling_expand_core::dialect::kling::TaskData;
use kling_expand_core::dialect::Dialect;
use serde::{Deserialize, Serialize};

use crate::access::quota::{Exceeded, Spend};
use crate::secret::Secret;

pub use self::redis::{RedisStore, STATUS_CHANNEL};
pub use embedded::Embedded;

/// How long task records and claims are kept: as long as providers keep results.
pub const RECORD_TTL_MS: i64 = 30 * 86_400_000;

/// The store could not be reached or answered garbage.
#[derive(Clone, Debug)]
pub struct StoreDown(pub String);

pub type StoreResult<T> = Result<T, StoreDown>;

/// A create the proxy sent for `owner` with this external id, whatever came of it: the owner
/// may look the task up by that id, and the first answer naming the task records it as theirs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub owner: String,
    /// The id as the caller sent it (the upstream sees it namespaced).
    pub external_task_id: String,
    pub dialect: Dialect,
    pub n: u32,
    pub created_ms: i64,
    /// The create's place among the owner's tasks in flight.
    pub flight: Option<String>,
    /// Set once an answer named the task.
    pub task_id: Option<String>,
}

/// A task the proxy created, and what it last relayed about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub task_id: String,
    pub owner: String,
    /// As the caller sent it (un-namespaced).
    pub external_task_id: Option<String>,
    pub dialect: Dialect,
    pub created_ms: i64,
    pub n: u32,
    /// The task's place among the owner's tasks in flight, until it ends.
    pub flight: Option<String>,
    /// The last state relayed to the owner (status and result links), in Kling's shape.
    pub last: Option<TaskData>,
}

/// One of the two stores.
pub enum Store {
    Embedded(Embedded),
    Redis(RedisStore),
}

impl Store {
    /// The embedded store, under `dir`.
    pub fn embedded(dir: &Path) -> std::io::Result<Store> {
        Embedded::open(&dir.join("access")).map(Store::Embedded)
    }

    /// Redis at `url`; the connection is made on first use (and again after a loss).
    pub fn redis(url: &Secret) -> Result<Store, String> {
        RedisStore::new(url).map(Store::Redis)
    }

    /// Checks every count of `spend` and, if all stay within their limits, counts them all.
    pub async fn spend(&self, spend: &Spend, now_ms: i64) -> StoreResult<Result<(), Exceeded>> {
        match self {
            Store::Embedded(s) => Ok(s.spend(spend, now_ms)),
            Store::Redis(s) => s.spend(spend, now_ms).await,
        }
    }

    /// Gives back what `spend` counted (a create the provider refused made nothing).
    pub async fn refund(&self, spend: &Spend) -> StoreResult<()> {
        match self {
            Store::Embedded(s) => {
                s.refund(spend);
                Ok(())
            }
            Store::Redis(s) => s.refund(spend).await,
        }
    }

    /// A task ended: it no longer counts as in flight.
    pub async fn land(&self, flight_key: &str, member: &str) -> StoreResult<()> {
        match self {
            Store::Embedded(s) => {
                s.land(flight_key, member);
                Ok(())
            }
            Store::Redis(s) => s.land(flight_key, member).await,
        }
    }

    pub async fn put_claim(&self, claim: &Claim) -> StoreResult<()> {
        match self {
            Store::Embedded(s) => {
                s.put_claim(claim);
                Ok(())
            }
            Store::Redis(s) => s.put_claim(claim).await,
        }
    }

    pub async fn claim(&self, owner: &str, external_task_id: &str) -> StoreResult<Option<Claim>> {
        match self {
            Store::Embedded(s) => Ok(s.claim(owner, external_task_id)),
            Store::Redis(s) => s.claim(owner, external_task_id).await,
        }
    }

    /// Records (or updates) a task; with an external id, its claim names the task from now on.
    pub async fn put_task(&self, record: &TaskRecord) -> StoreResult<()> {
        match self {
            Store::Embedded(s) => {
                s.put_task(record);
                Ok(())
            }
            Store::Redis(s) => s.put_task(record).await,
        }
    }

    pub async fn task(&self, task_id: &str) -> StoreResult<Option<TaskRecord>> {
        match self {
            Store::Embedded(s) => Ok(s.task(task_id)),
            Store::Redis(s) => s.task(task_id).await,
        }
    }

    /// The owner's tasks, newest first.
    pub async fn tasks_of(
        &self,
        owner: &str,
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<TaskRecord>> {
        match self {
            Store::Embedded(s) => Ok(s.tasks_of(owner, offset, limit)),
            Store::Redis(s) => s.tasks_of(owner, offset, limit).await,
        }
    }
}

impl Store {
    /// The Redis store, when the state is shared by several instances.
    pub fn shared(&self) -> Option<&RedisStore> {
        match self {
            Store::Embedded(_) => None,
            Store::Redis(s) => Some(s),
        }
    }
}

/// The flight key of an owner (see `quota::SpendingLimits::spend`).
pub fn flight_key(owner: &str) -> String {
    format!("flight:{owner}")
}
