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
#      below saturation, with a fourth proxy (--auth none on Redis): the four run throughout
#      and are measured interleaved, ROUNDS (default 15) rounds of one SECONDS_PER_RUN (default
#      3) run each, and the medians over rounds are reported.
# Needs wrk, curl and redis-server. Run from the repository root: bash crates/proxy/bench/run.sh
# SECTIONS="4b" (a list among 1 2 3 4 4b) runs only those. Builds into CARGO_TARGET_DIR when set.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION=${DURATION:-15s}
cargo build --release --quiet -p kling-expand-proxy --bins --examples
# The proxy binary, a work directory, start/peak_mb/rss_mb.
source crates/proxy/bench/lib.sh
want() { [ -z "${SECTIONS:-}" ] || [[ " $SECTIONS " == *" $1 "* ]]; }

"$RELEASE/examples/bench_payload" "$WORK/create.json" >/dev/null
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
"$RELEASE/examples/expand_bench"
fi

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
PIDS+=("$!")
sleep 0.5
export KLING_EXPAND_TOKEN_SECRET=bench-secret-of-at-least-32-bytes-long
TOKEN=$("$BIN" token --sub bench --ttl 1h)
access_proxy() { # label, args...: a local engine proxy with one finished task made through it;
  # sets $URL, $PID and $QUERY_URL (that task's query)
  local label=$1; shift
  KLING_PROXY_LOG=warn start "access-$label" --provider local --data-dir "$WORK/access-$label" --rate-limit 0 \
    --engine-submitted 0 --engine-processing 0 --max-connections-per-client 1000 "$@"
  local task
  task=$(curl -s -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    --data-binary @"$WORK/create.json" "$URL/api/kling/v1/images/editing/expand" \
    | sed -n 's/.*"task_id":"\([0-9]*\)".*/\1/p')
  QUERY_URL=$URL/api/kling/v1/images/editing/expand/$task
  for _ in $(seq 50); do
    if curl -s -H "authorization: Bearer $TOKEN" "$QUERY_URL" | grep -q '"task_status":"succeed"'; then
      return
    fi
    sleep 0.2
  done
  echo "the task of $label did not succeed" >&2
  exit 1
}
if want 4; then
echo "== 4. the access layers on a query, 200 connections, $DURATION per run"
for round in 1 2; do
  for proxy in "none --auth none" "token-embedded --auth token" \
    "token-redis --auth token --state redis://127.0.0.1:$REDIS_PORT"; do
    set -- $proxy
    access_proxy "$1-$round" "${@:2}"
    echo "-- $1"
    wrk -t2 -c200 -d"$DURATION" --latency -H "authorization: Bearer $TOKEN" "$QUERY_URL" \
      | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
    kill "$PID"
  done
done
fi

want 4b || exit 0
echo "== 4b. the access layers at a constant rate, 200 connections, ${RATE:-2000} requests/s"
# The four proxies run throughout and are measured interleaved (access_bench rotates their
# order every round), so that the machine's background load, which drifts, falls on all four
# alike; what is compared is the median over rounds, and the median of each round's own
# difference. `none-redis` separates what the shared store costs from what the token layers cost.
TARGETS=()
RATE_PIDS=()
for proxy in "none --auth none" "token-embedded --auth token" \
  "none-redis --auth none --state redis://127.0.0.1:$REDIS_PORT" \
  "token-redis --auth token --state redis://127.0.0.1:$REDIS_PORT"; do
  set -- $proxy
  access_proxy "rate-$1" "${@:2}"
  TARGETS+=("$1=$QUERY_URL")
  RATE_PIDS+=("$PID")
done
"$RELEASE/examples/access_bench" --rate "${RATE:-2000}" --connections 200 \
  --seconds "${SECONDS_PER_RUN:-3}" --rounds "${ROUNDS:-15}" --token "$TOKEN" \
  --diff token-embedded:none --diff none-redis:none --diff token-redis:none-redis \
  --diff token-redis:none "${TARGETS[@]}"
kill "${RATE_PIDS[@]}"
