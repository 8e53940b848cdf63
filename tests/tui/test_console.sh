#!/bin/bash
# The real console in a real terminal (tmux), against the sandbox: keys move
# traffic after a y, a watcher sees it within 2 s and cannot move anything,
# a second console opens in WATCH naming the holder, resizes keep a sane
# screen, ? lists every key, and a console hung up mid-shift leaves the
# server to finish it.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 18
JOURNAL="$SANDBOX/state/journal.jsonl"
upstream_weights() {
    python3 - "$SANDBOX/upstream.conf" "$BLUE_ADDR" "$GREEN_ADDR" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
w = []
for addr in sys.argv[2:]:
    m = re.search(r"server %s weight=(\d+)" % re.escape(addr), text)
    w.append(m.group(1) if m else "0")
print("/".join(w))
PY
}

export LANG=C.UTF-8 LC_ALL=C.UTF-8
tm new-session -d -s ctl -x 100 -y 30 "$CUTOVER -c $CONFIG"
wait_screen ctl "CONTROL" 15
is "the console opens in CONTROL" "$?" "0"
tm new-window -d -t ctl: -n watch "$CUTOVER -c $CONFIG --watch"
wait_screen ctl:watch "WATCH +held by" 10
is "--watch opens in WATCH and names the holder" "$?" "0"

tm send-keys -t ctl:0 ']'
wait_screen ctl:0 "shift blue 100 / green 0 -> blue 90 / green 10 \? y/n" 3
is "] shows from -> to and asks" "$?" "0"
tm send-keys -t ctl:0 'y'
wait_screen ctl:0 "blue +90 .* 10 green" 10
is "after y the screen shows 90/10" "$?" "0"
is "the upstream file says so" "$(upstream_weights)" "90/10"
# The screen reads the file as soon as it is written; the journal line comes
# once nginx has reloaded and the reload is confirmed.
for _ in $(seq 1 100); do grep -q '"action":"shift".*"after":{"blue":90,"green":10}.*"outcome":"ok"' "$JOURNAL" && break; sleep 0.1; done
grep -q '"action":"shift".*"after":{"blue":90,"green":10}.*"outcome":"ok"' "$JOURNAL"
is "the journal has it" "$?" "0"
wait_screen ctl:0 "┴" 3
is "a reload marker stands on the chart's time axis" "$?" "0"
wait_screen ctl:watch "blue +90 .* 10 green" 2
is "the watcher sees the shift within 2 s" "$?" "0"
tm send-keys -t ctl:watch ']'
sleep 0.5
if screen_of ctl:watch | grep -q "y/n"; then not_ok "the watcher's ] is not bound"; else ok "the watcher's ] is not bound"; fi

# Hang up the controlling console in the middle of a shift (90/10 -> 80/20).
tm send-keys -t ctl:0 ']'
wait_screen ctl:0 "y/n" 3
tm send-keys -t ctl:0 'y'
sleep 0.05
pid=$(tm list-panes -t ctl:0 -F '#{pane_pid}')
kill -HUP "$pid"
for _ in $(seq 1 100); do tail -n 3 "$JOURNAL" | grep -q '"action":"shift".*"after":{"blue":80,"green":20}' && break; sleep 0.1; done
tail -n 3 "$JOURNAL" | grep -q '"action":"shift".*"after":{"blue":80,"green":20}.*"outcome":"ok"'
is "hung up mid-shift: the server completes the shift and journals it" "$?" "0"
is "the upstream file is whole and says 80/20" "$(upstream_weights)" "80/20"
nginx_test
is "and nginx -t passes" "$?" "0"
tm new-window -d -t ctl: -n ctl2 "$CUTOVER -c $CONFIG"
wait_screen ctl:ctl2 "WATCH|CONTROL" 10
tm send-keys -t ctl:ctl2 'T'
sleep 0.5
tm send-keys -t ctl:ctl2 'y'
wait_screen ctl:ctl2 "CONTROL" 10
is "a new console takes control" "$?" "0"

tm send-keys -t ctl:ctl2 'R'
wait_screen ctl:ctl2 "ROLLBACK: all weight to blue, stop green \? y/n" 3
tm send-keys -t ctl:ctl2 'y'
wait_screen ctl:ctl2 "stopped green" 10
is "R y: rolled back and the candidate stopped" "$(upstream_weights)/$?" "100/0/0"

tm send-keys -t ctl:ctl2 '?'
wait_screen ctl:ctl2 "rollback: all weight" 3
missing=""
for k in "] or +" "\[ or -" "r " "R " "T " "\? " "t " "1 2 3" "q "; do
    screen_of ctl:ctl2 | grep -q -- "$k" || missing="$missing '$k'"
done
is "? lists every key" "${missing:-none missing}" "none missing"
tm send-keys -t ctl:ctl2 Escape
sleep 0.5
if screen_of ctl:ctl2 | grep -q "rollback: all weight"; then not_ok "Esc closes the help"
else ok "Esc closes the help"; fi

tm resize-window -t ctl:ctl2 -x 59 -y 15 2>/dev/null
wait_screen ctl:ctl2 "needs at least 60x16" 3
is "below 60x16 one line asks for a larger window" "$?" "0"
tm resize-window -t ctl:ctl2 -x 200 -y 60 2>/dev/null
wait_screen ctl:ctl2 "CONTROL" 3
lines=$(screen_of ctl:ctl2 | wc -l)
is "at 200x60 the console fills the screen again" "$lines" "60"

finish
