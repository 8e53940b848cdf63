#!/bin/bash
# A move killed with SIGKILL at a random point, 25 times in the direct CLI and
# 25 times in the server, is never a lie: every time the upstream file parses
# and passes nginx -t, the journal shows the interrupted move (its intent
# without an outcome), what nginx really routes (read from its access log,
# 40 requests through it) is what the journal last confirmed or the interrupted
# move's target, the next command reconciles (a shift is refused naming
# `cutover reconcile` and the reconcile settles it) or finds nothing to
# reconcile, and nginx's confirmed weights never move more than one step.
# The kill point is a random delay, drawn from the start of the command or
# from the moment its intent reached the journal, so kills land before, during
# and after the file write and the reload; each kill's phase is read back from
# the journal and the file, and the counts are printed.
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

# jr MODE: what the journal says (blue's weight stands for the pair).
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
if mode == "intents":
    print(sum(1 for e in moves if e["action"] == "intent"))
elif mode == "last":            # pending|done id before after confirmed outcome
    e = moves[-1]
    state = "pending" if e["action"] == "intent" else "done"
    print(state, e["move_id"], blue(e["before"]), blue(e["after"]), blue(e["nginx"]),
          "-" if state == "pending" else e["outcome"])
elif mode == "intent":          # the newest intent: id before after confirmed, its outcome
    e = [m for m in moves if m["action"] == "intent"][-1]
    out = [m["outcome"] for m in moves if m["move_id"] == e["move_id"] and m["action"] != "intent"]
    print(e["move_id"], blue(e["before"]), blue(e["after"]), blue(e["nginx"]),
          out[-1] if out else "none")
elif mode == "outcome":         # the outcome journaled for a move id
    out = [e["outcome"] for e in moves if e["move_id"] == sys.argv[3] and e["action"] != "intent"]
    print(out[-1] if out else "none")
elif mode == "jumps":           # largest step between confirmed weights, and how many
    last, worst, n = None, 0, 0
    for e in moves:
        b = blue(e["nginx"])
        if b < 0:
            continue
        if last is not None and b != last:
            worst, n = max(worst, abs(b - last)), n + 1
        last = b
    print(worst, n)
PY
jr() { python3 "$WORK/jr.py" "$JOURNAL" "$@"; }
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
# status_reconcile: does `cutover status --json` report a move to reconcile?
status_reconcile() {
    "$CUTOVER" -c "$CONFIG" status --json "$@" 2>/dev/null | python3 -c 'import json,sys
print("reconcile" in json.load(sys.stdin))'
}

BAD=0; BAD_DETAIL=()
fail() { BAD=$((BAD + 1)); BAD_DETAIL+=("$*"); }
declare -A PHASES
RECONCILED=0; CLOSED=0; NOTHING=0; REFUSED_OK=0; CHECK_FAILS=0

# One kill. $1: cli or server. Moves blue between 20 and 90 so no move is a
# cutover's first step or its last.
kill_one() {
    local mode=$1 i=$2 blue dir pid victim before state id ib ia nb oc phase fb rec seen
    read -r state id ib ia nb oc <<<"$(jr last)"
    blue=$nb
    if [ "$blue" -ge 90 ]; then DIR=+10; elif [ "$blue" -le 20 ]; then DIR=-10; fi
    before=$(intents)
    if [ "$mode" = cli ]; then
        "$CUTOVER" -c "$CONFIG" shift "$DIR" --sample 0.3 --force --reason kill-test \
            >/dev/null 2>&1 &
        pid=$!; victim=$pid
    else
        "$CUTOVER" -c "$CONFIG" shift "$DIR" >/dev/null 2>&1 &
        pid=$!; victim=$(cat "$SANDBOX/state/server.pid")
    fi
    # one kill in five from the start, three from the intent, one from the
    # outcome; the delay within each is random
    local draw=$((i % 5)) outcomes
    outcomes=$(moves)
    if [ $draw -eq 0 ]; then
        # from the start: the CLI's sampling, the server's guards
        sleep "0.$(printf '%03d' $((RANDOM % 300)))"
    elif [ $draw -lt 4 ]; then
        # from the intent: the version, the write, nginx -t, the reload and
        # its confirmation take about a second here
        wait_journal "$pid" intents "$before"
        sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
    else
        # from the outcome: the state saved, the listener check after a shift
        wait_journal "$pid" moves $((outcomes + 1))
        sleep "0.0$((RANDOM % 10))"
    fi
    kill -KILL "$victim" 2>/dev/null
    # the server's client has nothing left to wait for
    [ "$mode" = server ] && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ "$mode" = server ] && { "$CUTOVER" -c "$CONFIG" server start >/dev/null 2>&1 ||
        fail "$mode $i: the server did not start again"; }

    # what the kill hit: the newest intent and its outcome, if any (a server
    # start closes one that never touched the file: "interrupted")
    fb=$(file_blue)
    if ! nginx_test || [ -z "$fb" ]; then
        fail "$mode $i: the upstream file does not parse or nginx -t fails"; return
    fi
    read -r id ib ia nb oc <<<"$(jr intent)"
    state=done; [ "$oc" = none ] && state=pending
    if [ "$(intents)" -eq "$before" ]; then phase="before the intent"; read -r state id ib ia nb oc <<<"$(jr last)"
    elif [ "$oc" != none ] && [ "$oc" != interrupted ]; then phase="after the outcome ($oc)"; read -r state id ib ia nb oc <<<"$(jr last)"
    elif [ "$fb" = "$ib" ]; then phase="after the intent, before the write"
    else phase="after the write, before the outcome"; fi
    PHASES["$mode: $phase"]=$(( ${PHASES["$mode: $phase"]:-0} + 1 ))
    echo "# $mode kill $i ($DIR): $phase; file blue $fb, confirmed $nb (at ${SECONDS}s)"

    # what nginx routes: what was confirmed, or the interrupted move's target
    seen=$(observe "$mode$i")
    if ! near "$seen" "$nb" && ! { [ "$state" = pending ] && near "$seen" "$ia"; }; then
        fail "$mode $i: nginx routes blue $seen%, the journal allows $nb or ($state) $ia"
    fi
    local needed=False
    [ "$state" = pending ] && [ "$fb" != "$nb" ] && needed=True
    # status says so (through the server: its snapshot); asked every time it
    # must, and every few times it must not
    if [ "$needed" = True ] || [ $((i % 5)) -eq 0 ]; then
        if [ "$mode" = server ]; then rec=$(status_reconcile); else rec=$(status_reconcile --sample 0); fi
        [ "$rec" = "$needed" ] || fail "$mode $i: status says reconcile=$rec, expected $needed"
    fi

    # the next command
    if [ "$needed" = True ]; then
        if [ $CHECK_FAILS -lt 2 ] && [ "$mode" = server -o $CHECK_FAILS -eq 0 ]; then
            "$CUTOVER" -c "$CONFIG" check >"$WORK/check.out" 2>&1 &&
                fail "$mode $i: check passed with a move to reconcile"
            grep -q 'fail *moves.*cutover reconcile --apply' "$WORK/check.out" ||
                fail "$mode $i: check does not name the reconcile: $(grep moves "$WORK/check.out")"
            CHECK_FAILS=$((CHECK_FAILS + 1))
        fi
        "$CUTOVER" -c "$CONFIG" shift "$DIR" >/dev/null 2>"$WORK/refused"
        local rc=$?
        if [ $rc -eq 5 ] && grep -q 'cutover reconcile --restore' "$WORK/refused"; then
            REFUSED_OK=$((REFUSED_OK + 1))
        else
            fail "$mode $i: a shift after the kill exited $rc: $(head -c 300 "$WORK/refused")"
        fi
        local how=--apply
        [ $((RANDOM % 2)) -eq 0 ] && how=--restore
        "$CUTOVER" -c "$CONFIG" reconcile $how >"$WORK/rec.out" 2>&1 ||
            fail "$mode $i: reconcile $how failed: $(head -c 300 "$WORK/rec.out")"
        [ "$(jr outcome "$id")" = interrupted ] ||
            fail "$mode $i: the interrupted move $id has no 'interrupted' outcome"
        RECONCILED=$((RECONCILED + 1))
        read -r state id ib ia nb oc <<<"$(jr last)"
        seen=$(observe "$mode${i}r")
        near "$seen" "$nb" || fail "$mode $i: after reconciling nginx routes blue $seen%, confirmed $nb"
    else
        "$CUTOVER" -c "$CONFIG" reconcile >"$WORK/rec.out" 2>&1 ||
            fail "$mode $i: reconcile with nothing to do failed: $(head -c 300 "$WORK/rec.out")"
        if [ "$state" = pending ] || [ "$oc" = interrupted ]; then
            [ "$(jr outcome "$id")" = interrupted ] ||
                fail "$mode $i: the move $id interrupted before its write was not closed"
            CLOSED=$((CLOSED + 1))
        else
            grep -q 'nothing to reconcile' "$WORK/rec.out" ||
                fail "$mode $i: reconcile said: $(head -c 300 "$WORK/rec.out")"
            NOTHING=$((NOTHING + 1))
        fi
    fi
    read -r state id ib ia nb oc <<<"$(jr last)"
    [ "$state" = done ] || fail "$mode $i: still an intent without an outcome after reconciling"
}

# A first step (with its preflight) outside the kills.
check "first step to 90/10" "$CUTOVER" -c "$CONFIG" shift +10
DIR=+10
for i in $(seq 1 "$N"); do kill_one cli "$i"; done
is "CLI: $N kills, every check held" "$BAD" "0"
for d in "${BAD_DETAIL[@]}"; do echo "#   $d"; done
CLI_BAD=$BAD; BAD=0; BAD_DETAIL=()
read -r worst steps <<<"$(jr jumps)"
is "CLI: nginx's confirmed weights moved $steps times, never more than one step" \
    "$([ "$worst" -le 10 ] && echo yes || echo "no: $worst points")" yes
echo "# CLI: reconciled $RECONCILED (a shift refused first: $REFUSED_OK), closed before the write $CLOSED, nothing to do $NOTHING"
cli_counts="$RECONCILED/$CLOSED/$NOTHING"
RECONCILED=0; CLOSED=0; NOTHING=0; REFUSED_OK=0

check "a server starts" "$CUTOVER" -c "$CONFIG" server start
for i in $(seq 1 "$N"); do kill_one server "$i"; done
is "server: $N kills, every check held" "$BAD" "0"
for d in "${BAD_DETAIL[@]}"; do echo "#   $d"; done
read -r worst steps <<<"$(jr jumps)"
is "server: nginx's confirmed weights moved $steps times, never more than one step" \
    "$([ "$worst" -le 10 ] && echo yes || echo "no: $worst points")" yes
echo "# server: reconciled $RECONCILED (a shift refused first: $REFUSED_OK), closed before the write $CLOSED, nothing to do $NOTHING"
for k in "${!PHASES[@]}"; do echo "# kills $k: ${PHASES[$k]}"; done | sort

# Every phase was hit at least once in each mode (the delays are spread).
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
