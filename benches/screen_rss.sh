#!/usr/bin/env bash
# Throughput and peak memory of `cvdscreen screen` on generated files.
#
#   benches/screen_rss.sh [ROWS ...]        (default: 100000 1000000)
#
# Builds the release binary, generates each file with the seeded generator into
# benches/out/ (gitignored), screens it with /usr/bin/time -v, prints rows/s and peak
# RSS, and fails when the peak RSS reaches RSS_LIMIT_MB (default 100).
set -euo pipefail

cd "$(dirname "$0")/.."
RSS_LIMIT_MB=${RSS_LIMIT_MB:-100}
SEED=${SEED:-20240501}
ROWS_LIST=("$@")
[ ${#ROWS_LIST[@]} -eq 0 ] && ROWS_LIST=(100000 1000000)

if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
    else
        echo "error: /usr/bin/time is missing (install the Debian package \`time\`)" >&2
        exit 2
    fi
fi

cargo build --release -p cvdscreen-cli --quiet
BIN=target/release/cvdscreen
OUT=benches/out
mkdir -p "$OUT"

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
echo "rustc:   $(rustc --version)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other jobs on the machine slow the wall time)"
printf '%10s %8s %8s %8s %10s %14s %12s\n' rows "file MB" "wall s" "CPU s" "rows/s" "rows/CPU-s" "peak RSS MB"

status=0
for rows in "${ROWS_LIST[@]}"; do
    input="$OUT/gen_${rows}.csv"
    [ -s "$input" ] || "$BIN" generate --rows "$rows" --seed "$SEED" -o "$input"
    log="$OUT/time_${rows}.txt"
    /usr/bin/time -v "$BIN" screen "$input" -o "$OUT/screened_${rows}.csv" --no-progress \
        2>"$log"
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" \
        | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$log")
    out_rows=$(($(wc -l <"$OUT/screened_${rows}.csv") - 1))
    mb=$(awk -v b="$(stat -c %s "$input")" 'BEGIN { printf "%.1f", b / 1048576 }')
    rate=$(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? r / w : 0) }')
    cpu_rate=$(awk -v r="$rows" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? r / c : 0) }')
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '%10s %8s %8s %8s %10s %14s %12s\n' "$rows" "$mb" "$wall" "$cpu" "$rate" "$cpu_rate" "$rss_mb"
    if [ "$out_rows" -lt "$rows" ]; then
        echo "FAIL: $out_rows output lines for $rows rows" >&2
        status=1
    fi
    if awk -v m="$rss_mb" -v l="$RSS_LIMIT_MB" 'BEGIN { exit !(m >= l) }'; then
        echo "FAIL: peak RSS $rss_mb MB >= $RSS_LIMIT_MB MB for $rows rows" >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "OK: peak RSS below $RSS_LIMIT_MB MB for every size"
exit $status
