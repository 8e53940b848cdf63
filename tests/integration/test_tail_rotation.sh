#!/bin/bash
# Tailing the real nginx access log while the load generator runs: rotating
# it (mv + `nginx -s reopen`, twice during a run) and truncating it loses and
# double-counts no line. The tailer's count must equal the requests sent and
# the chats the sims themselves answered.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 6

TAIL_COUNT="$top_builddir/tests/integration/tail_count"
LOG="$SANDBOX/access.log"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
URL="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
N1=2000
N2=1500

for a in "$BLUE_ADDR" "$GREEN_ADDR"; do
    "$SIM" ctl "$a" set ttft_ms=2 token_ms=1 >/dev/null
    sim_reset "$a"
done

# Exactly as an operator's logrotate postrotate does it, with the sandbox's argv.
reopen() { "$NGINX" -e "$SANDBOX/error.log" -p "$SANDBOX" -c "$SANDBOX/nginx.conf" -s reopen; }
# Rename the live log; nginx keeps writing to the renamed file until the
# reopen. With "create" (logrotate's default) the new empty file exists at
# once, so for 0.3 s lines land in the old file after the new one appeared.
rotate() {
    mv "$LOG" "$LOG.$1"
    [ "$2" = create ] && : >"$LOG"
    sleep 0.3
    reopen
}
load() {
    "$SIM" load --url "$URL" --rps 400 --concurrency 16 --count "$1" --quiet >"$WORK/load.$1" 2>&1
}

"$TAIL_COUNT" "$LOG" "$WORK/tail.ready" >"$WORK/tail.out" 2>"$WORK/tail.err" &
TAIL_PID=$!
for _ in $(seq 1 100); do [ -f "$WORK/tail.ready" ] && break; sleep 0.05; done
check "the tailer starts" test -f "$WORK/tail.ready"

# Run 1: two rotations while requests are in flight.
load $N1 &
LOAD_PID=$!
sleep 1; rotate 1
sleep 1; rotate 2 create
wait $LOAD_PID

# copytruncate loses, to any reader, the lines written between its copy and
# its truncate, and whatever a reader had not yet read at the truncate: that
# is copytruncate, not the tailer. So truncate only when no request is in
# flight (the load is paused) and the tailer has had a poll (250 ms) to
# catch up.
sleep 0.6
: >"$LOG"
sleep 0.3

# Run 2: after the truncation, one more rotation mid-run.
load $N2 &
LOAD_PID=$!
sleep 1.5; rotate 3
wait $LOAD_PID
sleep 0.5

kill -TERM $TAIL_PID
wait $TAIL_PID
rc=$?
out=$(cat "$WORK/tail.out")
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$out"; }
is "the tailer exits cleanly (empty loop)" "$rc" "0"

sims=$(( $(sim_chats "$BLUE_ADDR") + $(sim_chats "$GREEN_ADDR") ))
is "the sims answered every request" "$sims" "$((N1 + N2))"
is "the tailer counted each request's line exactly once" "$(field lines)" "$sims"
is "three rotations seen" "$(field rotations)" "3"
is "one truncation seen, no line cut in half" "$(field truncations)/$(field partial_dropped)" "1/0"
[ -s "$WORK/tail.err" ] && sed 's/^/# /' "$WORK/tail.err"
finish
