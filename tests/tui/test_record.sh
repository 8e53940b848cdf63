#!/bin/bash
# --record: the console's screen as an asciicast v2 file that the real
# asciinema client plays. A recording cut short by SIGKILL still plays and
# `asciinema cat` reproduces the last screen the terminal showed; resizes
# and every journal event are in it (r and m events), keys and the probe's
# auth header never are.
. "$top_srcdir/tests/integration/lib.sh"
command -v asciinema >/dev/null 2>&1 || skip_all "asciinema not installed"
start_sandbox
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 16
SECRET="cutover-test-secret-7f3a"
set_config probe.headers "{\"Authorization\": \"Bearer $SECRET\"}"
# cast_events FILE CODE: the data of every event with that code, one a line.
cast_events() {
    python3 - "$1" "$2" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
for l in lines[1:]:
    if not l.strip():
        continue
    try:
        t, code, data = json.loads(l)
    except ValueError:
        continue            # a line cut by the kill
    if code == sys.argv[2]:
        print(data)
PY
}

export LANG=C.UTF-8 LC_ALL=C.UTF-8
tm new-session -d -s rec -x 100 -y 30
tm set-option -g remain-on-exit on
tm set-option -g remain-on-exit-format ""
CAST="$WORK/session.cast"
tm respawn-pane -k -t rec "$CUTOVER -c $CONFIG --record $CAST"
wait_screen rec "CONTROL" 15
is "the recorded console opens in CONTROL" "$?" "0"
# The TTFT guard judges once both colors have a probe.
wait_screen rec "ttft +ok" 15
tm send-keys -t rec ']'
wait_screen rec "y/n" 3
tm send-keys -t rec 'y'
wait_screen rec "blue +90 .* 10 green" 10
rc=$?
[ $rc -eq 0 ] || tail -n 1 "$SANDBOX/state/journal.jsonl" | sed "s/^/# /"
is "a shift works while recording" "$rc" "0"
tm resize-window -t rec -x 90 -y 26
wait_screen rec "CONTROL" 5
sleep 1.5
pid=$(tm list-panes -t rec -F '#{pane_pid}')
kill -KILL "$pid"
sleep 0.5
screen_of rec >"$WORK/final.txt"
grep -qE "blue +90 .* 10 green" "$WORK/final.txt"
is "the killed console's last screen shows 90/10" "$?" "0"

head -n 1 "$CAST" | python3 -c 'import json,sys
h=json.load(sys.stdin)
assert h["version"]==2 and h["width"]==100 and h["height"]==30, h
assert h["env"]["TERM"] and "SHELL" in h["env"] and h["title"].startswith("cutover on"), h'
is "the header is asciicast v2 with the size, title and env" "$?" "0"
is "the resize is recorded" "$(cast_events "$CAST" r | tail -n 1)" "90x26"
cast_events "$CAST" m >"$WORK/markers"
grep -qx "shift 100/0 -> 90/10" "$WORK/markers"   # issue 14: from -> to
is "the shift is a marker" "$?" "0"
is "no input events: keys are never recorded" "$(cast_events "$CAST" i | wc -l)" "0"
is "the probe's auth header appears nowhere" "$(grep -c "$SECRET" "$CAST")" "0"

# The real client plays the killed recording; its last frame is the screen.
tm new-window -d -t rec: -n play "asciinema cat $CAST; echo; echo PLAYED \$?; sleep 60"
tm resize-window -t rec:play -x 90 -y 26
for _ in $(seq 1 50); do screen_of rec:play | grep -q "PLAYED" && break; sleep 0.1; done
# The player's own last lines ("PLAYED") scrolled nothing: the console
# drew the whole screen, so compare all but the lines the echo wrote on.
screen_of rec:play >"$WORK/played.txt"
grep -q "PLAYED 0" "$WORK/played.txt"
is "asciinema cat plays the recording of a killed console (exit 0)" "$?" "0"
python3 - "$WORK/final.txt" "$WORK/played.txt" <<'PY'
import sys
final = open(sys.argv[1]).read().rstrip("\n").split("\n")
played = open(sys.argv[2]).read().rstrip("\n").split("\n")
# asciinema cat leaves the cursor where the console left it; our echo then
# wrote "PLAYED 0" below: compare the rows above the first changed one.
same = sum(1 for a, b in zip(final, played) if a == b)
need = len([l for l in final if l.strip()]) - 3
if same < need:
    print("# final:\n# " + "\n# ".join(final))
    print("# played:\n# " + "\n# ".join(played))
    sys.exit(1)
PY
is "asciinema cat reproduces the final screen" "$?" "0"

# A console that quits normally closes the file; it plays too.
CAST2="$WORK/quit.cast"
tm new-window -d -t rec: -n q "$CUTOVER -c $CONFIG --watch --record $CAST2"
wait_screen rec:q "WATCH" 15
tm send-keys -t rec:q 'q'
for _ in $(seq 1 50); do tm list-panes -t rec:q -F '#{pane_dead}' | grep -q 1 && break; sleep 0.1; done
tm new-window -d -t rec: -n play2 "asciinema cat $CAST2; echo PLAYED \$?; sleep 60"
for _ in $(seq 1 50); do screen_of rec:play2 | grep -q "PLAYED" && break; sleep 0.1; done
screen_of rec:play2 | grep -q "PLAYED 0"
is "a normally closed recording plays" "$?" "0"
# Its end is the console's goodbye: the viewer's terminal is left as the
# operator's was, on the main screen with a cursor.
is "played to the end, it leaves the viewer's terminal on the main screen with a cursor" \
    "$(tm display-message -p -t rec:play2 '#{alternate_on} #{cursor_flag}')" "0 1"
# A big screen redrawn whole (the pty's buffer is far smaller) does not
# freeze a recording console, and Ctrl-C, SIGTERM or a crash leave the
# terminal as it was: modes, main screen, cursor.
for how in C-c TERM SEGV; do
    tm new-window -d -t rec: -n "sig$how" \
        "stty -g >$WORK/stty.before; $CUTOVER -c $CONFIG --watch --record $WORK/$how.cast; stty -g >$WORK/stty.after; sleep 60"
    tm resize-window -t "rec:sig$how" -x 250 -y 80
    wait_screen "rec:sig$how" "WATCH" 15
    for _ in 1 2 3 4; do tm send-keys -t "rec:sig$how" t; sleep 0.3; done
    wait_screen "rec:sig$how" "theme" 5
    alive=$?
    if [ "$how" = C-c ]; then tm send-keys -t "rec:sig$how" C-c
    else pkill "-$how" -f "^$CUTOVER .*--record $WORK/$how.cast"; fi
    for _ in $(seq 1 200); do [ -s "$WORK/stty.after" ] && break; sleep 0.1; done
    state=$(tm display-message -p -t "rec:sig$how" '#{alternate_on} #{cursor_flag}')
    if [ $alive -eq 0 ] && [ -s "$WORK/stty.after" ] && cmp -s "$WORK/stty.before" "$WORK/stty.after" &&
        [ "$state" = "0 1" ]; then
        ok "recording at 250x80 with full redraws, then $how: quits, terminal restored"
    else
        not_ok "recording at 250x80 with full redraws, then $how: quits, terminal restored" \
            "redraws answered: $alive, stty $(cat "$WORK/stty.before" 2>/dev/null) -> $(cat "$WORK/stty.after" 2>/dev/null), alternate/cursor: $state"
    fi
    rm -f "$WORK/stty.before" "$WORK/stty.after"
done

"$CUTOVER" -c "$CONFIG" --record /nonexistent-dir/x.cast >"$WORK/bad.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "cannot write the recording /nonexistent-dir/x.cast" "$WORK/bad.out"; then
    ok "an unwritable recording path is refused before the terminal is touched"
else not_ok "an unwritable recording path is refused before the terminal is touched" "exit $rc: $(cat "$WORK/bad.out")"; fi
finish
