#!/usr/bin/env bash
# Benchmarks of the proxy, on loopback only (figures go in crates/proxy/BENCHMARKS.md).
#   1. query forwarding at 200 connections: wrk against the upstream directly, then through a
#      forwarding proxy (requests per second, p50/p99 latency);
#   2. peak memory (VmHWM) with 20 concurrent ~14 MB creates, local engine and forwarding;
#   3. the local engine's picture work: one 3x expansion of a 1-megapixel picture.
# Needs wrk and curl. Run from the repository root: bash crates/proxy/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION=${DURATION:-15s}
cargo build --release --quiet -p kling-expand-proxy --bins --examples
BIN=target/release/kling-expand-proxy
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

start() { # name, args...: starts the proxy, waits for its URL, sets $URL and $PID
  local name=$1; shift
  "$BIN" --listen 127.0.0.1:0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!; PIDS+=("$PID")
  for _ in $(seq 100); do
    if [ -s "$WORK/$name.out" ]; then break; fi
    sleep 0.1
  done
  URL=$(sed -n 's/^kling-expand-proxy listening on //p' "$WORK/$name.out")
}
peak_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

target/release/examples/bench_payload "$WORK/create.json" >/dev/null
echo "payload: $(stat -c %s "$WORK/create.json") bytes"

echo "== 1. query forwarding, $DURATION per run"
start engine --provider local --data-dir "$WORK/engine" --rate-limit 0 \
  --engine-submitted 0 --engine-processing 0
ENGINE_URL=$URL; ENGINE_PID=$PID
TASK=$(curl -s -H 'content-type: application/json' --data-binary @"$WORK/create.json" \
  "$ENGINE_URL/api/kling/v1/images/editing/expand" | sed -n 's/.*"task_id":"\([0-9]*\)".*/\1/p')
sleep 2
KLING_API_KEY=bench-key start forwarder --provider kling --upstream "$ENGINE_URL/api/kling" --rate-limit 0
FORWARD_URL=$URL; FORWARD_PID=$PID
QUERY=/api/kling/v1/images/editing/expand/$TASK
curl -s "$FORWARD_URL$QUERY" | head -c 200; echo
for CONNECTIONS in 200 10; do
  echo "-- $CONNECTIONS connections, direct to the upstream (local engine)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$ENGINE_URL$QUERY" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
  echo "-- $CONNECTIONS connections, through the forwarding proxy"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$FORWARD_URL$QUERY" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
done
echo "forwarder peak RSS after the run: $(peak_mb $FORWARD_PID) MB"

echo "== 2. memory with 20 concurrent ~14 MB creates"
start engine2 --provider local --data-dir "$WORK/engine2" --rate-limit 0 \
  --engine-submitted 0 --engine-processing 0
E2_URL=$URL; E2_PID=$PID
echo "local engine idle: RSS $(rss_mb $E2_PID) MB"
for i in $(seq 20); do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
    --data-binary @"$WORK/create.json" "$E2_URL/api/kling/v1/images/editing/expand" &
done | sort | uniq -c
sleep 1
echo "local engine after 20 creates (bodies, checks, storage): peak RSS $(peak_mb $E2_PID) MB"
# The engine then expands the 20 pictures; wait for that to finish too.
sleep 15
echo "local engine after expanding them too: peak RSS $(peak_mb $E2_PID) MB"

# Forwarding: the upstream is the engine above; only the forwarder's own memory is measured
# (it streams bodies through instead of buffering them).
KLING_API_KEY=bench-key start forwarder2 --provider kling --upstream "$E2_URL/api/kling" --rate-limit 0
F2_URL=$URL; F2_PID=$PID
echo "forwarder idle: RSS $(rss_mb $F2_PID) MB"
for i in $(seq 20); do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
    --data-binary @"$WORK/create.json" "$F2_URL/api/kling/v1/images/editing/expand" &
done | sort | uniq -c
echo "forwarder after 20 concurrent creates: peak RSS $(peak_mb $F2_PID) MB"

echo "== 3. local engine picture work, one core"
target/release/examples/expand_bench
