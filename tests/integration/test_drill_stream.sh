#!/bin/bash
# The failing-stream drill on the light demo: once green carries traffic
# its model fails inside 200 streams, as OpenClaw reports a failed model.
# The demo's sims write OpenClaw's own lines into each color's log, so the
# drill reaches what it would on the real gateway: green's failure ratio
# rises from its log while nginx logs 200 and its 5xx ratio stays 0, and
# the excess guard rolls back by itself (the sustain compressed here), the
# journal naming the in-stream source. At 10% of 40 chats/s and 4% failing,
# a 20 s window holds about 3 failures in 80 chats (none at all 4% of the
# time; 10% fail from 30 s on); the rollback waits until the excess is
# sure, under 1% likely by chance. The sims' own request lines share the
# log: they are read as log lines, none malformed.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox --scenario failing-stream --rps 40
tap_plan 7
JOURNAL="$SANDBOX/state/journal.jsonl"
trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; cleanup' EXIT
set_config rollout.window_s 20 rollout.excess_5xx_for_s 8

check "cutover server start" "$CUTOVER" -c "$CONFIG" server start
# One step, as a trainee's first: the drill starts failing green at 10, so
# a walk further would race the guard (on a busy machine it rolled back
# while the walk was at 40).
check "the first step, to 90/10" "$CUTOVER" -c "$CONFIG" shift +10 --force --reason "drill test"
start=$SECONDS
# The drill's canary rule fires on the weights nginx really has.
for _ in $(seq 1 100); do grep -q '"rule":"canary"' "$SANDBOX/drill.jsonl" 2>/dev/null && break; sleep 0.1; done
check "the drill set green's in-stream errors once green carried traffic" \
    grep -q '"rule":"canary".*green stream_error_rate=0.04' "$SANDBOX/drill.jsonl"

# The drill fails green from the step on; the guard's sustain is 8 s here.
green_failures_roll_back "$start" 60 0.01 8 "$JOURNAL"
gwlog=$("$CUTOVER" -c "$CONFIG" status --json 2>&1 | python3 -c '
import json, sys
def find(o):
    if isinstance(o, dict):
        if isinstance(o.get("green"), dict) and "gateway_log" in o["green"]:
            return o["green"]["gateway_log"]
        for v in o.values():
            r = find(v)
            if r: return r
    return None
g = find(json.load(sys.stdin)) or {}
print(g.get("lines", 0), g.get("failures", 0), g.get("malformed", -1))')
read -r lines failures malformed <<<"$gwlog"
is "green's log read whole: $lines lines, $failures failures, $malformed malformed" \
    "$([ "${lines:-0}" -gt "${failures:-0}" ] && [ "${failures:-0}" -gt 0 ] && echo "$malformed")" 0
finish
