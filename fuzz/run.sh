#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60), one after the other
# (one job: CI has 2 cores). Installs cargo-fuzz when missing. Uses the nightly
# toolchain (AddressSanitizer) when present, else stable without a sanitizer.
# Exits non-zero on the first crash; the crashing input is in fuzz/artifacts/TARGET/.
# Usage: fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
SECS="${1:-60}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version 0.13.2 || cargo install cargo-fuzz
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  FUZZ=(cargo +nightly fuzz)
  BUILD_OPTS=()
else
  FUZZ=(cargo +stable fuzz)
  BUILD_OPTS=(-s none)
fi
echo "fuzz: ${FUZZ[*]} ${BUILD_OPTS[*]:-} (${SECS} s per target)"
"${FUZZ[@]}" build "${BUILD_OPTS[@]}"
for t in $("${FUZZ[@]}" list); do
  mkdir -p "corpus/$t"
  echo "==> $t"
  "${FUZZ[@]}" run "${BUILD_OPTS[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$SECS" -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
    | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*panicked|Done)' || true
  if ls "artifacts/$t"/crash-* >/dev/null 2>&1; then
    echo "fuzz: $t crashed; input(s) in fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
echo "fuzz: no crashes"
