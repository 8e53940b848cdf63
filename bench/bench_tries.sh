#!/bin/bash
# bench_tries.sh [BUILD_DIR]: the TTFT verdict end to end, through the server,
# as issue 13's acceptance asks: two sandboxes side by side (nginx and two
# cutover-sims each, `cutover demo --no-load`), the sims' TTFT lognormal with
# median 800 ms and sigma 0.45; in one the colors are identical, in the other
# green is 25% slower. Each first measures the steady probe rate from the
# sims' own request counts (no step asked: probe.interval_s 10 should send one
# probe a color per 10 s), then makes TRIES tries of `cutover shift +10` with
# the config's defaults (median, 8%, 40 probes a side, window 60 s, bursts of
# 6 rounds/s, at most 360, 8 in flight), stepping back after a try that went
# through, each try starting once the window holds no probe of the one before
# (so the tries are independent). Prints every verdict and a summary line per
# sandbox. Not part of `make check`: about 20 minutes.
set -u
BUILD=${1:-_build}
BUILD=$(cd "$BUILD" && pwd) || exit 2
CUTOVER=$BUILD/cutover
SIM=$BUILD/cutover-sim
TRIES=${TRIES:-10}
STEADY_S=${STEADY_S:-120}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_tries.XXXXXX")
# Each run is a background subshell: its demo's pid is kept in a file, for
# the stop at the end (a variable set there would not reach this shell).
stop_all() {
    for d in "$WORK"/*/; do
        [ -f "$d/cutover.json" ] && "$CUTOVER" -c "$d/cutover.json" server stop --force >/dev/null 2>&1
    done
    for f in "$WORK"/*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
    wait 2>/dev/null
}
trap stop_all EXIT

# conf DIR KEY VALUE...: edits a sandbox's config (scripts/json_set.py).
conf() { python3 "$(dirname "$0")/../scripts/json_set.py" "$1/cutover.json" "${@:2}"; }
get() { python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$1/cutover.json" "$2"; }
chats() { "$SIM" ctl "$1" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["chat_requests"])'; }

# run NAME GREEN_TTFT_MS: one sandbox's whole run; its lines go to NAME.log.
run() {
    local name=$1 green_ms=$2 dir="$WORK/$1" log="$WORK/$1.log"
    "$CUTOVER" demo --dir "$dir" --no-load >"$WORK/$name.demo" 2>&1 &
    echo $! >"$WORK/$name.pid"
    for _ in $(seq 1 600); do [ -f "$dir/READY" ] && break; sleep 0.1; done
    [ -f "$dir/READY" ] || { echo "$name: demo not ready" >>"$log"; return 1; }
    local blue green window
    blue=$(get "$dir" colors.blue.addr); green=$(get "$dir" colors.green.addr)
    # The product's defaults for the verdict and the probes (the demo's own
    # config probes every 0.5 s and decides on 3 probes, to be lively); no
    # dwell, so a try that went through can step back at once.
    conf "$dir" rollout.min_dwell_s 0 rollout.min_samples 40 rollout.window_s 60 \
        rollout.ttft_halt_pct 8 rollout.ttft_stat '"median"' probe.interval_s 10
    window=$(get "$dir" rollout.window_s)
    "$SIM" ctl "$blue" set ttft_ms=800 ttft_sigma=0.45 tokens=4 token_ms=20 >/dev/null
    "$SIM" ctl "$green" set ttft_ms="$green_ms" ttft_sigma=0.45 tokens=4 token_ms=20 >/dev/null
    "$CUTOVER" -c "$dir/cutover.json" server start >/dev/null || { echo "$name: no server" >>"$log"; return 1; }
    sleep 2
    "$SIM" ctl "$blue" reset >/dev/null; "$SIM" ctl "$green" reset >/dev/null
    sleep "$STEADY_S"
    echo "$name steady: blue $(chats "$blue") and green $(chats "$green") probes in $STEADY_S s" \
         "(interval $(get "$dir" probe.interval_s) s)" >>"$log"
    local refused=0 i t0 rc out took
    for i in $(seq 1 "$TRIES"); do
        t0=$(date +%s.%N)
        out=$("$CUTOVER" -c "$dir/cutover.json" shift +10 2>&1); rc=$?
        took=$(python3 -c "import time; print('%.0f' % (time.time() - $t0))")
        [ "$rc" = 0 ] || refused=$((refused + 1))
        echo "$name try $i: exit $rc after ${took} s: $(grep -v '^deciding the step' <<<"$out" | tail -n 1)" >>"$log"
        [ "$rc" = 0 ] && "$CUTOVER" -c "$dir/cutover.json" shift -10 --reason "bench: back" >/dev/null 2>&1
        sleep $((window + 2))  # the window forgets this try's probes
    done
    echo "$name: $refused of $TRIES tries refused (green ${green_ms} ms vs blue 800 ms, sigma 0.45)" >>"$log"
}

run identical 800 &
run slower25 1000 &
wait
cat "$WORK/identical.log" "$WORK/slower25.log"
