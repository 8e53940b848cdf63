#!/bin/bash
# The console's failures panel, in a real terminal (tmux) against the
# sandbox: with green at 50/50 failing every request for a moment, f shows
# green's 5xx lines with their request ids; Enter on one asks the server for
# green's log lines with that rid, and the sim's own line (color, version)
# appears: proof of which build served the failing request. Esc closes it.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 7
# The rollback guard would stop green mid-test; this test is about the list.
set_config rollout.auto_rollback false

export LANG=C.UTF-8 LC_ALL=C.UTF-8
# Shift before the console opens: the console would hold control.
"$CUTOVER" -c "$CONFIG" server start >/dev/null
for _ in $(seq 1 50); do
    shift_to 50 --stable blue >/dev/null 2>&1 && break
    sleep 0.2
done
"$SIM" ctl "$GREEN_ADDR" set error_rate=1 >/dev/null
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --count 50 --rps 100 \
    >/dev/null 2>&1
"$SIM" ctl "$GREEN_ADDR" set error_rate=0 >/dev/null
tm new-session -d -s ctl -x 80 -y 24 "$CUTOVER -c $CONFIG"
wait_screen ctl "CONTROL" 15
is "the console opens in CONTROL at 80x24" "$?" "0"

tm send-keys -t ctl 'f'
wait_screen ctl "green 50[0-9] /v1/chat/completions rid [A-Za-z0-9_-]+" 10
is "f shows green's 5xx with a request id" "$?" "0"

# Walk down to a green 5xx row (failed probes carry no rid).
rid=""
for _ in $(seq 1 25); do
    rid=$(screen_of ctl | sed -n 's/^>.* green 50[0-9] .* rid \([A-Za-z0-9_-]*\).*/\1/p' | head -n 1)
    [ -n "$rid" ] && break
    tm send-keys -t ctl 'j'
    sleep 0.1
done
[ -n "$rid" ]
is "j selects a green 5xx row" "$?" "0"
grep -q "\"rid\":\"$rid\"" "$SANDBOX/green.log"
is "green's own log has that rid" "$?" "0"

# New failures come in above it (the list is newest first): the selection
# stays on the row the operator picked, so Enter asks for that one.
# selected_line: the screen row of the selection.
selected_line() { screen_of ctl | grep -n '^>' | cut -d: -f1 | head -n 1; }
before=$(selected_line)
ACCESS_LOG=$(json_get "$CONFIG" nginx.access_log)
fives() { grep -c '" 5[0-9][0-9] ' "$ACCESS_LOG"; }
had=$(fives)
"$SIM" ctl "$GREEN_ADDR" set error_rate=1 >/dev/null
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --count 10 --rps 100 \
    >/dev/null 2>&1
"$SIM" ctl "$GREEN_ADDR" set error_rate=0 >/dev/null
[ "$(fives)" -gt "$had" ]
came=$?
# The server reads them and the next snapshot brings them: the row moves.
moved=1
for _ in $(seq 1 50); do
    at=$(selected_line)   # (empty while a capture meets a redraw)
    [ -n "$at" ] && [ "$at" != "$before" ] && moved=0 && break
    sleep 0.1
done
now=$(screen_of ctl | sed -n 's/^>.* green 50[0-9] .* rid \([A-Za-z0-9_-]*\).*/\1/p' | head -n 1)
[ $came = 0 ] && [ $moved = 0 ] && [ "$now" = "$rid" ]
followed=$?
is "newer failures push the picked row down and the selection moves with it (rid ${now:-none}, row $before -> ${at:-none})" "$followed" "0"

tm send-keys -t ctl Enter
wait_screen ctl "green's log: [0-9]+ line\\(s\\) with $rid" 10
found=$?
# The line wraps at the pane's edge: join the screen rows to read it.
screen_of ctl | tr -d '\n' | grep -qE "\"color\":\"green\",\"version\":\"[^\"]+\",\"rid\":\"$rid\""
line=$?
[ "$found" = 0 ] && [ "$line" = 0 ]
is "Enter shows green's log line with the same rid and the build's version" "$?" "0"

tm send-keys -t ctl Escape
wait_screen ctl "failures \([0-9]+\)" 5
is "Esc closes the log lines and the list is back" "$?" "0"
finish
