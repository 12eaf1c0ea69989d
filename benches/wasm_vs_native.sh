#!/usr/bin/env bash
# China-PAR batch over the same 1M rows, native vs WebAssembly in Node, in one run.
#
# 1. builds the release binary `china_par_columns` (benches/src/bin) and the Node package
#    (bindings-wasm/build.sh -> bindings-wasm/pkg-node) unless SKIP_BUILD=1;
# 2. the binary generates ROWS synthetic records (deterministic), times the core's
#    `batch::china_par_10y` (best of RUNS, one thread) and writes the columns and its
#    results to benches/out/china_par_columns.bin;
# 3. benches/wasm_vs_native.mjs times `chinaPar10yBatch` on the same columns in Node
#    (best of RUNS; includes copying the typed arrays in and the result out) and checks
#    the statuses equal and the values agree (wasm's libm may differ in the last ulp);
# 4. prints both rates, the ratio native / Node, nproc, CPU and the load average.
# Exits 1 when the ratio exceeds MAX_RATIO (default 2).
#
# Usage: benches/wasm_vs_native.sh [ROWS] [RUNS]    (default 1000000 5)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROWS="${1:-1000000}"
RUNS="${2:-5}"
MAX_RATIO="${MAX_RATIO:-2}"
OUT="$ROOT/benches/out"
mkdir -p "$OUT"
cd "$ROOT"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release --locked -q -p cvdscreen-benches --bin china_par_columns
  bindings-wasm/build.sh >/dev/null
fi
BIN="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/release/china_par_columns"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p'); node $(node --version); $(rustc --version)"
echo "load average before: $(cat /proc/loadavg)"
NATIVE_LINE="$("$BIN" "$OUT/china_par_columns.bin" "$ROWS" "$RUNS")"
echo "$NATIVE_LINE"
NODE_OUT="$(node benches/wasm_vs_native.mjs "$OUT/china_par_columns.bin" "$RUNS")"
echo "$NODE_OUT" | grep -v '^RESULT'
echo "load average after: $(cat /proc/loadavg)"
native=$(echo "$NATIVE_LINE" | sed -n 's/.* \([0-9]*\) rec\/s.*/\1/p')
nodejs=$(echo "$NODE_OUT" | sed -n 's/^RESULT node_rec_per_s=//p')
ratio=$(awk -v a="$native" -v b="$nodejs" 'BEGIN { printf "%.2f", a / b }')
echo "native ${native} rec/s, Node (wasm) ${nodejs} rec/s: native / Node = ${ratio} (target <= ${MAX_RATIO})"
awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r <= m) }' || { echo "ratio above ${MAX_RATIO}" >&2; exit 1; }
