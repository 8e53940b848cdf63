#!/bin/bash
# Preflight runs before the first step of every cutover: a failed check
# refuses the step (directly and through the server), naming the check; an
# override with a reason passes and is journaled.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 8
JOURNAL="$SANDBOX/state/journal.jsonl"
trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; cleanup' EXIT

# Streams stall behind nginx's buffers: a failed preflight check.
sed -i 's/proxy_buffering off;/proxy_buffering on;/' "$SANDBOX/nginx.conf"
"$CUTOVER" -c "$CONFIG" shift +10 >"$WORK/out" 2>&1
rc=$?
if [ $rc -eq 5 ] && grep -q "preflight failed before the first step: nginx.streaming: .*proxy_buffering" "$WORK/out"; then
    ok "the first step is refused, naming the failed check"
else not_ok "the first step is refused, naming the failed check" "exit $rc: $(cat "$WORK/out")"; fi
is "nothing moved" "$(weights)" "100/0"
grep -q '"action":"preflight".*"outcome":"failed","error":"nginx.streaming' "$JOURNAL"
is "the failed preflight is journaled" "$?" "0"
check "--force --reason passes it" "$CUTOVER" -c "$CONFIG" shift +10 --force --reason "buffering fix ships tonight"
grep -q '"action":"override".*override of failed preflight (nginx.streaming.*buffering fix ships tonight' "$JOURNAL"
is "the override is journaled with the checks and the reason" "$?" "0"

check "back to 100/0, then a server" bash -c "'$CUTOVER' -c '$CONFIG' shift --to 0 && '$CUTOVER' -c '$CONFIG' server start"
sleep 1.5 # the server's first probes, for the TTFT guard
"$CUTOVER" -c "$CONFIG" shift +10 >"$WORK/out" 2>&1
rc=$?
if [ $rc -eq 5 ] && grep -q "preflight failed before the first step" "$WORK/out"; then
    ok "through the server too"
else not_ok "through the server too" "exit $rc: $(cat "$WORK/out")"; fi
sed -i 's/proxy_buffering on;/proxy_buffering off;/' "$SANDBOX/nginx.conf"
check "with the check passing, the first step goes" "$CUTOVER" -c "$CONFIG" shift +10
finish
