#!/bin/bash
# cutover replay: a cutover recorded by the server (its timeline) played in
# the real console shows the same weights and events at the same moments;
# space pauses, > speeds up, g jumps to the next event; nothing can move
# traffic from a replay.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
. "$top_srcdir/tests/tui/lib.sh"
tap_plan 10
set_config timeline.preroll_s 3 timeline.postroll_s 2
JOURNAL="$SANDBOX/state/journal.jsonl"
# event_time ACTION AFTER_GREEN: the journal time of that move (unix seconds).
event_time() {
    python3 - "$JOURNAL" "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["action"] == sys.argv[2] and e["outcome"] == "ok" and e["after"]["green"] == int(sys.argv[3]):
        print(e["time"]); break
PY
}

check "cutover server start" "$CUTOVER" -c "$CONFIG" server start
sleep 2
"$CUTOVER" -c "$CONFIG" shift +10 >/dev/null
sleep 3
"$CUTOVER" -c "$CONFIG" shift +10 >/dev/null
sleep 3
"$CUTOVER" -c "$CONFIG" rollback >/dev/null
for _ in $(seq 1 100); do grep -qs '"type":"end"' "$SANDBOX"/state/timelines/*.jsonl && break; sleep 0.1; done
grep -qs '"type":"end"' "$SANDBOX"/state/timelines/*.jsonl
is "the server closed the cutover's timeline" "$?" "0"
T1=$(event_time shift 10); T2=$(event_time shift 20); T3=$(event_time rollback 0)
UPSTREAM_BEFORE=$(cat "$SANDBOX/upstream.conf")

# Play it at 1x, noting the replay clock (status line) at each screen.
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
tm new-session -d -s rp -x 110 -y 32 "$CUTOVER -c $CONFIG replay latest; sleep 60"
# Frames are only captured here and read afterwards in one pass: a python
# start per frame took longer than 90/10 stays on screen on a busy machine.
mkdir -p "$WORK/frame"
i=100000 end=$((SECONDS + 90))
while [ $SECONDS -lt $end ]; do
    screen_of rp >"$WORK/frame/$i"
    grep -q "  end" "$WORK/frame/$i" && break
    i=$((i + 1))
    sleep 0.1
done
python3 - "$WORK/frame" >"$WORK/frames" <<'PY'
import os, re, sys
for name in sorted(os.listdir(sys.argv[1])):
    s = open(os.path.join(sys.argv[1], name), encoding="utf-8").read()
    clock = re.findall(r"REPLAY .* 1x (\d\d:\d\d:\d\d) \(", s)
    w = re.search(r"^blue\s+(\d+)\s.*?\s(\d+) green", s, re.M)
    print(clock[-1] if clock else "-", "%s/%s" % w.groups() if w else "-")
PY
screen_of rp >"$WORK/last"
grep -q "REPLAY" "$WORK/last"
is "the replay opens in REPLAY mode" "$?" "0"
# first_seen W: the replay clock (unix seconds, UTC today) when weights W first showed.
first_seen() {
    python3 - "$WORK/frames" "$1" "$T1" <<'PY'
import sys, time, calendar
day = time.strftime("%Y-%m-%d", time.gmtime(float(sys.argv[3])))
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 2 and parts[1] == sys.argv[2]:
        print(calendar.timegm(time.strptime(day + " " + parts[0], "%Y-%m-%d %H:%M:%S"))); break
PY
}
near() { # near SEEN EXPECTED: the screen showed it within 2 s of when it happened
    python3 -c 'import sys; s, e = float(sys.argv[1] or 0), float(sys.argv[2]); sys.exit(0 if -1.5 <= s - e <= 2.5 else 1)' "$1" "$2"
}
S1=$(first_seen 90/10); S2=$(first_seen 80/20)
near "$S1" "$T1"; is "90/10 shows at the moment of the first shift (clock $S1 vs $T1)" "$?" "0"
near "$S2" "$T2"; is "80/20 shows at the moment of the second shift (clock $S2 vs $T2)" "$?" "0"
grep -qE "^blue +100 .* 0 green" "$WORK/last" && grep -q "rollback 80/20->100/0" "$WORK/last"
is "at the end: 100/0 and the rollback in the events" "$?" "0"
tm kill-session -t rp

# Keys: g jumps to the next event, space pauses, > doubles the speed.
tm new-session -d -s rp2 -x 110 -y 32 "$CUTOVER -c $CONFIG replay latest --speed 0.25; sleep 60"
wait_screen rp2 "REPLAY" 10
# The timeline opens with what led up to the first move (take-control,
# preflight): each g shows one more event, at its own moment. Paused first:
# g still jumps, and the clock then stays where g put it (playing on at
# 0.25x, a busy machine read it a second later).
tm send-keys -t rp2 ' '
wait_screen rp2 "paused" 2
jumps=0
for _ in 1 2 3 4 5 6; do
    before=$(screen_of rp2 | sed -n 's/.*events (\([0-9]*\)).*/\1/p' | head -n 1)
    tm send-keys -t rp2 g
    sleep 0.4
    after=$(screen_of rp2 | sed -n 's/.*events (\([0-9]*\)).*/\1/p' | head -n 1)
    [ "${after:-0}" -gt "${before:-0}" ] && jumps=$((jumps + 1))
    screen_of rp2 | grep -q "shift 100/0->90/10" && break
done
clock=$(screen_of rp2 | sed -n 's/.*REPLAY .* 0.25x \([0-9:]*\) (.*/\1/p' | tail -n 1)
want=$(python3 -c 'import sys, time; print(time.strftime("%H:%M:%S", time.gmtime(float(sys.argv[1]))))' "$T1")
if screen_of rp2 | grep -q "shift 100/0->90/10" && [ "$clock" = "$want" ] && [ $jumps -ge 1 ]; then
    ok "g jumps from event to event, to the first shift at its moment ($clock)"
else
    not_ok "g jumps from event to event, to the first shift at its moment" "clock $clock, want $want, $jumps jumps"
fi
tm send-keys -t rp2 ' '   # play on
for _ in $(seq 1 20); do screen_of rp2 | grep -q "paused" || break; sleep 0.1; done
tm send-keys -t rp2 ' '
wait_screen rp2 "paused" 2
c1=$(screen_of rp2 | grep -o '(0:[0-9]* of')
sleep 1.5
c2=$(screen_of rp2 | grep -o '(0:[0-9]* of')
is "space pauses the clock" "$c2" "$c1"
tm send-keys -t rp2 '>'
wait_screen rp2 "REPLAY .* 0.5x" 2
is "> doubles the speed" "$?" "0"
tm send-keys -t rp2 ']'
sleep 0.3
tm send-keys -t rp2 'R'
sleep 0.3
if screen_of rp2 | grep -q "y/n" || [ "$(cat "$SANDBOX/upstream.conf")" != "$UPSTREAM_BEFORE" ]; then
    not_ok "a replay cannot move traffic"
else ok "a replay cannot move traffic"; fi
finish
