#!/bin/bash
# export.file: during a 60 s demo run (load through nginx, a shift on the
# way) the file holds one row per color every 10 s (+-1 s), CSV with its
# header, counters that only grow and match the traffic, the weights as they
# were; `server start --export-format json` gives JSON lines instead; a file
# that cannot be written is said once and the server goes on; bad export
# settings stop the server with a one-line message.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 14

LOAD_PID=""
stop_all() {
    [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
    "$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1
    cleanup
}
trap stop_all EXIT
LOG="$SANDBOX/state/server.log"
CSV="$WORK/export.csv"
RPS=20

set_config export.file "$CSV" export.every_s 10 nginx.balance '""'
for a in "$BLUE_ADDR" "$GREEN_ADDR"; do "$SIM" ctl "$a" set ttft_ms=5 token_ms=1 >/dev/null; done
check "server start (export every 10 s to $CSV)" "$CUTOVER" -c "$CONFIG" server start
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --rps $RPS --concurrency 8 \
    --duration 62 --quiet >"$WORK/load.json" 2>&1 &
LOAD_PID=$!
sleep 20
check "shift +10 during the run" "$CUTOVER" -c "$CONFIG" shift +10
wait "$LOAD_PID"
LOAD_PID=""
sleep 0.5
"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1

is "the file starts with the CSV header" "$(head -n 1 "$CSV")" \
    "time_iso,unix_time,color,weight,connections,requests_total,status_5xx_total,ratio_5xx_window,ttft_p95_ms"
is "the file is created 0644" "$(stat -c %a "$CSV")" "644"
python3 - "$CSV" "$RPS" >"$WORK/rows.out" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rps = int(sys.argv[2])
by = {"blue": [], "green": []}
for r in rows:
    by[r["color"]].append(r)
for color, rs in by.items():
    t = [float(r["unix_time"]) for r in rs]
    gaps = [b - a for a, b in zip(t, t[1:])]
    print("%s: %d rows, gaps %s" % (color, len(rs), " ".join("%.2f" % g for g in gaps)))
PY
python3 - "$CSV" >"$WORK/check1.out" 2>&1 <<'PY' && ok "one row per color every 10 s (+-1 s) over 60 s: $(tr '\n' ';' <"$WORK/rows.out")" \
    || not_ok "one row per color every 10 s (+-1 s)" "$(cat "$WORK/rows.out" "$WORK/check1.out")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for color in ("blue", "green"):
    t = [float(r["unix_time"]) for r in rows if r["color"] == color]
    assert 6 <= len(t) <= 7, (color, len(t))
    assert all(9 <= b - a <= 11 for a, b in zip(t, t[1:])), (color, t)
# both colors in each write, at the same moment
assert [r["unix_time"] for r in rows[0::2]] == [r["unix_time"] for r in rows[1::2]]
assert [r["color"] for r in rows] == ["blue", "green"] * (len(rows) // 2)
PY
python3 - "$CSV" "$RPS" >"$WORK/check2.out" 2>&1 <<'PY' && ok "counters only grow and follow the load: $(cat "$WORK/check2.out")" \
    || not_ok "counters only grow and follow the load" "$(cat "$WORK/check2.out")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rps = int(sys.argv[2])
tot = {}
for color in ("blue", "green"):
    rs = [r for r in rows if r["color"] == color]
    req = [int(r["requests_total"]) for r in rs]
    assert req == sorted(req), (color, req)
    tot[color] = (req, [float(r["unix_time"]) for r in rs])
# Between the first and the last row, both colors together served what the
# load sent in that time (20/s), within 15%.
first, last = 0, len(tot["blue"][0]) - 1
served = sum(tot[c][0][last] - tot[c][0][first] for c in tot)
span = tot["blue"][1][last] - tot["blue"][1][first]
assert abs(served - rps * span) <= 0.15 * rps * span, (served, span)
print("%d requests in %.0f s (%d/s sent)" % (served, span, rps))
PY
python3 - "$CSV" >"$WORK/check3.out" 2>&1 <<'PY' && ok "the weights column follows the shift (100/0, then 90/10) and green served after it" \
    || not_ok "the weights column follows the shift" "$(cat "$WORK/check3.out")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pairs = [(int(b["weight"]), int(g["weight"])) for b, g in zip(rows[0::2], rows[1::2])]
assert pairs[0] == (100, 0) and pairs[-1] == (90, 10), pairs
assert pairs == sorted(pairs, reverse=True), pairs
green = [int(r["requests_total"]) for r in rows if r["color"] == "green"]
assert green[-1] > green[0], green
for r in rows:
    assert r["connections"] != "" and r["ttft_p95_ms"] != "", r
    assert r["ratio_5xx_window"] == "" or 0 <= float(r["ratio_5xx_window"]) <= 1, r
# Before the shift green served nothing: its ratio is unknown (empty), not 0.
assert rows[1]["color"] == "green" and rows[1]["ratio_5xx_window"] == "", rows[1]
assert rows[0]["ratio_5xx_window"] != "", rows[0]
PY

# --- JSON lines, asked for on the command line ----------------------------------
JSONL="$WORK/export.jsonl"
set_config export.file "$JSONL" export.every_s 1
check "server start --export-format json" "$CUTOVER" -c "$CONFIG" server start --export-format json
sleep 2.5
"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1
python3 - "$JSONL" >"$WORK/json.out" 2>&1 <<'PY' && ok "JSON lines, one object per color each second: $(cat "$WORK/json.out")" \
    || not_ok "JSON lines with --export-format json" "$(cat "$WORK/json.out")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
keys = ["time_iso", "unix_time", "color", "weight", "connections", "requests_total",
        "status_5xx_total", "ratio_5xx_window", "ttft_p95_ms"]
assert len(objs) >= 2 and all(list(o) == keys for o in objs), lines[:2]
assert objs[0]["weight"] == 90 and objs[1]["weight"] == 10, objs[:2]
print("%d lines, e.g. %s" % (len(lines), lines[0]))
PY

# --- a file that cannot be written ---------------------------------------------
set_config export.file /dev/full export.every_s 1
check "server start with export.file /dev/full" "$CUTOVER" -c "$CONFIG" server start
sleep 2.5
said=$(grep -c "export.file /dev/full: cannot write" "$LOG")
alive=$("$CUTOVER" -c "$CONFIG" server status >/dev/null 2>&1 && echo running)
is "failed writes (every second) are said once, and the server goes on" "$said $alive" "1 running"
"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1

# --- bad settings ---------------------------------------------------------------
set_config export.file '""' export.format xml
"$CUTOVER" -c "$CONFIG" server --foreground >"$WORK/bad1.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "export.format: expected csv or json, got 'xml'" "$WORK/bad1.out"; then
    ok "export.format xml: the server says so and stops (exit $rc)"
else not_ok "export.format xml stops the server" "exit $rc: $(cat "$WORK/bad1.out")"; fi
set_config export.format csv export.prometheus_listen "metrics.example:9464"
"$CUTOVER" -c "$CONFIG" server --foreground >"$WORK/bad2.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "export.prometheus_listen: expected HOST:PORT" "$WORK/bad2.out"; then
    ok "a listen address that is not an IP literal:port is refused (exit $rc)"
else not_ok "a bad listen address is refused" "exit $rc: $(cat "$WORK/bad2.out")"; fi
"$CUTOVER" -c "$CONFIG" server start --export-format xml >"$WORK/bad3.out" 2>&1
is "--export-format xml is a usage error" "$? $(cat "$WORK/bad3.out")" \
    "2 cutover: --export-format: expected csv or json, got 'xml'"
finish
