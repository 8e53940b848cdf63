#!/bin/bash
# Failures of real user traffic, whatever their HTTP status (issue 12): two
# sims behind the sandbox's nginx log each chat as OpenClaw 2026.9 does
# (--gateway-log). Under load through nginx, green starts failing half its
# chats inside their 200 streams: nginx logs 200 only, green's failure
# ratio rises from its gateway log (the WARN "streaming chat completion
# failed", never the ERROR lines the same failure writes), and the server
# rolls back by itself after the sustain (compressed here), the journal
# naming the failure ratio and its source.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 9
JOURNAL="$SANDBOX/state/journal.jsonl"
SIM_PIDS=""
LOAD_PID=""
trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; kill $LOAD_PID $SIM_PIDS 2>/dev/null; cleanup' EXIT

# The sandbox's colors become two sims logging as OpenClaw does.
gateway_log_sims
set_config rollout.window_s 4 rollout.excess_5xx_for_s 8

status() { "$CUTOVER" -c "$CONFIG" status --json 2>/dev/null; }
# sig COLOR KEY: a number of the color's signals in the server's status.
sig() { status | python3 -c 'import json,sys
s=json.load(sys.stdin)["signals"][sys.argv[1]]
for k in sys.argv[2].split("."): s=s[k]
print(s if s is not None else 0)' "$1" "$2" 2>/dev/null || echo 0; }
check "cutover server start" "$CUTOVER" -c "$CONFIG" server start
check "to 50/50 a step at a time" shift_to 50 --force --reason "gateway-log test: to half"
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --rps 100 \
    --concurrency 16 --duration 90 --quiet >/dev/null 2>&1 &
LOAD_PID=$!
until_status 60 's["signals"]["green"]["requests"] >= 40 and s["signals"]["blue"]["requests"] >= 40 and s["signals"]["green"]["gateway_log"]["state"] == "following"' \
    || bail "no load on both colors: $(cat "$WORK/last.json")"

# The ratio rises from the gateway's log while nginx's 5xx stay 0; the
# rollback after the sustain; the journal naming the ratio and its source.
green_fails_half "$G" 60 8 "$JOURNAL"

kill $LOAD_PID 2>/dev/null; wait $LOAD_PID 2>/dev/null; LOAD_PID=""
# (the rollback stopped green through its stop command; if it still runs, it heals)
"$SIM" ctl "$G" set stream_error_rate=0 >/dev/null 2>&1
# nginx logged every chat 200: the failures were inside the streams.
is "nginx's access log holds no 5xx" \
    "$(grep -c '" 5[0-9][0-9] ' "$(json_get "$CONFIG" nginx.access_log)")" "0"

# Each failure counted once: the reader's count reaches the WARN lines in
# green's log (probes still arrive: polled until they agree) though the
# ERROR lines the same failures wrote are as many.
agree() {
    python3 - "$WORK/green.gw.log" "$(status)" <<'PY'
import json, sys
warn = err = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    level = r["_meta"]["logLevelName"]
    warn += level == "WARN" and r["message"].startswith("streaming chat completion failed")
    err += level == "ERROR"
got = json.loads(sys.argv[2])["signals"]["green"]["gateway_log"]["failures"]
print(got, warn, err)
sys.exit(0 if got == warn and err >= warn > 0 else 1)
PY
}
end=$((SECONDS + 20))
until agree >"$WORK/agree" 2>&1 || [ $SECONDS -ge $end ]; do sleep 0.2; done
if agree >"$WORK/agree" 2>&1; then
    read -r got warns errors <"$WORK/agree"
    ok "green's reader counted $got failures for $warns WARN lines; its $errors ERROR lines are not counted"
else not_ok "one failure per failed stream" "counted, WARN, ERROR: $(cat "$WORK/agree")"; fi
# Green's probes failed in their streams too, and the gateway logged those
# as it logs users'; probes never pass nginx, so the ratio leaves them out
# (read against nginx's requests they pushed it past 100% on a quiet real
# gateway): the reader sets them apart, at most one line per probe error.
probe_lines=$(sig green gateway_log.probe_failures)
probe_errs=$(status | python3 -c 'import json,sys; print(json.load(sys.stdin)["signals"]["green"]["probe_errors_by_kind"].get("stream error", 0))' 2>/dev/null)
if [ "${probe_lines:-0}" -ge 1 ] && [ "$probe_lines" -le "${probe_errs:-0}" ]; then
    ok "green's probes' own failure lines are set apart from users' ($probe_lines of $probe_errs in-stream probe errors)"
else not_ok "green's probes' own failure lines are set apart from users'" "set apart $probe_lines, probe in-stream errors $probe_errs"; fi
is "blue's log: read, nothing failed" "$(sig blue gateway_log.failures) $(sig blue gateway_log.malformed)" "0 0"
finish
