#!/bin/bash
# A move killed with SIGKILL at a random point, 25 times in the direct CLI and
# 25 times in the server, is never a lie: every time the upstream file parses
# and passes nginx -t, the journal shows the interrupted move (its intent
# without an outcome), what nginx really routes (read from its access log,
# 40 requests through it) is what the journal last confirmed or the interrupted
# move's target, the next command reconciles (a shift is refused naming
# `cutover reconcile` and the reconcile settles it) or finds nothing to
# reconcile, and nginx's confirmed weights never move more than one step.
# The kill point is waited for, then delayed at random: from the start of the
# command, from its intent reaching the journal, from the upstream file
# saying the move's target, or from its outcome; so kills land before,
# during and after the file write and the reload. One kill in five is sent
# the moment the file says the target (watched by the process that starts
# the move), so every mode has kills between the write and the outcome however
# fast this machine reloads (5 kills whose delays all fell after the outcome
# once failed CI). Each kill's phase is read back from the journal and the
# file, and the counts are printed.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
N=${KILL_MOVE_N:-25}
SEED=${KILL_MOVE_SEED:-$$}
RANDOM=$SEED
JOURNAL="$SANDBOX/state/journal.jsonl"
ACCESS="$SANDBOX/access.log"
tap_plan 13
echo "# seed $SEED (KILL_MOVE_SEED=$SEED reproduces the delays)"
stop_all() {
    "$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1
    cleanup
}
trap stop_all EXIT

# jr MODE ...: what the journal says, in one python run (blue's weight stands
# for the pair).
cat >"$WORK/jr.py" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
moves = []
for line in open(path):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("move_id"):
        moves.append(e)
def blue(w):
    return w["blue"] if w else -1
def outcome(move_id):
    out = [m["outcome"] for m in moves if m["move_id"] == move_id and m["action"] != "intent"]
    return out[-1] if out else "none"
last = moves[-1] if moves else None
last_state = "pending" if last and last["action"] == "intent" else "done"
intents = [m for m in moves if m["action"] == "intent"]
if mode == "confirmed":         # what nginx was last confirmed to run
    print(blue(last["nginx"]))
elif mode == "intent":          # the newest intent: count id before after confirmed outcome
    e = intents[-1]
    print(len(intents), e["move_id"], blue(e["before"]), blue(e["after"]), blue(e["nginx"]),
          outcome(e["move_id"]))
elif mode == "settled":         # after the next command: id's outcome, last line, confirmed
    print(outcome(sys.argv[3]), last_state, blue(last["nginx"]))
elif mode == "jumps":           # largest step between confirmed weights, and how many
    prev, worst, n = None, 0, 0
    for e in moves:
        b = blue(e["nginx"])
        if b < 0:
            continue
        if prev is not None and b != prev:
            worst, n = max(worst, abs(b - prev)), n + 1
        prev = b
    print(worst, n)
PY
# The interpreter itself, found once: a python3 on PATH may be a shim that
# costs a second or more per start on a busy machine, and this runs ~150 times.
PY=$(python3 -c 'import sys; print(sys.executable)')
jr() { "$PY" "$WORK/jr.py" "$JOURNAL" "$@"; }
intents() { grep -c '"action":"intent"' "$JOURNAL"; }
moves() { grep -c '"move_id"' "$JOURNAL"; }
# wait_journal PID COUNTER N: until COUNTER (intents, moves) exceeds N, or
# the process is gone; polls, never guesses.
wait_journal() {
    for _ in $(seq 1 1000); do
        [ "$($2)" -gt "$3" ] && return
        kill -0 "$1" 2>/dev/null || return
        sleep 0.01
    done
}

# kill_at_write VICTIM TARGET DELAY -- COMMAND...: runs COMMAND, and SIGKILLs
# VICTIM (the command itself when VICTIM is "self", else that pid, with the
# command after it) DELAY seconds after the upstream file's header says blue
# TARGET: the move's atomic rename. Polled every millisecond in the process
# that started the move, so no write can pass before the watching begins (a
# shell loop costs a process start per look, longer than some reloads).
cat >"$WORK/kill_at_write.py" <<'PY'
import os, re, signal, subprocess, sys, time
victim, target, delay, path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
cmd = sys.argv[sys.argv.index("--") + 1:]
header = re.compile(r"^# weights: blue (\d+), green ", re.M)
child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.monotonic() + 10
while time.monotonic() < deadline and child.poll() is None:
    try:
        m = header.search(open(path).read(4096))
    except OSError:
        m = None
    if m and m.group(1) == target:
        break
    time.sleep(0.001)
time.sleep(delay)
for pid in ([child.pid] if victim == "self" else [int(victim), child.pid]):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
child.wait()
PY

# observe NAME: blue's share (percent) of 40 requests through nginx, from the
# upstream address nginx logged for each. nginx's weighted round robin is
# smooth, so 40 in a row land within one request of the weights.
observe() {
    local m="k$1" urls=() n=0
    for _ in $(seq 1 40); do urls+=("http://127.0.0.1:$NGINX_PORT/health?m=$m"); done
    curl -s "${urls[@]}" >/dev/null 2>&1
    for _ in $(seq 1 200); do
        n=$(grep -c "m=$m " "$ACCESS")
        [ "$n" -ge 40 ] && break
        sleep 0.05
    done
    echo $(( $(grep "m=$m " "$ACCESS" | grep -c "ua=\"$BLUE_ADDR\"") * 100 / 40 ))
}
near() { [ "$1" -ge 0 ] && [ $(( $1 > $2 ? $1 - $2 : $2 - $1 )) -le 5 ]; }

# file_blue: blue's weight in the upstream file (its header line; nginx -t
# parses the rest).
file_blue() { sed -n 's/^# weights: blue \([0-9]*\), green .*/\1/p' "$SANDBOX/upstream.conf"; }
# status_reconcile ARGS: does `cutover status --json` report a move to reconcile?
status_reconcile() {
    "$CUTOVER" -c "$CONFIG" status --json "$@" 2>/dev/null | "$PY" -c 'import json,sys
print("reconcile" in json.load(sys.stdin))'
}

BAD=0; BAD_DETAIL=()
fail() { BAD=$((BAD + 1)); BAD_DETAIL+=("$*"); }
declare -A PHASES
RECONCILED=0; CLOSED=0; NOTHING=0; ASKED=0
# The commands around a reconcile (status, check, a refused shift) are asked
# a few times per mode, not at every kill: each is a process start, and the
# 50 kills must stay within a couple of minutes on a busy machine.
ASK_MAX=3

# the move to kill, as MOVE_CMD (an argv array)
move_cmd() {
    if [ "$1" = cli ]; then
        MOVE_CMD=("$CUTOVER" -c "$CONFIG" shift "$DIR" --sample 0.3 --force --reason kill-test)
    else
        MOVE_CMD=("$CUTOVER" -c "$CONFIG" shift "$DIR")
    fi
}
# starts the move to kill; sets PID (the command) and VICTIM (what is killed)
start_move() {
    move_cmd "$1"
    "${MOVE_CMD[@]}" >/dev/null 2>&1 &
    PID=$!
    if [ "$1" = cli ]; then VICTIM=$PID; else VICTIM=$(cat "$SANDBOX/state/server.pid"); fi
}

# asks status, check and a shift while a reconcile is needed ($3: True/False)
ask_around() {
    local mode=$1 i=$2 needed=$3 rec rc
    if [ "$mode" = server ]; then rec=$(status_reconcile); else rec=$(status_reconcile --sample 0); fi
    [ "$rec" = "$needed" ] || fail "$mode $i: status says reconcile=$rec, expected $needed"
    [ "$needed" = True ] || return
    if [ "$ASKED" -eq 0 ]; then   # check runs the whole preflight: once per mode
        "$CUTOVER" -c "$CONFIG" check >"$WORK/check.out" 2>&1 &&
            fail "$mode $i: check passed with a move to reconcile"
        grep -q 'fail *moves.*cutover reconcile --apply' "$WORK/check.out" ||
            fail "$mode $i: check does not name the reconcile: $(grep moves "$WORK/check.out")"
    fi
    "$CUTOVER" -c "$CONFIG" shift "$DIR" >/dev/null 2>"$WORK/refused"
    rc=$?
    [ $rc -eq 5 ] && grep -q 'cutover reconcile --restore' "$WORK/refused" ||
        fail "$mode $i: a shift after the kill exited $rc: $(head -c 300 "$WORK/refused")"
    ASKED=$((ASKED + 1))
}

# One kill. $1: cli or server. Moves blue between 20 and 90 so no move is a
# cutover's first step or its last.
kill_one() {
    local mode=$1 i=$2 n0 m0 count id ib ia nb oc phase fb seen how state confirmed
    nb=$(jr confirmed)
    if [ "$nb" -ge 90 ]; then DIR=+10; elif [ "$nb" -le 20 ]; then DIR=-10; fi
    n0=$(intents); m0=$(moves)
    # one kill in five from each point; the delay after it is random but for
    # the kill at the write itself
    case $((i % 5)) in
    2|3) # 2: the file just renamed, nginx -t not finished; 3: nginx -t, the
         # reload and its confirmation. The move's target is one step from
         # the file's weights.
       local delay=0 victim=self
       [ $((i % 5)) -eq 3 ] && delay="0.$(printf '%03d' $((RANDOM % 600)))"
       [ "$mode" = server ] && victim=$(cat "$SANDBOX/state/server.pid")
       move_cmd "$mode"
       "$PY" "$WORK/kill_at_write.py" "$victim" "$(( $(file_blue) - DIR ))" "$delay" \
           "$SANDBOX/upstream.conf" -- "${MOVE_CMD[@]}" ;;
    *)
       start_move "$mode"
       case $((i % 5)) in
       0) # the CLI's sampling, the server's guards
          sleep "0.$(printf '%03d' $((RANDOM % 300)))" ;;
       1) # the version, the write
          wait_journal "$PID" intents "$n0"; sleep "0.$(printf '%03d' $((RANDOM % 100)))" ;;
       4) # the state saved, the listener check after a shift
          wait_journal "$PID" moves $((m0 + 1)); sleep "0.0$((RANDOM % 10))" ;;
       esac
       kill -KILL "$VICTIM" 2>/dev/null
       [ "$mode" = server ] && kill -KILL "$PID" 2>/dev/null   # its client waits for nothing now
       wait "$PID" 2>/dev/null ;;
    esac
    if [ "$mode" = server ] && ! "$CUTOVER" -c "$CONFIG" server start >/dev/null 2>&1; then
        fail "$mode $i: the server did not start again"; return
    fi

    # what the kill hit: the newest intent and its outcome, if any (a server
    # start closes one that never touched the file: "interrupted")
    fb=$(file_blue)
    if [ -z "$fb" ] || ! nginx_test; then
        fail "$mode $i: the upstream file does not parse or nginx -t fails"; return
    fi
    read -r count id ib ia nb oc <<<"$(jr intent)"
    state=done
    if [ "$count" -eq "$n0" ]; then phase="before the intent"; nb=$(jr confirmed)
    elif [ "$oc" != none ] && [ "$oc" != interrupted ]; then phase="after the outcome ($oc)"; nb=$(jr confirmed)
    elif [ "$fb" = "$ib" ]; then phase="after the intent, before the write"
    else phase="after the write, before the outcome"; state=pending; fi
    PHASES["$mode: $phase"]=$(( ${PHASES["$mode: $phase"]:-0} + 1 ))
    echo "# $mode kill $i ($DIR): $phase; file blue $fb, confirmed $nb (${SECONDS}s)"

    # what nginx routes: what was confirmed, or the interrupted move's target
    seen=$(observe "$mode$i")
    if ! near "$seen" "$nb" && ! { [ "$state" = pending ] && near "$seen" "$ia"; }; then
        fail "$mode $i: nginx routes blue $seen%, the journal allows $nb or ($state) $ia"
    fi
    local needed=False
    [ "$state" = pending ] && needed=True
    if { [ "$needed" = True ] && [ "$ASKED" -lt "$ASK_MAX" ]; } || [ $((i % 8)) -eq 1 ]; then
        ask_around "$mode" "$i" "$needed"
    fi

    # the next command reconciles, or finds nothing to
    if [ "$needed" = True ]; then
        how=--apply; [ $((RANDOM % 2)) -eq 0 ] && how=--restore
        "$CUTOVER" -c "$CONFIG" reconcile $how >"$WORK/rec.out" 2>&1 ||
            fail "$mode $i: reconcile $how failed: $(head -c 300 "$WORK/rec.out")"
        RECONCILED=$((RECONCILED + 1))
    else
        "$CUTOVER" -c "$CONFIG" reconcile >"$WORK/rec.out" 2>&1 ||
            fail "$mode $i: reconcile with nothing to do failed: $(head -c 300 "$WORK/rec.out")"
        if [ "$phase" = "after the intent, before the write" ]; then CLOSED=$((CLOSED + 1))
        else NOTHING=$((NOTHING + 1)); fi
    fi
    read -r oc state confirmed <<<"$(jr settled "$id")"
    [ "$state" = done ] || fail "$mode $i: still an intent without an outcome after reconciling"
    case "$phase" in after\ the\ intent*|after\ the\ write*)
        [ "$oc" = interrupted ] ||
            fail "$mode $i: the interrupted move $id has outcome '$oc', not 'interrupted'" ;;
    esac
    if [ "$needed" = True ]; then
        seen=$(observe "$mode${i}r")
        near "$seen" "$confirmed" ||
            fail "$mode $i: after reconciling nginx routes blue $seen%, confirmed $confirmed"
    fi
}

# A first step (with its preflight) outside the kills.
check "first step to 90/10" "$CUTOVER" -c "$CONFIG" shift +10
DIR=+10
for i in $(seq 1 "$N"); do kill_one cli "$i"; done
is "CLI: $N kills, every check held" "$BAD" "0"
for d in "${BAD_DETAIL[@]}"; do echo "#   $d"; done
BAD=0; BAD_DETAIL=()
read -r worst steps <<<"$(jr jumps)"
is "CLI: nginx's confirmed weights moved $steps times, never more than one step" \
    "$([ "$worst" -le 10 ] && echo yes || echo "no: $worst points")" yes
echo "# CLI: reconciled $RECONCILED (apply or restore), closed before the write $CLOSED, nothing to do $NOTHING"
cli_counts="$RECONCILED/$CLOSED/$NOTHING"
RECONCILED=0; CLOSED=0; NOTHING=0; ASKED=0

check "a server starts" "$CUTOVER" -c "$CONFIG" server start
for i in $(seq 1 "$N"); do kill_one server "$i"; done
is "server: $N kills, every check held" "$BAD" "0"
for d in "${BAD_DETAIL[@]}"; do echo "#   $d"; done
read -r worst steps <<<"$(jr jumps)"
is "server: nginx's confirmed weights moved $steps times, never more than one step" \
    "$([ "$worst" -le 10 ] && echo yes || echo "no: $worst points")" yes
echo "# server: reconciled $RECONCILED (apply or restore), closed before the write $CLOSED, nothing to do $NOTHING"
for k in "${!PHASES[@]}"; do echo "# kills $k: ${PHASES[$k]}"; done | sort

# Every phase was hit at least once in each mode (kill 2 of every 5 waits for the write).
for mode in cli server; do
    hit=0
    for k in "${!PHASES[@]}"; do case "$k" in "$mode: after the write"*) hit=1;; esac; done
    is "$mode: some kills landed between the file write and the outcome" "$hit" 1
    hit=0
    for k in "${!PHASES[@]}"; do case "$k" in "$mode: after the outcome"*) hit=1;; esac; done
    is "$mode: some kills landed after the outcome" "$hit" 1
done
is "a reconcile was needed and done at least once in each mode" \
    "$([ "${cli_counts%%/*}" -gt 0 ] && [ "$RECONCILED" -gt 0 ] && echo yes)" yes
check "a shift after all that still works" "$CUTOVER" -c "$CONFIG" shift +10
check "the server stops" "$CUTOVER" -c "$CONFIG" server stop --force
finish
