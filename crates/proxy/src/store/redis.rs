//! The Redis store (redis-rs, one multiplexed connection that reconnects by itself): every
//! instance behind a load balancer enforces the same counts and answers any task.
//!
//! Keys, all under `kling-expand:`: `count:<name>` (INCRBY, expiring when the count resets),
//! `flight:<owner>` (a sorted set of running creates scored by when they stop counting),
//! `claim:<owner>:<external id>` and `task:<id>` (JSON, 30 days), `owner:<owner>` (the owner's
//! task ids scored by creation time), `events:<task>` (the task's status changes, a list whose
//! index is the event id) published on `kling-expand:status:<task>`, and `lease:<task>` (the
//! one instance that follows the task upstream, with an expiry). A spend is one Lua script, so
//! two instances can never both take the last unit of a count.

use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, Script};

use super::{Claim, StoreDown, StoreResult, TaskRecord, RECORD_TTL_MS};
use crate::access::quota::{Exceeded, Spend};
use crate::secret::Secret;

const PREFIX: &str = "kling-expand:";
/// The longest one store operation may take before the request fails closed.
const OP_TIMEOUT: Duration = Duration::from_millis(1500);

/// Checks every count, then counts them all; answers `{0, 0}` or `{i, used}` for the first
/// count `i` (1-based; `k + 1` is the flight set) that would go over its limit.
const SPEND: &str = r"
local k = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
for i = 1, k do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used + tonumber(ARGV[3 * i + 1]) > tonumber(ARGV[3 * i]) then
    return {i, used}
  end
end
if #KEYS > k then
  local f = k + 1
  local base = 3 * k + 3
  redis.call('ZREMRANGEBYSCORE', KEYS[f], '-inf', now)
  local running = redis.call('ZCARD', KEYS[f])
  if running >= tonumber(ARGV[base]) then
    return {f, running}
  end
  redis.call('ZADD', KEYS[f], tonumber(ARGV[base + 2]), ARGV[base + 1])
  redis.call('PEXPIREAT', KEYS[f], tonumber(ARGV[base + 2]))
end
for i = 1, k do
  redis.call('INCRBY', KEYS[i], tonumber(ARGV[3 * i + 1]))
  redis.call('PEXPIREAT', KEYS[i], tonumber(ARGV[3 * i + 2]))
end
return {0, 0}
";

/// Gives back what a spend counted (never below zero).
const REFUND: &str = r"
local k = tonumber(ARGV[1])
for i = 1, k do
  local left = redis.call('DECRBY', KEYS[i], tonumber(ARGV[1 + i]))
  if left < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
end
if #KEYS > k then redis.call('ZREM', KEYS[k + 1], ARGV[k + 2]) end
return 0
";

/// Appends a task's change to its list of events unless it is the latest already, and
/// publishes it with its number: `{n}` (0 when nothing was appended).
const APPEND_EVENT: &str = r"
local last = redis.call('LINDEX', KEYS[1], -1)
if last == ARGV[1] then return 0 end
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('PUBLISH', KEYS[2], n .. ' ' .. ARGV[1])
return n
";

/// Takes or renews the lease on following a task: 1 if `ARGV[1]` holds it now.
const LEASE: &str = r"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
";

/// Gives the lease up if `ARGV[1]` holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
";

/// How long a task's events are kept.
const EVENTS_TTL_MS: i64 = 86_400_000;

/// The channel status changes are published on (`<task id>` appended).
pub const STATUS_CHANNEL: &str = "kling-expand:status:";

pub struct RedisStore {
    client: Client,
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    spend: Script,
    refund: Script,
    append_event: Script,
    lease: Script,
    release: Script,
}

fn down(error: impl std::fmt::Display) -> StoreDown {
    StoreDown(format!("Redis: {error}"))
}

fn key(kind: &str) -> String {
    format!("{PREFIX}{kind}")
}

impl RedisStore {
    pub fn new(url: &Secret) -> Result<RedisStore, String> {
        let client = Client::open(url.expose())
            .map_err(|_| "--state is not a valid redis:// URL".to_owned())?;
        Ok(RedisStore {
            client,
            connection: tokio::sync::Mutex::new(None),
            spend: Script::new(SPEND),
            refund: Script::new(REFUND),
            append_event: Script::new(APPEND_EVENT),
            lease: Script::new(LEASE),
            release: Script::new(RELEASE),
        })
    }

    /// The client, for a subscriber connection of its own.
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Appends a change (at most `max` per task) and publishes it; its number, or `None` when
    /// it is the latest already.
    pub async fn append_event(
        &self,
        task_id: &str,
        data: &str,
        max: usize,
    ) -> StoreResult<Option<u64>> {
        let mut invocation = self.append_event.prepare_invoke();
        invocation
            .key(key(&format!("events:{task_id}")))
            .key(format!("{STATUS_CHANNEL}{task_id}"))
            .arg(data)
            .arg(EVENTS_TTL_MS)
            .arg(max);
        let n: u64 = self
            .twice(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok((n > 0).then_some(n))
    }

    /// A task's changes, the first numbered 1.
    pub async fn events(&self, task_id: &str) -> StoreResult<Vec<String>> {
        let mut command = ::redis::cmd("LRANGE");
        command
            .arg(key(&format!("events:{task_id}")))
            .arg(0)
            .arg(-1);
        self.run(command).await
    }

    /// Takes or renews the lease on following `task_id` for `holder`; true if held.
    pub async fn lease(&self, task_id: &str, holder: &str, ms: u64) -> StoreResult<bool> {
        let mut invocation = self.lease.prepare_invoke();
        invocation
            .key(key(&format!("lease:{task_id}")))
            .arg(holder)
            .arg(ms);
        let held: i64 = self
            .twice(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok(held == 1)
    }

    pub async fn release(&self, task_id: &str, holder: &str) -> StoreResult<()> {
        let mut invocation = self.release.prepare_invoke();
        invocation.key(key(&format!("lease:{task_id}"))).arg(holder);
        self.twice(|mut connection| {
            let invocation = &invocation;
            async move { invocation.invoke_async::<i64>(&mut connection).await }
        })
        .await
        .map(drop)
    }

    async fn connection(&self) -> StoreResult<ConnectionManager> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = &*slot {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(OP_TIMEOUT)
            .set_response_timeout(OP_TIMEOUT)
            .set_number_of_retries(1);
        let connection = tokio::time::timeout(
            OP_TIMEOUT * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| down("no answer"))?
        .map_err(down)?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    async fn run<T: ::redis::FromRedisValue>(&self, command: ::redis::Cmd) -> StoreResult<T> {
        self.twice(|mut connection| {
            let command = command.clone();
            async move { command.query_async::<T>(&mut connection).await }
        })
        .await
    }

    /// Runs `op` on the connection; once more if the connection had dropped (a restarted
    /// server: the first command after it finds the old socket closed, and the manager
    /// reconnects). A dropped connection means the command was not run, so a spend is never
    /// counted twice by this.
    async fn twice<T, F, Fut>(&self, op: F) -> StoreResult<T>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = ::redis::RedisResult<T>>,
    {
        for attempt in 0..2 {
            let connection = self.connection().await?;
            match tokio::time::timeout(OP_TIMEOUT, op(connection)).await {
                Err(_) => return Err(down("no answer")),
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(error)) if attempt == 0 && error.is_connection_dropped() => continue,
                Ok(Err(error)) => return Err(down(error)),
            }
        }
        Err(down("the connection dropped"))
    }

    pub async fn spend(&self, spend: &Spend, now_ms: i64) -> StoreResult<Result<(), Exceeded>> {
        let mut invocation = self.spend.prepare_invoke();
        for counter in &spend.counters {
            invocation.key(key(&format!("count:{}", counter.key)));
        }
        if let Some(flight) = &spend.in_flight {
            invocation.key(key(&flight.key));
        }
        invocation.arg(spend.counters.len()).arg(now_ms);
        for counter in &spend.counters {
            invocation
                .arg(counter.limit)
                .arg(counter.add)
                .arg(counter.resets_at_ms);
        }
        if let Some(flight) = &spend.in_flight {
            invocation
                .arg(flight.limit)
                .arg(&flight.member)
                .arg(flight.hold_until_ms);
        }
        let (index, used): (usize, u32) = self
            .twice(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok(match index {
            0 => Ok(()),
            i if i <= spend.counters.len() => Err(Exceeded::Counter {
                counter: spend.counters[i - 1].clone(),
                used,
            }),
            _ => Err(Exceeded::InFlight {
                limit: spend.in_flight.as_ref().map_or(0, |f| f.limit),
            }),
        })
    }

    pub async fn refund(&self, spend: &Spend) -> StoreResult<()> {
        let mut invocation = self.refund.prepare_invoke();
        for counter in &spend.counters {
            invocation.key(key(&format!("count:{}", counter.key)));
        }
        if let Some(flight) = &spend.in_flight {
            invocation.key(key(&flight.key));
        }
        invocation.arg(spend.counters.len());
        for counter in &spend.counters {
            invocation.arg(counter.add);
        }
        if let Some(flight) = &spend.in_flight {
            invocation.arg(&flight.member);
        }
        self.twice(|mut connection| {
            let invocation = &invocation;
            async move { invocation.invoke_async::<i64>(&mut connection).await }
        })
        .await?;
        Ok(())
    }

    pub async fn land(&self, flight_key: &str, member: &str) -> StoreResult<()> {
        let mut command = ::redis::cmd("ZREM");
        command.arg(key(flight_key)).arg(member);
        self.run::<i64>(command).await.map(drop)
    }

    pub async fn put_claim(&self, claim: &Claim) -> StoreResult<()> {
        let mut command = ::redis::cmd("SET");
        command
            .arg(key(&format!(
                "claim:{}:{}",
                claim.owner, claim.external_task_id
            )))
            .arg(serde_json::to_string(claim).map_err(down)?)
            .arg("PX")
            .arg(RECORD_TTL_MS);
        self.run::<()>(command).await
    }

    pub async fn claim(&self, owner: &str, external_task_id: &str) -> StoreResult<Option<Claim>> {
        let mut command = ::redis::cmd("GET");
        command.arg(key(&format!("claim:{owner}:{external_task_id}")));
        let text: Option<String> = self.run(command).await?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    pub async fn put_task(&self, record: &TaskRecord) -> StoreResult<()> {
        let mut pipe = ::redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(key(&format!("task:{}", record.task_id)))
            .arg(serde_json::to_string(record).map_err(down)?)
            .arg("PX")
            .arg(RECORD_TTL_MS)
            .ignore()
            .cmd("ZADD")
            .arg(key(&format!("owner:{}", record.owner)))
            .arg(record.created_ms)
            .arg(&record.task_id)
            .ignore()
            .cmd("PEXPIRE")
            .arg(key(&format!("owner:{}", record.owner)))
            .arg(RECORD_TTL_MS)
            .ignore();
        self.twice(|mut connection| {
            let pipe = &pipe;
            async move { pipe.query_async::<()>(&mut connection).await }
        })
        .await?;
        if let Some(external) = &record.external_task_id {
            if let Some(mut claim) = self.claim(&record.owner, external).await? {
                if claim.task_id.as_deref() != Some(&record.task_id) {
                    claim.task_id = Some(record.task_id.clone());
                    self.put_claim(&claim).await?;
                }
            }
        }
        Ok(())
    }

    pub async fn task(&self, task_id: &str) -> StoreResult<Option<TaskRecord>> {
        let mut command = ::redis::cmd("GET");
        command.arg(key(&format!("task:{task_id}")));
        let text: Option<String> = self.run(command).await?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    pub async fn tasks_of(
        &self,
        owner: &str,
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<TaskRecord>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut command = ::redis::cmd("ZREVRANGE");
        command
            .arg(key(&format!("owner:{owner}")))
            .arg(offset)
            .arg(offset + limit - 1);
        let ids: Vec<String> = self.run(command).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut command = ::redis::cmd("MGET");
        for id in &ids {
            command.arg(key(&format!("task:{id}")));
        }
        let texts: Vec<Option<String>> = self.run(command).await?;
        Ok(texts
            .into_iter()
            .flatten()
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect())
    }
}
