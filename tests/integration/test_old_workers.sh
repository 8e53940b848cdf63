#!/bin/bash
# After a reload nginx's old workers keep serving the streams they hold: the
# server follows them, and its snapshots (the console's weights panel) count
# them live, 1 while a long stream runs through an old worker, 0 once it ends.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 5

stop_all() {
    [ -n "${CURL_PID:-}" ] && kill "$CURL_PID" 2>/dev/null
    [ -n "${ATTACH_PID:-}" ] && kill "$ATTACH_PID" 2>/dev/null
    "$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1
    cleanup
}
trap stop_all EXIT

old_workers() {
    grep '^{"snapshot"' "$WORK/watch" | tail -n 1 | python3 -c 'import json,sys
print(json.load(sys.stdin)["snapshot"].get("old_workers_draining", "absent"))'
}
wait_old_workers() { # wait_old_workers N SECONDS
    for _ in $(seq 1 $(($2 * 10))); do [ "$(old_workers)" = "$1" ] && return 0; sleep 0.1; done
    return 1
}

check "cutover server start" "$CUTOVER" -c "$CONFIG" server start
"$CUTOVER" -c "$CONFIG" attach --watch >"$WORK/watch" 2>"$WORK/watch.err" &
ATTACH_PID=$!

# One stream of 15 s through nginx, held by one of the current workers.
"$SIM" ctl "$BLUE_ADDR" set token_ms=1000 tokens=15 >/dev/null
curl -sN -o "$WORK/stream.out" -H 'Content-Type: application/json' \
    -d '{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}' \
    "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" &
CURL_PID=$!
# The shift must come once the stream runs through a worker: wait for its
# first bytes, not for a guess at how long a busy machine takes.
for _ in $(seq 1 100); do [ -s "$WORK/stream.out" ] && break; sleep 0.1; done
is "the stream has begun before the shift" "$([ -s "$WORK/stream.out" ] && echo yes)" "yes"
# Forced: this is about old workers, not the guards; blue's probes now read
# its 15 s answers to the end, so a TTFT verdict would outwait the stream.
check "shift +10 while the stream runs" "$CUTOVER" -c "$CONFIG" shift +10 --force \
    --reason "old-worker test"
if wait_old_workers 1 10; then ok "the snapshot counts the old worker holding the stream"
else not_ok "the snapshot counts the old worker holding the stream" "old_workers_draining=$(old_workers)"; fi
wait "$CURL_PID"
CURL_PID=""
if wait_old_workers 0 10; then ok "and none once the stream has ended"
else not_ok "and none once the stream has ended" "old_workers_draining=$(old_workers)"; fi
finish
