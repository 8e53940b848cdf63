#!/bin/bash
# Direction is never hard-coded: once green holds 100 it is the stable color and
# the next +10 moves toward blue; rollback returns all weight to the stable
# color and runs the candidate's stop command. At 50/50 with no state, cutover
# asks which color is stable instead of guessing.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 14

st() { "$CUTOVER" -c "$CONFIG" status --json --sample 0; }
field() { json_field "$(st)" "$1"; }

check "shift to 100, a step at a time (blue -> green)" shift_to 100
is "0/100" "$(weights)" "0/100"
is "green is now the stable color" "$(field stable)" "green"
is "phase Complete" "$(field phase)" "Complete"
check "shift +10 moves toward blue" "$CUTOVER" -c "$CONFIG" shift +10
is "10/90" "$(weights)" "10/90"
is "blue is the candidate" "$(field candidate)" "blue"
check "shift to 50" shift_to 50
"$CUTOVER" -c "$CONFIG" rollback >"$WORK/rb.out" 2>&1
is "rollback exits 0" "$?" "0"
is "rollback at 50/50 returns all weight to green" "$(weights)" "0/100"
# blue's stop command is `cutover-sim ctl ADDR quit`: the blue sim goes away.
gone=no
for _ in $(seq 1 100); do
    "$SIM" ctl "$BLUE_ADDR" stats >/dev/null 2>&1 || { gone=yes; break; }
    sleep 0.1
done
is "the candidate's stop command ran (blue sim stopped)" "$gone" "yes"
grep -q '"action":"stop".*"outcome":"ok"' "$SANDBOX/state/journal.jsonl"
is "the journal records the stop" "$?" "0"

# A hand-written 50/50 file and no state: cutover must be told.
rm -f "$SANDBOX/state/rollout.json"
cat >"$SANDBOX/upstream.conf" <<EOF2
upstream openclaw_gateway {
    least_conn;
    server $BLUE_ADDR weight=5;
    server $GREEN_ADDR weight=5;
}
EOF2
"$CUTOVER" -c "$CONFIG" shift +10 >/dev/null 2>"$WORK/err"
is "50/50 without state is refused (exit 5)" "$?" "5"
"$CUTOVER" -c "$CONFIG" status --stable green --json --sample 0 >"$WORK/st" 2>&1
is "--stable green names it" "$(json_field "$(cat "$WORK/st")" candidate)" "blue"
finish
