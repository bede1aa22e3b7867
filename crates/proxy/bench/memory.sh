#!/usr/bin/env bash
# Memory of create bodies (section 2 of crates/proxy/BENCHMARKS.md), local engine and
# forwarding proxy, peak RSS (VmHWM) of each process:
#   a. 20 concurrent ~14 MB creates;
#   b. slow clients: SLOW (default 40) clients from 4 loopback addresses trickling ~14 MB
#      create bodies at 20 KB/s, while a normal client sends five 14 MB creates one after
#      another: how long each of those takes (and three without the slow clients, before
#      them), and the peak memory.
# Needs curl. Run from the repository root after a release build (run.sh builds first):
#   bash crates/proxy/bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
SLOW=${SLOW:-40}
# The proxy binary, a work directory, start/peak_mb/rss_mb.
source crates/proxy/bench/lib.sh
UNLIMITED=(--rate-limit 0 --creates-per-period 0 --images-per-period 0 --max-in-flight 0 --daily-budget 0)
CREATE=/api/kling/v1/images/editing/expand

"$RELEASE/examples/bench_payload" "$WORK/create.json" >/dev/null
echo "payload: $(stat -c %s "$WORK/create.json") bytes"

twenty() { # url: 20 concurrent creates, their statuses counted
  for _ in $(seq 20); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
      --data-binary @"$WORK/create.json" "$1$CREATE" &
  done | sort | uniq -c
}

slow_beside_normal() { # label, url, pid
  local label=$1 url=$2 pid=$3
  local slow_pids=()
  for round in 1 2 3; do
    curl -s -o /dev/null -w "$label: normal create $round alone: %{http_code} in %{time_total} s\n" \
      -H 'content-type: application/json' --data-binary @"$WORK/create.json" "$url$CREATE"
  done
  for i in $(seq "$SLOW"); do
    curl -s -o /dev/null --interface "127.0.9.$(( i % 4 + 1 ))" --limit-rate 20k \
      -H 'content-type: application/json' --data-binary @"$WORK/create.json" "$url$CREATE" &
    slow_pids+=("$!")
  done
  sleep 2
  echo "$label: $SLOW slow clients sending, RSS $(rss_mb "$pid") MB"
  for round in 1 2 3 4 5; do
    curl -s -o /dev/null -w "$label: normal create $round beside them: %{http_code} in %{time_total} s\n" \
      -H 'content-type: application/json' --data-binary @"$WORK/create.json" "$url$CREATE"
  done
  echo "$label: peak RSS with the slow clients and the normal creates: $(peak_mb "$pid") MB"
  kill "${slow_pids[@]}" 2>/dev/null || true
  wait "${slow_pids[@]}" 2>/dev/null || true
}

echo "== a. 20 concurrent ~14 MB creates"
start engine --provider local --data-dir "$WORK/engine" --engine-submitted 0 \
  --engine-processing 0 "${UNLIMITED[@]}"
ENGINE_URL=$URL; ENGINE_PID=$PID
echo "local engine idle: RSS $(rss_mb $ENGINE_PID) MB"
twenty "$ENGINE_URL"
echo "local engine after 20 creates (bodies, checks, storage): peak RSS $(peak_mb $ENGINE_PID) MB"
sleep 20
echo "local engine after expanding them too: peak RSS $(peak_mb $ENGINE_PID) MB"

# Forwarding: the upstream is a second local engine; only the forwarder's memory is measured.
start upstream --provider local --data-dir "$WORK/upstream" --engine-submitted 0 \
  --engine-processing 0 --engine-queue 1000 "${UNLIMITED[@]}"
UPSTREAM_URL=$URL
KLING_API_KEY=bench-key start forwarder --provider kling --upstream "$UPSTREAM_URL/api/kling" \
  --auth none --data-dir "$WORK/forwarder" "${UNLIMITED[@]}"
FORWARD_URL=$URL; FORWARD_PID=$PID
echo "forwarder idle: RSS $(rss_mb $FORWARD_PID) MB"
twenty "$FORWARD_URL"
echo "forwarder after 20 concurrent creates: peak RSS $(peak_mb $FORWARD_PID) MB"

echo "== b. slow clients beside a normal one (--body-timeout 60s)"
start engine-slow --provider local --data-dir "$WORK/engine-slow" --engine-submitted 0 \
  --engine-processing 0 --engine-queue 1000 --body-timeout 60s "${UNLIMITED[@]}"
slow_beside_normal "local engine" "$URL" "$PID"
KLING_API_KEY=bench-key start forwarder-slow --provider kling --upstream "$UPSTREAM_URL/api/kling" \
  --auth none --data-dir "$WORK/forwarder-slow" --body-timeout 60s "${UNLIMITED[@]}"
slow_beside_normal "forwarder" "$URL" "$PID"
