#!/usr/bin/env bash
# Benchmarks of the proxy, on loopback only (figures go in crates/proxy/BENCHMARKS.md).
#   1. query forwarding at 200 connections: wrk against the upstream directly, then through a
#      forwarding proxy (requests per second, p50/p99 latency);
#   2. peak memory (VmHWM) with 20 concurrent ~14 MB creates, and with slow clients beside a
#      normal one, local engine and forwarding (bench/memory.sh);
#   3. the local engine's picture work: one 3x expansion of a 1-megapixel picture;
#   4. what the access layers add to a query at 200 connections: --auth none, then --auth token
#      with the embedded store, then with Redis (a redis-server started here): (a) wrk, as fast
#      as the answers come (a saturated machine), (b) examples/access_bench, a constant rate
#      below saturation, the three proxies in turn, three rounds.
# Needs wrk, curl and redis-server. Run from the repository root: bash crates/proxy/bench/run.sh
# SECTIONS="4b" (a list among 1 2 3 4 4b) runs only those.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION=${DURATION:-15s}
cargo build --release --quiet -p kling-expand-proxy --bins --examples
# The proxy binary, a work directory, start/peak_mb/rss_mb.
source crates/proxy/bench/lib.sh
want() { [ -z "${SECTIONS:-}" ] || [[ " $SECTIONS " == *" $1 "* ]]; }

target/release/examples/bench_payload "$WORK/create.json" >/dev/null
echo "payload: $(stat -c %s "$WORK/create.json") bytes"

if want 1; then
echo "== 1. query forwarding, $DURATION per run"
start engine --provider local --data-dir "$WORK/engine" --rate-limit 0 \
  --engine-submitted 0 --engine-processing 0
ENGINE_URL=$URL; ENGINE_PID=$PID
TASK=$(curl -s -H 'content-type: application/json' --data-binary @"$WORK/create.json" \
  "$ENGINE_URL/api/kling/v1/images/editing/expand" | sed -n 's/.*"task_id":"\([0-9]*\)".*/\1/p')
sleep 2
KLING_API_KEY=bench-key start forwarder --provider kling --upstream "$ENGINE_URL/api/kling" --rate-limit 0 \
  --auth none --data-dir "$WORK/forwarder"
FORWARD_URL=$URL; FORWARD_PID=$PID
# The forwarder answers only tasks it made: make one through it.
TASK=$(curl -s -H 'content-type: application/json' --data-binary @"$WORK/create.json" \
  "$FORWARD_URL/api/kling/v1/images/editing/expand" | sed -n 's/.*"task_id":"\([0-9]*\)".*/\1/p')
sleep 2
QUERY=/api/kling/v1/images/editing/expand/$TASK
curl -s "$FORWARD_URL$QUERY" | head -c 200; echo
for CONNECTIONS in 200 10; do
  echo "-- $CONNECTIONS connections, direct to the upstream (local engine)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$ENGINE_URL$QUERY" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
  echo "-- $CONNECTIONS connections, through the forwarding proxy"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$FORWARD_URL$QUERY" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
done
echo "forwarder peak RSS after the run: $(peak_mb $FORWARD_PID) MB"
fi

if want 2; then
echo "== 2. memory of create bodies"
bash crates/proxy/bench/memory.sh
fi

if want 3; then
echo "== 3. local engine picture work, one core"
target/release/examples/expand_bench
fi

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
PIDS+=("$!")
sleep 0.5
export KLING_EXPAND_TOKEN_SECRET=bench-secret-of-at-least-32-bytes-long
TOKEN=$("$BIN" token --sub bench --ttl 1h)
access_run() { # label, args...: a local engine proxy, one task made through it, wrk on its query
  local label=$1; shift
  KLING_PROXY_LOG=warn start "access-$label" --provider local --data-dir "$WORK/access-$label" --rate-limit 0 \
    --engine-submitted 0 --engine-processing 0 --max-connections-per-client 1000 "$@"
  local task
  task=$(curl -s -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    --data-binary @"$WORK/create.json" "$URL/api/kling/v1/images/editing/expand" \
    | sed -n 's/.*"task_id":"\([0-9]*\)".*/\1/p')
  sleep 2
  echo "-- $label"
  wrk -t2 -c200 -d"$DURATION" --latency -H "authorization: Bearer $TOKEN" \
    "$URL/api/kling/v1/images/editing/expand/$task" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
  kill "$PID"
}
if want 4; then
echo "== 4. the access layers on a query, 200 connections, $DURATION per run"
for round in 1 2; do
  access_run "none-$round" --auth none
  access_run "token-embedded-$round" --auth token
  access_run "token-redis-$round" --auth token --state "redis://127.0.0.1:$REDIS_PORT"
done
fi

want 4b || exit 0
echo "== 4b. the access layers at a constant rate, 200 connections, ${RATE:-2000} requests/s"
access_rate() { # label, args...: as access_run, with access_bench's constant rate instead of wrk
  local label=$1; shift
  KLING_PROXY_LOG=warn start "rate-$label" --provider local --data-dir "$WORK/rate-$label" --rate-limit 0 \
    --engine-submitted 0 --engine-processing 0 --max-connections-per-client 1000 "$@"
  local task
  task=$(curl -s -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    --data-binary @"$WORK/create.json" "$URL/api/kling/v1/images/editing/expand" \
    | sed -n 's/.*"task_id":"\([0-9]*\)".*/\1/p')
  sleep 2
  echo "-- $label $(target/release/examples/access_bench "$URL/api/kling/v1/images/editing/expand/$task" \
    "${RATE:-2000}" 200 "${SECONDS_PER_RUN:-15}" "$TOKEN")"
  kill "$PID"
}
# ROUNDS (default 3) rounds of the four proxies in turn; `none-redis` separates what the shared
# store costs from what the token layers cost.
for round in $(seq 1 "${ROUNDS:-3}"); do
  access_rate "none-$round" --auth none
  access_rate "token-embedded-$round" --auth token
  access_rate "none-redis-$round" --auth none --state "redis://127.0.0.1:$REDIS_PORT"
  access_rate "token-redis-$round" --auth token --state "redis://127.0.0.1:$REDIS_PORT"
done
