#!/bin/bash
# Failures the gateway's log names no request of (issue 12, item 4), in a
# real terminal (tmux): two sims log as OpenClaw 2026.9 does, and green
# fails its chats inside their 200 streams for a moment. f lists an
# in-stream failure row (nginx logged 200) and green's failed probes with
# their run ids (chatcmpl_...). Enter on the in-stream row shows green's log
# lines from around it, errors first; Enter on a probe finds its exact run
# by the id the sim streamed and logged. The log holds users' conversations:
# another user's watching console is refused the lines, a recording console
# draws none (so no log text reaches the cast file), and nothing of a log
# line reaches the server's state folder (journal, timeline).
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 9
SIM_PIDS=""
trap 'tm kill-server 2>/dev/null; "$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; kill $SIM_PIDS 2>/dev/null; cleanup' EXIT
gateway_log_sims
# One probe a second: the seconds around a failure hold a few runs, not
# dozens. The rollback guard would stop green mid-test.
set_config rollout.auto_rollback false probe.interval_s 1
# Another user watches (root can run one): nobody's group may connect.
WATCHER=""
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
    set_config server.watch_group '"nogroup"'
    chmod 0711 "$WORK" "$SANDBOX"
    chmod 0644 "$CONFIG"
    WATCHER=nobody
fi
# Log text that must never be drawn where it is withheld (the failure rows
# name the rule "streaming chat completion failed", which is config text).
LOG_TEXT='logLevelName|lane task error|model-fetch|runId=|fallback chain'

export LANG=C.UTF-8 LC_ALL=C.UTF-8
"$CUTOVER" -c "$CONFIG" server start >/dev/null
shift_to 50 --force --reason "failures test: to half" >/dev/null 2>&1 || bail "no shift to 50/50"
"$SIM" ctl "$G" set stream_error_rate=1 >/dev/null
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --count 8 --rps 40 \
    >/dev/null 2>&1
tm new-session -d -s ctl -x 180 -y 50 "$CUTOVER -c $CONFIG"
wait_screen ctl "CONTROL" 15
is "the console opens in CONTROL" "$?" "0"
tm send-keys -t ctl 'f'
STREAM_ROW="green 200 in-stream failure \(gateway log: WARN streaming chat completion failed\)"
PROBE_ROW="green 200 probe run chatcmpl_[0-9a-f]+ stream error"
wait_screen ctl "$STREAM_ROW" 15
found=$?
wait_screen ctl "$PROBE_ROW" 15
probe=$?
"$SIM" ctl "$G" set stream_error_rate=0 >/dev/null
nginx_5xx=$(grep -c '" 5[0-9][0-9] ' "$(json_get "$CONFIG" nginx.access_log)")
[ "$found" = 0 ] && [ "$nginx_5xx" = 0 ]
is "f shows green's in-stream failure, named by its rule, while nginx logged no 5xx" "$?" "0"
is "f shows green's failed probe with its run id" "$probe" "0"

# select SESSION PATTERN: walks the selection to the first row matching it.
select_row() {
    for _ in $(seq 1 21); do tm send-keys -t "$1" 'k'; done
    for _ in $(seq 1 21); do
        screen_of "$1" | grep -qE "^>.* $2" && return 0
        tm send-keys -t "$1" 'j'
        sleep 0.1
    done
    return 1
}
# look_up SESSION ROW: in a console opening in WATCH, f, the first row
# matching ROW selected, then Enter.
look_up() {
    wait_screen "$1" "WATCH" 15
    tm send-keys -t "$1" 'f'
    wait_screen "$1" "$2" 10
    select_row "$1" "$2"
    tm send-keys -t "$1" Enter
}
# joined SESSION: the screen as one line, for a log line wrapped over rows.
joined() { screen_of "$1" | tr -d '\n'; }

# The in-stream failure has no id: its time finds green's lines, errors first.
select_row ctl "$STREAM_ROW"
tm send-keys -t ctl Enter
wait_screen ctl "green's log: [0-9]+ line\(s\) from 5 s before to 5 s after [0-9:]+, errors first" 10
titled=$?
levels=$(joined ctl | grep -oE '"logLevelName":"[A-Z]+"' | sed 's/.*:"\(.*\)"/\1/' | tr '\n' ' ')
python3 - "$levels" <<'PY'
import sys
lv = sys.argv[1].split()
rank = [0 if l in ("FATAL", "ERROR") else 1 if l == "WARN" else 2 for l in lv]
sys.exit(0 if lv and lv[0] == "ERROR" and rank == sorted(rank) else 1)
PY
ordered=$?
[ $titled = 0 ] && [ $ordered = 0 ]
shown=$?
is "Enter on it shows green's lines around it, the ERROR first (levels: $levels)" "$shown" "0"
[ $shown = 0 ] || screen_of ctl | sed 's/^/# /'
tm send-keys -t ctl Escape
wait_screen ctl "failures \([0-9]+\)" 5

# A failed probe: its run id (the stream's) finds the exact run in the log.
# The rows may still move while the last failures come in: retried.
ok_run=1
for _ in 1 2 3 4 5; do
    select_row ctl "$PROBE_ROW" || break
    run=$(screen_of ctl | sed -n 's/^>.* probe run \(chatcmpl_[0-9a-f]*\) .*/\1/p' | head -n 1)
    tm send-keys -t ctl Enter
    if wait_screen ctl "green's log: 1 line\(s\) with $run, then" 5; then
        # (rows are joined: a space at a row's end is lost, so no spaces)
        joined ctl | grep -qF "runId=$run\"" &&
            [ "$(grep -c "runId=$run\"" "$WORK/green.gw.log")" = 1 ] && ok_run=0
        break
    fi
    tm send-keys -t ctl Escape
done
is "Enter on the probe finds its run's own line by the id it streamed (${run:-none})" "$ok_run" "0"
tm send-keys -t ctl Escape

# Another user's watching console: the rows, and a refusal for the lines.
if [ -n "$WATCHER" ]; then
    tm new-session -d -s w -x 180 -y 50 "runuser -u $WATCHER -- $CUTOVER -c $CONFIG --watch"
    look_up w "$STREAM_ROW"
    wait_screen w "refused: $WATCHER may only watch, and the gateway's log holds users' conversations" 10
    refused=$?
    joined w | grep -qE "$LOG_TEXT"
    shown=$?
    [ $refused = 0 ] && [ $shown = 1 ]
    is "another user's Enter is refused, and no log text shows" "$?" "0"
else
    ok "# SKIP another user's console needs root and runuser"
fi

# A recording console (the server's user, who may read the log) draws none.
CAST="$WORK/lookup.cast"
tm new-session -d -s rec -x 180 -y 50
tm set-option -t rec remain-on-exit on
tm respawn-pane -k -t rec "$CUTOVER -c $CONFIG --watch --record $CAST"
look_up rec "$PROBE_ROW"
wait_screen rec "log lines are not shown while recording: they hold users' conversations" 10
notice=$?
joined rec | grep -qE "green's log: 1 line\(s\) with chatcmpl_"
answered=$?
[ $notice = 0 ] && [ $answered = 0 ]
is "recording: the server answered, and the view says its lines are not shown" "$?" "0"
tm send-keys -t rec 'q'
for _ in $(seq 1 50); do
    [ "$(tm list-panes -t rec -F '#{pane_dead}')" = 1 ] && break
    sleep 0.1
done
# Everything the terminal was sent, its escape sequences dropped.
python3 - "$CAST" "$LOG_TEXT" <<'PY' >"$WORK/cast.check"
import json, re, sys
out = []
for l in open(sys.argv[1], encoding="utf-8").read().split("\n")[1:]:
    try:
        t, code, data = json.loads(l)
    except ValueError:
        continue
    if code == "o":
        out.append(re.sub(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|.)", "", data))
text = "".join(out)
hits = re.findall(sys.argv[2], text)
print("withheld notice %s, log text %s" % ("recording" in text, hits[:3]))
sys.exit(0 if "recording" in text and not hits else 1)
PY
rc=$?
is "the cast file holds no log-line text ($(cat "$WORK/cast.check"))" "$rc" "0"

! grep -rqE "$LOG_TEXT" "$SANDBOX/state"
is "the server's state folder (journal, timeline) holds no log-line text" "$?" "0"
finish
