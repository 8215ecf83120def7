#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/) for a bounded time, one after the other, and prints
# each target's executions. Usage: scripts/fuzz.sh [seconds per target, default 60] [target...]
#
# Needs a nightly toolchain and cargo-fuzz; both are installed when missing (rustup, cargo install).
# The corpus each fuzzer grows is kept in fuzz/corpus/TARGET (not committed); it starts from the
# committed seeds in fuzz/seeds/TARGET. A failure leaves its input in fuzz/artifacts/TARGET: copy
# it to fuzz/regressions/TARGET/ so that tests/fuzz_replay.rs keeps it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(plan_evaluate plan_mutate inputs csv_import ops session)

cargo +nightly --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz

cd fuzz
for t in "${targets[@]}"; do cargo +nightly fuzz build "$t"; done
mkdir -p logs
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== $t for ${seconds}s"
  if ! cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      >"logs/$t.log" 2>&1; then
    status=1
    echo "   FAILED: see fuzz/logs/$t.log and fuzz/artifacts/$t/"
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  corpus=$(ls "corpus/$t" | wc -l)
  echo "   $t: ${runs:-?} executions in ${seconds}s, corpus $corpus inputs"
done
exit $status
