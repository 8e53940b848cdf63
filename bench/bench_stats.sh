#!/bin/bash
# bench_stats.sh: times `cutover stats` on a generated log beside `wc -l` and
# a mawk one-liner computing the same per-color attempt and 5xx counts.
# Median of RUNS runs each, page cache warm. Prints lines/s and the ratios
# against the issue's targets (stats >= 20% of wc -l, >= 3x mawk); exits 1
# when a target is missed or the counts disagree.
#
#   bench/bench_stats.sh [BUILD_DIR]      (default: _build_bench at the top)
#   env: LINES=2000000 SEED=1 RUNS=5 BENCH_DIR=/tmp/cutover-bench CUTOVER=path
#
# Use a plain optimised build: sanitizers make the parser several times slower.
#   mkdir _build_bench && cd _build_bench && ../configure CFLAGS=-O2 && make cutover bench/gen_log
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build_bench}
CUTOVER=${CUTOVER:-$build/cutover}
GEN=${GEN:-$build/bench/gen_log}
LINES=${LINES:-2000000}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/cutover-bench}
MAWK=$(command -v mawk) || { echo "bench: mawk not installed (apt-get install mawk)" >&2; exit 2; }
BLUE=127.0.0.1:8787
GREEN=127.0.0.1:8788

for f in "$CUTOVER" "$GEN"; do
    [ -x "$f" ] || { echo "bench: $f not built (see the top of this script)" >&2; exit 2; }
done
if grep -q __asan_init "$CUTOVER" 2>/dev/null; then
    echo "bench: $CUTOVER is built with sanitizers; use a plain -O2 build" >&2
    exit 2
fi

mkdir -p "$BENCH_DIR"
log="$BENCH_DIR/access-$LINES-$SEED.log"
cfg="$BENCH_DIR/cutover.json"
printf '{"colors": {"blue": {"addr": "%s"}, "green": {"addr": "%s"}}}\n' "$BLUE" "$GREEN" >"$cfg"
if [ ! -s "$log" ]; then
    echo "generating $LINES lines (seed $SEED) in $log"
    "$GEN" -n "$LINES" -s "$SEED" --blue "$BLUE" --green "$GREEN" >"$log.tmp" && mv "$log.tmp" "$log"
fi
lines=$(wc -l <"$log")
cat "$log" >/dev/null                     # warm the page cache

run_stats() { "$CUTOVER" -c "$cfg" stats --json "$log"; }
run_stats_1() { "$CUTOVER" -c "$cfg" stats --json --threads 1 "$log"; }
run_wc() { wc -l "$log"; }
run_mawk() {
    "$MAWK" -v B="$BLUE" -v G="$GREEN" '
    { if (!match($0, / ua="[^"]*"/)) next; a = substr($0, RSTART + 5, RLENGTH - 6)
      if (!match($0, / us="[^"]*"/)) next; s = substr($0, RSTART + 5, RLENGTH - 6)
      if (a == "-") next
      n = split(a, A, /, | : /); split(s, S, /, | : /)
      for (i = 1; i <= n; i++) { c = A[i] == B ? "blue" : A[i] == G ? "green" : "other"
                                 r[c]++; if (S[i] ~ /^5/) x[c]++ } }
    END { printf "%d %d %d %d %d %d\n", r["blue"], x["blue"], r["green"], x["green"], r["other"], x["other"] }' "$log"
}

# median_seconds FUNCTION: runs it RUNS times, prints the median wall time.
median_seconds() {
    local times=() t0 t1
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        "$1" >/dev/null || { echo "bench: $1 failed" >&2; exit 2; }
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p" |
        awk '{ printf "%.4f", $1 / 1e6 }'
}

# The two counters must agree before their speed means anything.
ours=$(run_stats | python3 -c 'import json,sys
d=json.load(sys.stdin)
print(" ".join(str(d[c][k]) for c in ("blue","green","other") for k in ("requests","status_5xx")))')
theirs=$(run_mawk)
echo "log: $log ($lines lines, $(du -m "$log" | cut -f1) MB)"
echo "counts (blue req 5xx, green req 5xx, other req 5xx)"
echo "  cutover stats: $ours"
echo "  mawk:          $theirs"

t_stats=$(median_seconds run_stats)
t_stats1=$(median_seconds run_stats_1)
t_wc=$(median_seconds run_wc)
t_mawk=$(median_seconds run_mawk)

awk -v n="$lines" -v s="$t_stats" -v s1="$t_stats1" -v w="$t_wc" -v cpus="$(nproc)" -v m="$t_mawk" -v runs="$RUNS" -v same="$([ "$ours" = "$theirs" ] && echo 1 || echo 0)" '
function rate(t) { return t > 0 ? n / t : 0 }
BEGIN {
    printf "median of %d runs\n", runs
    printf "  %-14s %8.3f s %12.0f lines/s\n", "wc -l", w, rate(w)
    printf "  %-14s %8.3f s %12.0f lines/s  (one thread per CPU, %d CPUs)\n", "cutover stats", s, rate(s), cpus
    printf "  %-14s %8.3f s %12.0f lines/s  (--threads 1)\n", "cutover stats", s1, rate(s1)
    printf "  %-14s %8.3f s %12.0f lines/s\n", "mawk", m, rate(m)
    vs_wc = rate(s) / rate(w); vs_mawk = rate(s) / rate(m)
    ok1 = vs_wc >= 0.20; ok2 = vs_mawk >= 3
    printf "stats / wc -l: %.1f%% of its lines/s (target >= 20%%): %s\n", 100 * vs_wc, ok1 ? "met" : "MISSED"
    printf "stats / mawk:  %.1fx (target >= 3x): %s\n", vs_mawk, ok2 ? "met" : "MISSED"
    printf "one thread:    %.1f%% of wc -l, %.1fx mawk\n", 100 * rate(s1) / rate(w), rate(s1) / rate(m)
    printf "counts agree:  %s\n", same ? "yes" : "NO"
    exit !(ok1 && ok2 && same)
}'
