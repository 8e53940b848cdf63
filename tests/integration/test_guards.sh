#!/bin/bash
# The runbook's rules, enforced: a candidate 20% slower to its first token is
# refused with the numbers, 3% passes, --force passes and is journaled; the
# color at 0 is "drained" only after its connections close and stay closed;
# a 5% error rate on the candidate at 50/50 rolls back by itself after the
# sustain (compressed here), with the hook run and the reason journaled, while
# a burst shorter than the sustain does not.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 17
JOURNAL="$SANDBOX/state/journal.jsonl"
set_config rollout.ttft_halt_pct 8 rollout.min_samples 5 probe.interval_s 0.2 \
    rollout.window_s 4 rollout.excess_5xx_for_s 8 rollout.drain_idle_s 4 \
    hooks.on_rollback "[[\"python3\", \"-c\", \"import os; open('$WORK/hook.out', 'w').write(os.environ['CUTOVER_REASON'])\"]]"
trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; kill $LOAD_PID $HOLD_PID 2>/dev/null; cleanup' EXIT
# Probes read each answer to [DONE]: the sims stream their tokens 2 ms apart,
# so a 3 s sample still holds the 5 probes a color the TTFT guard needs.
sims() { "$SIM" ctl "$BLUE_ADDR" set "$1" jitter_pct=0 token_ms=2 >/dev/null; "$SIM" ctl "$GREEN_ADDR" set "$2" jitter_pct=0 token_ms=2 >/dev/null; }

# --- TTFT halt, without a server (the CLI samples first) ------------------------
# 300 ms against 360: a busy machine's wake-up delay adds to both medians
# alike and shrinks their ratio; at 100 against 120 ms a load of 12 shrank
# 20% below the 8% limit. Here it would take +450 ms.
sims ttft_ms=300 ttft_ms=360
"$CUTOVER" -c "$CONFIG" shift +10 --sample 3 >"$WORK/out" 2>&1
rc=$?
# The numbers: neither median under what the sims were set to, the ratio
# the one they give, over the limit. A busy machine adds its wake-up delay to
# both medians (+20 ms each was seen at a load of 8), so the ratio is not
# pinned to 20%: the refusal must follow from the numbers it names.
numbers_agree() {
    python3 - "$1" <<'PY'
import re, sys
m = re.search(r"green median TTFT ([0-9.]+) ms is \+([0-9.]+)% \[\+([0-9.]+)%, \+([0-9.]+)%\] "
              r"over blue's ([0-9.]+) ms \(limit 8%; ([0-9]+) and ([0-9]+) probes\)",
              open(sys.argv[1]).read())
if not m:
    sys.exit(1)
g, pct, lo, hi, b = float(m[1]), float(m[2]), float(m[3]), float(m[4]), float(m[5])
ng, nb = int(m[6]), int(m[7])
# Halted on its interval: the low end over the limit, the estimate inside it.
sys.exit(0 if g >= 359.0 and b >= 299.0 and lo > 8 and lo <= pct <= hi
         and ng >= 5 and nb >= 5 else 1)
PY
}
if [ $rc -eq 5 ] && numbers_agree "$WORK/out"; then
    ok "20% slower: shift +10 refused with the numbers: $(head -n1 "$WORK/out")"
else not_ok "20% slower: shift +10 refused with the numbers" "exit $rc: $(cat "$WORK/out")"; fi
is "nothing moved" "$(weights)" "100/0"
grep -q '"action":"shift".*"outcome":"refused","error":"refused: green median TTFT' "$JOURNAL"
is "the refusal is journaled with its numbers" "$?" "0"
sims ttft_ms=300 ttft_ms=309
# Medians, as the runbook says: a busy machine's late wake-ups move a few
# probes (a p95 of ten read 3% as 9%), not half of them. One try.
check "3% slower: shift +10 goes through" "$CUTOVER" -c "$CONFIG" shift +10 --sample 4
sims ttft_ms=300 ttft_ms=360
check "--force --reason passes a refused step" "$CUTOVER" -c "$CONFIG" shift +10 --sample 5 \
    --force --reason "green warms its cache; ticket OPS-7"
is "to 80/20" "$(weights)" "80/20"
# The override carries the verdict it overrode: its numbers (a machine too
# busy to probe 5 times a color in the sample overrides "undecided" with
# its probe counts instead) and the reason.
grep -Eq '"action":"override".*override of \\"refused: .*(green median TTFT [0-9.]+ ms|green has [0-9]+ successful probes).*: green warms its cache; ticket OPS-7' "$JOURNAL"
is "the override is journaled with the numbers and the reason" "$?" "0"

# --- drain: the color at 0 ---------------------------------------------------------
sims ttft_ms=100 ttft_ms=100
check "back to 100/0 (steps toward the stable color are never held)" "$CUTOVER" -c "$CONFIG" shift --to 0
check "the server starts" "$CUTOVER" -c "$CONFIG" server start
drain() { "$CUTOVER" -c "$CONFIG" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["guards"]["drain"])'; }
GPORT=${GREEN_ADDR##*:}
# Three connections held open to green until the test lets them go (a
# file it removes), so the test waits for each state instead of guessing
# how long a busy machine takes to see it.
touch "$WORK/hold"
python3 -c "
import os, socket, time
s = [socket.create_connection(('127.0.0.1', $GPORT)) for _ in range(3)]
open('$WORK/held', 'w').close()
while os.path.exists('$WORK/hold'): time.sleep(0.05)" &
HOLD_PID=$!
# Counts are taken every second: allow the snapshot a few seconds to see it.
state=""
for _ in $(seq 1 150); do
    [ -f "$WORK/held" ] && { state=$(drain); [ "$state" = draining ] && break; }
    sleep 0.1
done
is "with 3 connections held open to green it is draining" "$state" "draining"
released=$(date +%s.%N)
rm -f "$WORK/hold"
wait $HOLD_PID
# Each poll is a process or two (slow on a busy machine), so "idle" may pass
# between two polls: the server's own record says when it drained.
for _ in $(seq 1 300); do state=$(drain); [ "$state" = drained ] && break; sleep 0.1; done
is "when they close, the color drains" "$state" "drained"
after=$(python3 - "$JOURNAL" "$released" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
t = [e["time"] for e in ev if e.get("action") == "drain" and e.get("outcome") == "drained"]
print(round(t[-1] - float(sys.argv[2]), 1) if t else "none")
PY
)
if python3 -c "import sys; sys.exit(0 if '$after' != 'none' and float('$after') >= 4.0 else 1)"; then
    ok "not at once: drained only after drain_idle_s (4 s) without a connection (${after} s after they closed)"
else not_ok "drained only after drain_idle_s" "journal: drained ${after} s after they closed"; fi

# --- 5xx excess: a burst, then a sustained excess ------------------------------------
# a step at a time (--to further than a step is refused); forced, since this
# part is about the 5xx excess and each step would face the TTFT guard
check "to 50/50 through the server" shift_to 50 --force --reason "to Half for the 5xx test"
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --rps 150 \
    --concurrency 32 --duration 60 --quiet >/dev/null 2>&1 &
LOAD_PID=$!
sleep 3
"$SIM" ctl "$GREEN_ADDR" set error_rate=0.05 >/dev/null
sleep 1.5
"$SIM" ctl "$GREEN_ADDR" set error_rate=0 >/dev/null
sleep 9
is "a burst shorter than the sustain does not roll back" "$(weights)" "50/50"
"$SIM" ctl "$GREEN_ADDR" set error_rate=0.05 >/dev/null
start=$(date +%s)
for _ in $(seq 1 200); do [ "$(weights)" = "100/0" ] && break; sleep 0.1; done
took=$(( $(date +%s) - start ))
if [ "$(weights)" = "100/0" ] && [ $took -ge 7 ]; then
    ok "5% errors on green at 50/50: rolled back by itself after ${took} s (sustain 8 s)"
else not_ok "5% errors at 50/50 roll back after the sustain" "weights $(weights) after ${took} s"; fi
grep -q '"action":"auto-rollback","before":{"blue":50,"green":50},"after":{"blue":100,"green":0}.*"outcome":"started","error":"green 5xx [0-9.]*% vs blue [0-9.]*% for [0-9]* s (+' "$JOURNAL"
is "the journal says why" "$?" "0"
# The hook is a child the rollback spawns: its file may come a moment after
# the weights moved.
for _ in $(seq 1 100); do [ -s "$WORK/hook.out" ] && break; sleep 0.1; done
case "$(cat "$WORK/hook.out" 2>/dev/null)" in
    *"green 5xx"*) ok "the hook ran with the reason: $(cat "$WORK/hook.out")" ;;
    *) not_ok "the hook ran with the reason" "$(cat "$WORK/hook.out" 2>&1)" ;;
esac
finish
