# What the benchmark scripts share (sourced from the repository root): the release binary (under
# CARGO_TARGET_DIR when set), a work directory removed at exit with every proxy started, and
# helpers.
RELEASE=${CARGO_TARGET_DIR:-target}/release
BIN=$RELEASE/kling-expand-proxy
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
