#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo fuzz) of image inspection, every dialect's
# answer parser and the proxy's create check. Not part of scripts/test.sh.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   # default: 600 s each, every target, one at a time
#
# Only the stable toolchain is installed: RUSTC_BOOTSTRAP=1 lets it take the flags cargo fuzz
# passes. Targets are built without a sanitizer (`-s none`): the code under test has no
# `unsafe`, so AddressSanitizer would only slow it. New inputs go to fuzz/corpus/TARGET (only
# the committed seed-* files are kept in git); a crash is written to fuzz/artifacts/TARGET and
# becomes a regression test beside the code it broke.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(inspect dialect_answers engine_create); fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
nice -n 19 cargo fuzz build -s none >/dev/null
mkdir -p logs
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  echo "==> $target for ${seconds}s" >&2
  nice -n 19 cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"logs/$target.log" 2>&1 || { tail -40 "logs/$target.log"; exit 1; }
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb" "logs/$target.log" >&2
  echo "corpus: $(ls "corpus/$target" | wc -l) inputs; coverage: $(grep -oE 'cov: [0-9]+' "logs/$target.log" | tail -1)" >&2
done
