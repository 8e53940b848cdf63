#!/bin/bash
# Killing cutover with SIGKILL at any moment of a shift never leaves a partial
# or missing upstream file: after every kill the file parses and nginx -t passes.
# (What the journal and nginx say after each kill is test_kill_move.sh's.)
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
KILLS=40
tap_plan 3

bad=0
detail=""
RANDOM=4242
for i in $(seq 1 $KILLS); do
    # a step either way (a reload moves nginx one step at most)
    by=+10; [ $((RANDOM % 2)) -eq 0 ] && by=-10
    "$CUTOVER" -c "$CONFIG" shift "$by" >/dev/null 2>&1 &
    pid=$!
    # anywhere from the guards' sampling through the write to after the reload
    sleep "$((RANDOM % 2)).$(printf '%03d' $((RANDOM % 1000)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if ! "$CUTOVER" -c "$CONFIG" status --sample 0 >/dev/null 2>"$WORK/err"; then
        bad=$((bad + 1)); detail="kill $i: status failed: $(cat "$WORK/err")"
    elif ! nginx_test; then
        bad=$((bad + 1)); detail="kill $i: nginx -t failed"
    fi
    # an interrupted move waits for a reconcile before the next shift
    "$CUTOVER" -c "$CONFIG" reconcile --restore >/dev/null 2>&1
done
is "after $KILLS kills the upstream file always parses and passes nginx -t" "$bad" "0"
[ -n "$detail" ] && echo "# $detail"
stray=$(find "$SANDBOX" -maxdepth 1 -name '*.conf' ! -name nginx.conf ! -name upstream.conf | wc -l)
is "no half-written file is left where an include *.conf would read it" "$stray" "0"
check "a shift after all that still works" shift_to 30
finish
