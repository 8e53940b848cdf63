#!/bin/bash
# What the server does alone is announced, whole, to every console: the
# failing-green drill is driven from a console at 80x24 while another
# watches at 120x36; before, at and after the auto-rollback both screens
# are captured (printed below as TAP comments) and must show the banner
# with the reason and the numbers, the chart marker saying what happened,
# the events row with the real move, and no stale reply on the status line.
. "$top_srcdir/tests/integration/lib.sh"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || skip_all "nginx not installed"
SANDBOX="$WORK/sandbox"
"$CUTOVER" demo --dir "$SANDBOX" --scenario failing-green --rps 20 >"$WORK/demo.out" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 300); do
    [ -f "$SANDBOX/READY" ] && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$WORK/demo.out"; bail "cutover demo exited"; }
    sleep 0.1
done
[ -f "$SANDBOX/READY" ] || { cat "$WORK/demo.out"; bail "the drill's sandbox not ready in 30 s"; }
CONFIG="$SANDBOX/cutover.json"
GREEN_ADDR=$(json_get "$CONFIG" colors.green.addr)
JOURNAL="$SANDBOX/state/journal.jsonl"
# Steps without a dwell; the TTFT guard judges nothing here (busy CPUs);
# the excess must last 8 s over a 10 s window.
set_config rollout.min_dwell_s 0 rollout.min_samples 1 rollout.ttft_halt_pct 10000 \
    probe.interval_s 0.5 rollout.excess_5xx_for_s 8 rollout.window_s 10
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 16

# show NAME TARGET: the screen as TAP comments, for whoever reads the log.
show() {
    echo "# ---- $1 ($(tm display -p -t "$2" '#{pane_width}x#{pane_height}'))"
    screen_of "$2" | sed 's/^/# |/'
}
# joined TARGET: the screen as one line, rows and blanks run together, so a
# sentence wrapped over rows reads whole.
joined() { screen_of "$1" | tr '\n' ' ' | tr -s ' '; }
# wait_joined TARGET PATTERN SECONDS
wait_joined() {
    for _ in $(seq 1 $(($3 * 10))); do joined "$1" | grep -qE -- "$2" && return 0; sleep 0.1; done
    return 1
}

# Targets name the session with a colon ("s80:"): a bare name is first
# tried as a window of the current session, and every window is "cutover".
export LANG=C.UTF-8 LC_ALL=C.UTF-8
tm new-session -d -s s80 -x 80 -y 24 "$CUTOVER -c $CONFIG"
wait_screen s80: "CONTROL" 20
is "the console at 80x24 holds control" "$?" "0"
tm new-session -d -s s120 -x 120 -y 36 "$CUTOVER -c $CONFIG --watch"
wait_screen s120: "WATCH" 20
tm send-keys -t s120: ']'
wait_screen s120: "read-only: watching" 5
is "the watcher's ] answers read-only: watching" "$?" "0"

for step in 90 80 70 60 50; do
    tm send-keys -t s80: ']'
    wait_screen s80: "y/n" 10 || break
    tm send-keys -t s80: 'y'
    wait_joined s80: "-> blue $step / green $((100 - step)): reloaded" 20 || break
done
is "the console took the drill to 50/50" "$(weights)" "50/50"
# The drill's own 2% would trip too, slowly; 30% trips within the sustain.
"$SIM" ctl "$GREEN_ADDR" set error_rate=0.3 >/dev/null
# "Before" is a passing state (the sustain runs out, on a slow machine maybe
# before a later look), so both checks read the one screen that first showed
# the guard watching.
before=""
for _ in $(seq 1 300); do
    before=$(screen_of s80:)
    grep -qE "5xx +watching" <<<"$before" && break
    sleep 0.1
done
grep -qE "5xx +watching" <<<"$before"
is "before: the 5xx guard watches green" "$?" "0"
show "before: controller" s80:
show "before: watcher" s120:
grep -q "AUTO-ROLLBACK" <<<"$before"
is "before: no banner while the guard still watches" "$?" "1"

wait_screen s80: "AUTO-ROLLBACK" 60
is "at: the controller's banner is up" "$?" "0"
wait_screen s120: "AUTO-ROLLBACK" 10
is "at: the watcher's banner is up (from the journal, not a guess)" "$?" "0"
show "at: controller" s80:
show "at: watcher" s120:
why='green 5xx [0-9.]+% vs blue [0-9.]+% for [0-9]+ s \(\+[0-9.]+ points, <?[0-9.e+-]+% likely by chance; limit 0.5\)'
wait_joined s80: "AUTO-ROLLBACK [0-9:]+ $why; blue 50 / green 50 -> blue 100 / green 0" 5
is "at 80x24 the banner has the reason, the numbers and the move, whole" "$?" "0"
joined s80: | grep -q "green 50: reloaded"
is "the status line no longer tells of the move to 50/50" "$?" "1"

wait_joined s80: "green stopped \(Esc closes\)" 30
is "after: the banner says green was stopped" "$?" "0"
wait_joined s120: "green stopped \(Esc closes\)" 10
show "after: controller" s80:
show "after: watcher" s120:
marker='auto-rollback: green 5xx [0-9.]+% vs blue [0-9.]+% for [0-9]+ s'
# The marker shows once the chart's series holds the rollback's second
# (a second after the reload at most): wait for it, as for the banner.
wait_joined s80: "$marker" 10
is "at 80x24 the chart's marker says what happened" "$?" "0"
wait_joined s120: "$marker" 10
is "at 120x36 the chart's marker says what happened" "$?" "0"
joined s80: | grep -qE "server auto-rollback 50/50->100/0 done, green stopped"
is "at 80x24 the events row has the real move, folded with the reload and the stop" "$?" "0"
joined s120: | grep -qE "server auto-rollback 50/50->100/0 done, green stopped: $why"
is "at 120x36 the events row has the move and the reason, whole" "$?" "0"
grep -q '"action":"auto-rollback","before":{"blue":50,"green":50},"after":{"blue":100,"green":0}' "$JOURNAL"
is "the journal's line names the move" "$?" "0"
tm send-keys -t s80: Escape
for _ in $(seq 1 30); do screen_of s80: | grep -q "AUTO-ROLLBACK [0-9]" || break; sleep 0.1; done
screen_of s80: | grep -q "AUTO-ROLLBACK [0-9]"
is "Esc closes the controller's banner" "$?" "1"
finish
