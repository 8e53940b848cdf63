#!/bin/bash
# The server's timeline of a real cutover: two steps and a rollback through
# the CLI leave one file in state_dir/timelines with the header, a pre-roll,
# a sample every second, the journal's events and an end line; `cutover
# report` tells the steps, the rollback and who did it, in Markdown and JSON.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 11

trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; cleanup' EXIT
set_config timeline.preroll_s 5 timeline.postroll_s 3
TL_DIR="$SANDBOX/state/timelines"
ME=$(id -un)

check "cutover server start" "$CUTOVER" -c "$CONFIG" server start
sleep 6   # history for the pre-roll
check "shift +10" "$CUTOVER" -c "$CONFIG" shift +10
sleep 2
check "shift +10 again" "$CUTOVER" -c "$CONFIG" shift +10
sleep 2
check "rollback" "$CUTOVER" -c "$CONFIG" rollback

# The end line comes postroll_s (3 s) after the weights are back at 100/0.
for _ in $(seq 1 150); do
    f=$(ls "$TL_DIR"/cutover-*.jsonl 2>/dev/null | tail -n 1)
    [ -n "$f" ] && tail -n 1 "$f" | grep -q '"type":"end"' && break
    sleep 0.1
done
n_files=$(ls "$TL_DIR"/cutover-*.jsonl 2>/dev/null | wc -l)
is "one timeline file for the cutover" "$n_files" 1
FILE=$(ls "$TL_DIR"/cutover-*.jsonl | tail -n 1)

python3 - "$FILE" "$ME" "$CONFIG" >"$WORK/file.check" 2>&1 <<'PY'
import json, os, sys
path, me, config = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [json.loads(l) for l in open(path)]
h = lines[0]
assert h["type"] == "timeline" and h["version"] == 1, h
assert h["id"] + ".jsonl" == os.path.basename(path), (h["id"], path)
assert (h["stable"], h["candidate"]) == ("blue", "green"), h
# Every rollout rule the cutover ran under (the config's whole rollout
# section, so a new rule is recorded as soon as it is a key), as set.
assert set(h["rules"]) >= {"step", "ttft_halt_pct", "ttft_stat", "excess_5xx_points",
                           "excess_5xx_for_s", "excess_min_requests", "drain_idle_s",
                           "min_dwell_s", "window_s", "min_samples", "auto_rollback"}, h["rules"]
for k, v in json.load(open(config)).get("rollout", {}).items():
    assert h["rules"][k] == v, (k, h["rules"][k], v)
assert h["rules"]["ttft_stat"] == "median", h["rules"]
samples = [l for l in lines if l["type"] == "sample"]
secs = [s["sec"] for s in samples]
gaps = [(a, b) for a, b in zip(secs, secs[1:]) if b - a != 1]
assert not gaps, "seconds not one apart: %s" % gaps
pre = [s for s in samples if s.get("preroll")]
assert 1 <= len(pre) <= 5 and samples[:len(pre)] == pre, "pre-roll: %d" % len(pre)
assert all(s["weights"] == {"blue": 100, "green": 0} for s in pre), pre[0]
live = [s for s in samples if not s.get("preroll") and not s.get("filled")]
for s in live:
    assert {"at", "sec", "weights", "phase", "signals", "guards", "row"} <= set(s), s.keys()
    assert s["row"]["blue"][0] == s["sec"], s["row"]
assert samples[0]["at"] < h["started"], "the pre-roll comes before the first move"
events = [l["event"] for l in lines if l["type"] == "event"]
moves = [(e["action"], e["outcome"], "%d/%d" % (e["after"]["blue"], e["after"]["green"]), e["user"])
         for e in events if e["action"] in ("shift", "rollback")]
want = [("shift", "ok", "90/10", me), ("shift", "ok", "80/20", me), ("rollback", "ok", "100/0", me)]
assert moves == want, moves
end = lines[-1]
assert end["type"] == "end" and end["outcome"] == "rolled-back", end
assert end["weights"] == {"blue": 100, "green": 0}, end
assert sum(1 for l in lines if l["type"] == "end") == 1
print("samples %d (pre-roll %d), events %d" % (len(samples), len(pre), len(events)))
PY
if [ $? -eq 0 ]; then ok "the file: header, pre-roll, a sample every second, the events, end rolled-back ($(tail -n 1 "$WORK/file.check"))"
else not_ok "the file: header, pre-roll, a sample every second, the events, end rolled-back" "$(tail -n 8 "$WORK/file.check")"; fi

"$CUTOVER" -c "$CONFIG" report latest >"$WORK/report.md" 2>"$WORK/report.err"
is "cutover report latest exits 0" "$?" 0
python3 - "$WORK/report.md" "$ME" <<'PY' >"$WORK/md.check" 2>&1
import re, sys
md, me = open(sys.argv[1]).read(), sys.argv[2]
steps = [l for l in md.split("## Steps")[1].split("##")[0].splitlines() if re.match(r"\| \d+ \|", l)]
cells = [[c.strip() for c in l.strip("|").split("|")] for l in steps]
got = [(c[3], c[4], c[5]) for c in cells]
want = [("100/0", "baseline", "–"), ("90/10", "shift", me), ("80/20", "shift", me), ("100/0", "rollback", me)]
assert got == want, got
actions = md.split("## Operator actions")[1]
assert re.search(r"\| rollback \| ok \| 80/20 → 100/0 \| %s \|" % re.escape(me), actions), actions
assert "outcome: **rolled back** (at 100/0; file closed" in md  # issue 14: words, not the end line's key
PY
if [ $? -eq 0 ]; then ok "the Markdown report: steps 100/0, 90/10, 80/20, 100/0 and the rollback by $ME"
else not_ok "the Markdown report: steps and the rollback by $ME" "$(tail -n 5 "$WORK/md.check")" "$(head -n 30 "$WORK/report.md")"; fi

id=$(basename "$FILE" .jsonl)
"$CUTOVER" -c "$CONFIG" report "$id" --json >"$WORK/report.json" 2>"$WORK/report.err"
is "cutover report ID --json exits 0" "$?" 0
python3 - "$WORK/report.json" "$WORK/report.md" "$ME" "$id" <<'PY' >"$WORK/json.check" 2>&1
import json, re, sys
r, md, me, id_ = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]
assert r["id"] == id_ and r["outcome"] == "rolled-back" and r["result"] == "rolled-back", (r["id"], r["outcome"], r["result"])
w = ["%d/%d" % (s["weights"]["blue"], s["weights"]["green"]) for s in r["steps"]]
assert w == ["100/0", "90/10", "80/20", "100/0"], w
for s in r["steps"][1:]:
    assert s["user"] == me and s["dwell_s"] >= 0, s
    for c in ("blue", "green"):
        assert {"connections", "ratio_5xx", "ttft_p95_ms", "requests", "status_5xx", "seconds"} <= set(s["signals"][c])
# the steps' starts agree with the Markdown's clock times
import time
md_starts = re.findall(r"^\| \d+ \| (\d\d:\d\d:\d\d) \|", md, re.M)
js_starts = [time.strftime("%H:%M:%S", time.gmtime(int(s["start"]))) for s in r["steps"]]
assert md_starts == js_starts, (md_starts, js_starts)
rb = [a for a in r["actions"] if a["action"] == "rollback"]
assert len(rb) == 1 and rb[0]["user"] == me and rb[0]["outcome"] == "ok", rb
assert rb[0]["after"] == {"blue": 100, "green": 0}, rb
assert r["total_s"] is not None and 3 <= r["total_s"] <= 30, r["total_s"]
assert abs(r["done_at"] - rb[0]["at"]) < 0.01
PY
if [ $? -eq 0 ]; then ok "the JSON report parses and agrees (steps, starts, rollback by $ME, total_s)"
else not_ok "the JSON report parses and agrees" "$(tail -n 5 "$WORK/json.check")"; fi

"$CUTOVER" -c "$CONFIG" report no-such-id >/dev/null 2>"$WORK/missing.err"
is "an unknown timeline is a usage error (exit 2)" "$?" 2
finish
