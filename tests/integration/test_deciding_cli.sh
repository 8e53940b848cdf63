#!/bin/bash
# A step the TTFT verdict must wait for, from the CLI through the server: the
# CLI prints the server's deciding progress on stderr while it waits, then the
# verdict; Ctrl-C on a CLI whose step is still deciding gives the step up
# (the server journals it cancelled, nothing moves), as Esc does in the
# console. Lognormal TTFT (the sims' ttft_sigma), runbook defaults for the
# verdict (median, 8%, 40 probes a side, one steady probe per 10 s).
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 6
trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; cleanup' EXIT
JOURNAL="$SANDBOX/state/journal.jsonl"
set_config rollout.ttft_halt_pct 8 rollout.min_samples 40 rollout.window_s 20 \
    probe.interval_s 10
"$SIM" ctl "$BLUE_ADDR" set ttft_ms=200 ttft_sigma=0.5 token_ms=5 tokens=2 >/dev/null
"$SIM" ctl "$GREEN_ADDR" set ttft_ms=200 ttft_sigma=0.5 token_ms=5 tokens=2 >/dev/null
check "cutover server start" "$CUTOVER" -c "$CONFIG" server start

# Ctrl-C first: identical colors at sigma 0.5 take tens of seconds to decide.
# As a terminal's foreground job: SIGINT at its default. A script's
# background job ignores it, and so does everything started under a CI
# runner that ran this suite in the background (an ignored signal stays
# ignored across exec, and bash cannot reset it): python3 resets it first.
python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$CUTOVER" -c "$CONFIG" shift +10 >"$WORK/int.out" 2>"$WORK/int.err" &
pid=$!
for _ in $(seq 1 300); do grep -q "deciding the step" "$WORK/int.err" && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
cancelled=""
for _ in $(seq 1 100); do
    cancelled=$(grep '"action":"shift"' "$JOURNAL" | grep '"outcome":"cancelled"')
    [ -n "$cancelled" ] && break
    sleep 0.1
done
check "Ctrl-C on a deciding CLI: the server journals the step cancelled" test -n "$cancelled"
is "and nothing moved" "$(weights)" "100/0"

# Green 30% slower: decided within seconds of probing.
"$SIM" ctl "$BLUE_ADDR" set ttft_sigma=0.2 >/dev/null
"$SIM" ctl "$GREEN_ADDR" set ttft_ms=260 ttft_sigma=0.2 >/dev/null
"$CUTOVER" -c "$CONFIG" shift +10 >"$WORK/step.out" 2>"$WORK/step.err"
is "shift +10 is refused (exit 5)" "$?" "5"
check "stderr showed the deciding progress: rounds, green's estimate and interval" \
    grep -Eq "^deciding the step: [0-9]+/360 probe rounds, green [+-][0-9.]+% \[[+-][0-9.]+%, [+-][0-9.]+%\] \(limit 8%\)" \
    "$WORK/step.err"
check "the verdict names both medians, the interval and the probe counts" \
    grep -Eq "green median TTFT [0-9.]+ ms is \+[0-9.]+% \[\+[0-9.]+%, \+[0-9.]+%\] over blue's [0-9.]+ ms \(limit 8%; [0-9]+ and [0-9]+ probes\)" \
    "$WORK/step.out" "$WORK/step.err"
finish
