#!/bin/bash
# bench_live.sh: the whole live path of `cutover status --sample S` under a
# steady access-log stream: tail (backends/accesslog), parse (core/logparse),
# window with 24 h of history (core/window), socket counts every second and
# streaming probes of both colors every 2 s (runtime/collector).
#
# bench/live_writer appends gen_log lines at exactly RATE lines/s in batches
# of BATCH_MS, msec= rewritten to the wall clock. Per run it measures the
# cutover process's CPU while the writer runs (utime+stime from /proc/PID/stat,
# as % of one core), its peak RSS (VmHWM polled from /proc/PID/status until it
# exits, and ru_maxrss from /usr/bin/time), and checks it kept up: the lines
# `status --json` counted equal the lines written. Then idle runs (no writer)
# show the memory is set by signals.history_s, not by traffic.
# Targets (issue 3): < 10% of one core at 20,000 lines/s, < 16 MB resident.
# Exits 1 when a target is missed or a run lost lines.
#
#   bench/bench_live.sh [BUILD_DIR]      (default: _build_benchlive at the top)
#   env: RUNS=5 SAMPLE_S=30 RATE=20000 BATCH_MS=10 HISTORY_S=86400
#        PROBES=sim|refused (sim: two cutover-sim serve answer the probes)
#        IDLE_HISTORIES="86400 60" BENCH_DIR=/tmp/cutover-bench-live
#
# Use a plain optimised build (no sanitizers):
#   mkdir _build_benchlive && cd _build_benchlive && ../configure CFLAGS='-O2 -g' \
#     && make -j2 cutover cutover-sim bench/gen_log bench/live_writer
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build_benchlive}
CUTOVER=${CUTOVER:-$build/cutover}
SIM=${SIM:-$build/cutover-sim}
GEN=${GEN:-$build/bench/gen_log}
WRITER=${WRITER:-$build/bench/live_writer}
RUNS=${RUNS:-5}
SAMPLE_S=${SAMPLE_S:-30}
RATE=${RATE:-20000}
BATCH_MS=${BATCH_MS:-10}
HISTORY_S=${HISTORY_S:-86400}
PROBES=${PROBES:-sim}
IDLE_HISTORIES=${IDLE_HISTORIES:-"86400 60"}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/cutover-bench-live}
CPU_TARGET_PCT=10
RSS_TARGET_KB=$((16 * 1024))
TIME=/usr/bin/time
HZ=$(getconf CLK_TCK)

for f in "$CUTOVER" "$GEN" "$WRITER"; do
    [ -x "$f" ] || { echo "bench: $f not built (see the top of this script)" >&2; exit 2; }
done
[ -x "$TIME" ] || { echo "bench: $TIME missing (apt-get install time)" >&2; exit 2; }
if grep -q __asan_init "$CUTOVER" 2>/dev/null; then
    echo "bench: $CUTOVER is built with sanitizers; use a plain -O2 build" >&2
    exit 2
fi
[ "$SAMPLE_S" -ge 8 ] || { echo "bench: SAMPLE_S must be >= 8" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
SIM_PIDS=()
cleanup() {
    local p
    for p in "${SIM_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SIM_PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

# start_sim NAME: a simulated gateway on a free loopback port; prints HOST:PORT.
start_sim() {
    local out="$BENCH_DIR/sim-$1.out" addr=""
    "$SIM" serve --listen 127.0.0.1:0 --name "$1" --jitter-pct 0 >"$out" 2>&1 &
    SIM_PIDS+=($!)
    for _ in $(seq 100); do
        addr=$(sed -n 's/^listening \(.*\)$/\1/p' "$out" | head -1)
        [ -n "$addr" ] && break
        sleep 0.05
    done
    [ -n "$addr" ] || { echo "bench: $1 sim did not start: $(cat "$out")" >&2; exit 2; }
    BLUE_OR_GREEN=$addr
}

if [ "$PROBES" = sim ]; then
    [ -x "$SIM" ] || { echo "bench: $SIM not built" >&2; exit 2; }
    start_sim blue; BLUE=$BLUE_OR_GREEN
    start_sim green; GREEN=$BLUE_OR_GREEN
else
    BLUE=127.0.0.1:1; GREEN=127.0.0.1:2          # nothing listens: probes are refused
fi

# Ten seconds of distinct lines, written round and round.
pool="$BENCH_DIR/pool.log"
"$GEN" -n $((RATE * 10)) -s 1 --rate "$RATE" --start "$(date +%s)" \
    --blue "$BLUE" --green "$GREEN" >"$pool" || exit 2
cat >"$BENCH_DIR/upstream.conf" <<EOF
upstream openclaw_gateway {
    least_conn;
    zone openclaw_gateway 64k;
    server $BLUE weight=100 max_fails=3 fail_timeout=10s;
    server $GREEN weight=1 down;
}
EOF

# write_config DIR HISTORY_S
write_config() {
    cat >"$1/cutover.json" <<EOF
{"nginx": {"upstream_file": "$BENCH_DIR/upstream.conf", "access_log": "$1/access.log",
           "pid_file": "$1/nginx.pid"},
 "colors": {"blue": {"addr": "$BLUE"}, "green": {"addr": "$GREEN"}},
 "probe": {"interval_s": 2, "timeout_s": 10},
 "signals": {"history_s": $2},
 "state_dir": "$1/state"}
EOF
}

# cpu_ticks PID: utime + stime (fields 14, 15; the name in field 2 may hold spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
now_ns() { date +%s%N; }

# The day run: cutover's wall clock runs SPEED times faster (bench/clockshift.c,
# preloaded), so in SAMPLE_S seconds the window closes more than HISTORY_S
# seconds and every page of its history ring is written, as after 24 real
# hours. Lines then carry times the window finds too old (it drops them), but
# they are still read and parsed; the RSS is the point of this run.
CC=${CC:-cc}
SHIFT_SO="$BENCH_DIR/clockshift.so"
"$CC" -O2 -shared -fPIC -o "$SHIFT_SO" "$top/bench/clockshift.c" -ldl ||
    { echo "bench: cannot build $SHIFT_SO" >&2; exit 2; }
SPEED=$(( (HISTORY_S * 12 / 10) / (SAMPLE_S - 3) + 1 ))

# one_run DIR HISTORY_S WRITE(0/1) [SHIFT(0/1)]: prints
#   cpu_pct hwm_kb maxrss_kb written counted malformed total_cpu_pct writer_info
one_run() {
    local dir=$1 hist=$2 write=$3 shift=${4:-0}
    rm -rf "$dir"; mkdir -p "$dir/state"; : >"$dir/access.log"
    write_config "$dir" "$hist"
    local pre=()
    [ "$shift" = 1 ] && pre=(env LD_PRELOAD="$SHIFT_SO" CLOCKSHIFT_SPEED="$SPEED"
                             CLOCKSHIFT_T0_US=$(( $(date +%s%N) / 1000 )))
    "$TIME" -f '%U %S %e %M' -o "$dir/time.out" "${pre[@]}" \
        "$CUTOVER" -c "$dir/cutover.json" status --json --sample "$SAMPLE_S" \
        >"$dir/status.json" 2>"$dir/status.err" &
    local tpid=$! pid=""
    for _ in $(seq 200); do
        pid=$(pgrep -P "$tpid" -x cutover) && [ -n "$pid" ] && \
            ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$dir/access.log" && break
        sleep 0.02
    done
    [ -n "$pid" ] || { echo "bench: cutover did not start: $(cat "$dir/status.err")" >&2; exit 2; }
    # Poll the peak RSS until the process is gone; the last reading is the peak.
    # Also the split of the current RSS: anonymous (ours) and file-backed
    # (shared library pages, shared with every other process mapping them).
    ( while v=$(awk '/^(VmHWM|RssAnon|RssFile):/ { printf "%s ", $2 }' \
                    "/proc/$pid/status" 2>/dev/null) && [ -n "$v" ]; do
          echo "$v" >"$dir/hwm"; sleep 0.1
      done ) &
    local poller=$!
    sleep 0.5
    local c0 t0 c1 t1 winfo="-"
    c0=$(cpu_ticks "$pid"); t0=$(now_ns)
    local busy_s=$((SAMPLE_S - 3))
    if [ "$write" = 1 ]; then
        winfo=$("$WRITER" --in "$pool" --out "$dir/access.log" --rate "$RATE" \
                    --batch-ms "$BATCH_MS" --duration "$busy_s") || exit 2
    else
        sleep "$busy_s"
    fi
    sleep 0.3                                   # the last batch reaches the tail
    c1=$(cpu_ticks "$pid"); t1=$(now_ns)
    wait "$tpid" || { echo "bench: cutover failed: $(cat "$dir/status.err")" >&2; exit 2; }
    wait "$poller"
    python3 - "$dir" "$c0" "$c1" "$t0" "$t1" "$HZ" "$winfo" <<'EOF'
import json, sys
d, c0, c1, t0, t1, hz, winfo = sys.argv[1:]
cpu = (int(c1) - int(c0)) / int(hz) / ((int(t1) - int(t0)) / 1e9) * 100
u, s, e, maxrss = open(d + "/time.out").read().split()[-4:]
hwm, anon, filerss = open(d + "/hwm").read().split()
log = json.load(open(d + "/status.json"))["signals"]["access_log"]
w = winfo.split()
written = w[w.index("lines") + 1] if "lines" in w else "0"
late = w[w.index("late_ticks") + 1] if "late_ticks" in w else "-"
total = (float(u) + float(s)) / float(e) * 100
print("%.2f %s %s %s %d %d %.2f %s %s %s" % (cpu, hwm, maxrss, written, log["lines"],
                                             log["malformed"], total, late, anon, filerss))
EOF
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "cutover live path: status --sample $SAMPLE_S, history_s $HISTORY_S, writer $RATE lines/s" \
     "in ${BATCH_MS} ms batches for $((SAMPLE_S - 3)) s, probes: $PROBES ($BLUE, $GREEN)"
echo "machine: $(nproc) CPUs, $(uname -sr)"
printf '%-10s %6s %6s %9s %9s %8s %8s %9s %9s %9s %5s\n' run "cpu%" "total%" "VmHWM kB" \
    "maxrss kB" "anon kB" "file kB" written counted malformed late
fail=0
results="$BENCH_DIR/results"
: >"$results"
for i in $(seq "$RUNS"); do
    r=$(one_run "$BENCH_DIR/run$i" "$HISTORY_S" 1) || exit 2
    read -r cpu hwm maxrss written counted malformed total late anon filerss <<<"$r"
    printf '%-10s %6s %6s %9s %9s %8s %8s %9s %9s %9s %5s\n' "live $i" "$cpu" "$total" "$hwm" \
        "$maxrss" "$anon" "$filerss" \
        "$written" "$counted" "$malformed" "$late"
    echo "$r" >>"$results"
    if [ "$written" != "$counted" ]; then
        echo "  run $i: counted $counted of $written lines written" >&2
        fail=1
    fi
done
med_cpu=$(awk '{ print $1 }' "$results" | median)
med_hwm=$(awk '{ print $2 }' "$results" | median)
med_total=$(awk '{ print $7 }' "$results" | median)
for h in $IDLE_HISTORIES; do
    r=$(one_run "$BENCH_DIR/idle$h" "$h" 0) || exit 2
    read -r cpu hwm maxrss written counted malformed total late anon filerss <<<"$r"
    printf '%-10s %6s %6s %9s %9s %8s %8s %9s %9s %9s %5s\n' "idle $h" "$cpu" "$total" "$hwm" \
        "$maxrss" "$anon" "$filerss" \
        - "$counted" "$malformed" "-"
done
r=$(one_run "$BENCH_DIR/day" "$HISTORY_S" 1 1) || exit 2
read -r cpu hwm maxrss written counted malformed total late anon filerss <<<"$r"
day_hwm=$hwm
printf '%-10s %6s %6s %9s %9s %8s %8s %9s %9s %9s %5s\n' "day" "$cpu" "$total" "$hwm" \
    "$maxrss" "$anon" "$filerss" \
    "$written" "$counted" "$malformed" "$late"
echo "  (day: history_s $HISTORY_S filled, the clock ${SPEED}x fast; idle: no writer)"

echo
echo "median of $RUNS at $RATE lines/s: cpu ${med_cpu}% of one core while writing" \
     "(whole run incl. start: ${med_total}%), peak RSS $med_hwm kB"
if awk -v c="$med_cpu" -v t="$CPU_TARGET_PCT" 'BEGIN { exit !(c < t) }'; then
    echo "  cpu < ${CPU_TARGET_PCT}% of one core: met"
else
    echo "  cpu < ${CPU_TARGET_PCT}% of one core: MISSED (${med_cpu}%)"; fail=1
fi
for pair in "live median:$med_hwm" "day (history full):$day_hwm"; do
    what=${pair%%:*}; kb=${pair##*:}
    if [ "$kb" -lt "$RSS_TARGET_KB" ]; then
        echo "  peak RSS < 16 MB ($RSS_TARGET_KB kB), $what: met ($kb kB)"
    else
        echo "  peak RSS < 16 MB ($RSS_TARGET_KB kB), $what: MISSED ($kb kB," \
             "$(( (kb - RSS_TARGET_KB) )) kB over)"; fail=1
    fi
done
[ "$fail" = 0 ] && echo "  every run counted every line written"
exit "$fail"
