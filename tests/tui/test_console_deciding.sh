#!/bin/bash
# A step the TTFT verdict cannot decide yet, from the console: `]` `y`
# shows the server deciding (burst probe rounds, the estimate and its
# interval as they narrow), then the verdict with both medians, the interval
# and the probe counts; Esc while it decides gives the step up. The sims'
# TTFT is lognormal (model latency is heavy-tailed), green 30% slower: with
# the runbook's defaults (median, 8%, 40 probes a side, one steady probe per
# 10 s) the window holds too few probes for a verdict, so the step must wait.
# Esc comes first (identical colors at a noisy sigma take tens of seconds to
# decide); the 20 s window then forgets its probes while the next step decides.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 6
JOURNAL="$SANDBOX/state/journal.jsonl"
set_config rollout.ttft_halt_pct 8 rollout.min_samples 40 rollout.window_s 20 \
    probe.interval_s 10
"$SIM" ctl "$BLUE_ADDR" set ttft_ms=200 ttft_sigma=0.5 token_ms=5 tokens=2 >/dev/null
"$SIM" ctl "$GREEN_ADDR" set ttft_ms=200 ttft_sigma=0.5 token_ms=5 tokens=2 >/dev/null

export LANG=C.UTF-8 LC_ALL=C.UTF-8
tm new-session -d -s c -x 120 -y 36 "$CUTOVER -c $CONFIG"
wait_screen c "CONTROL" 15
tm send-keys -t c ']'
wait_screen c "y/n" 5
tm send-keys -t c 'y'
wait_screen c "deciding the step" 20
tm send-keys -t c Escape
wait_screen c "cancelled: the step was given up while it was deciding; nothing moved" 10
is "Esc while deciding gives the step up, and says so" "$?" "0"

"$SIM" ctl "$BLUE_ADDR" set ttft_sigma=0.2 >/dev/null
"$SIM" ctl "$GREEN_ADDR" set ttft_ms=260 ttft_sigma=0.2 >/dev/null
tm send-keys -t c ']'
wait_screen c "y/n" 5
tm send-keys -t c 'y'
# "deciding the step: 12/360 probe rounds, green +31.0% [+18.2%, +44.9%] (limit 8%)"
wait_screen c "deciding the step: [0-9]+/360 probe rounds" 20
is "] y on an undecided step shows the deciding progress in probe rounds" "$?" "0"
wait_screen c "deciding the step: [0-9]+/360 probe rounds, green [+-][0-9.]+% \[[+-][0-9.]+%, [+-][0-9.]+%\] \(limit 8%\)" 20
is "the progress shows green's estimate and its interval against the limit" "$?" "0"
wait_screen c "override <why>" 90
is "the verdict refuses the step" "$?" "0"
# The refusal, whole, from the journal (the screen may wrap it).
refusal=""
for _ in $(seq 1 50); do
    refusal=$(grep '"refused"' "$JOURNAL" 2>/dev/null | grep 'median TTFT' | tail -n 1)
    [ -n "$refusal" ] && break
    sleep 0.1
done
grep -Eq "green median TTFT [0-9.]+ ms is \+[0-9.]+% \[\+[0-9.]+%, \+[0-9.]+%\] over blue's [0-9.]+ ms \(limit 8%; [0-9]+ and [0-9]+ probes\)" <<<"$refusal"
is "the refusal names both medians, the interval and the probe counts" "$?" "0"
is "and nothing moved" "$(weights)" "100/0"
tm send-keys -t c Escape
wait_screen c "override cancelled" 5

finish
