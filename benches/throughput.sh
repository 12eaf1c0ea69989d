#!/usr/bin/env bash
# `cvdscreen screen` (all models, default threads) against pandas read_csv + to_csv
# of the same generated file, plus the peak RSS of `screen` at growing sizes.
#
#   benches/throughput.sh [ROWS] [RSS_ROWS ...]   (default: 1000000; 100000 1000000)
#   RUNS=n: best of n timings of each side, interleaved (default 3)
#
# pandas is installed into a venv under target/ when `import pandas` fails.
# Prints the ratio pandas-time / cvdscreen-time (target >= 3) and fails below
# MIN_RATIO (default 3) and when the peak RSS reaches RSS_LIMIT_MB (default 100).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
shift || true
RSS_ROWS=("$@")
[ ${#RSS_ROWS[@]} -eq 0 ] && RSS_ROWS=(100000 1000000)
MIN_RATIO=${MIN_RATIO:-3}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-100}

[ -x /usr/bin/time ] || { apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }; }
PY=python3
if ! "$PY" -c 'import pandas' 2>/dev/null; then
  VENV=target/bench-venv
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -c 'import pandas' 2>/dev/null || "$VENV/bin/pip" install -q pandas
  PY="$VENV/bin/python"
fi

cargo build --release -p cvdscreen-cli --quiet
BIN=target/release/cvdscreen
OUT=benches/out
mkdir -p "$OUT"
gen() { local f="$OUT/gen_$1.csv"; [ -s "$f" ] || "$BIN" generate --rows "$1" -o "$f"; echo "$f"; }

echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc); $(rustc --version); pandas $("$PY" -c 'import pandas; print(pandas.__version__)')"
F=$(gen "$ROWS")
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
# Best of RUNS (default 3) for each side, the two interleaved, so that a slow moment of
# this shared machine does not decide the ratio.
RUNS=${RUNS:-3}
min() { echo "if ($1 < $2) $1 else $2" | bc -l; }
T_CVD=999999 T_PD=999999
for _ in $(seq "$RUNS"); do
  T_CVD=$(min "$T_CVD" "$(secs "$BIN" screen --no-progress "$F" -o "$OUT/screen_out.csv")")
  T_PD=$(min "$T_PD" "$(secs "$PY" -c "import pandas as pd; df = pd.read_csv('$F'); df.to_csv('$OUT/pandas_out.csv')")")
done
RATIO=$(echo "$T_PD / $T_CVD" | bc -l)
printf 'rows %d, best of %d: cvdscreen screen %.2f s, pandas read_csv+to_csv %.2f s, ratio %.2fx (target >= %s)\n' \
  "$ROWS" "$RUNS" "$T_CVD" "$T_PD" "$RATIO" "$MIN_RATIO"

status=0
for r in "${RSS_ROWS[@]}"; do
  f=$(gen "$r")
  kb=$(/usr/bin/time -v "$BIN" screen --no-progress "$f" -o "$OUT/screen_out.csv" 2>&1 >/dev/null \
        | sed -n 's/.*Maximum resident set size (kbytes): //p')
  printf 'peak RSS at %9d rows: %6.1f MB\n' "$r" "$(echo "$kb / 1024" | bc -l)"
  [ "$kb" -lt $((RSS_LIMIT_MB * 1024)) ] || { echo "peak RSS over ${RSS_LIMIT_MB} MB" >&2; status=1; }
done
rm -f "$OUT/screen_out.csv" "$OUT/pandas_out.csv"
if [ "$(echo "$RATIO < $MIN_RATIO" | bc -l)" = 1 ]; then
  echo "ratio below $MIN_RATIO" >&2; status=1
fi
exit $status
