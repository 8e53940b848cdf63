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
tap_plan 8
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
# until_true SECONDS PYTHON-EXPR-ON-STATUS: polls the server's status until
# the expression (on `s`, its JSON) holds; prints the last status.
until_true() {
    local end=$((SECONDS + $1)) out
    while :; do
        out=$(status)
        python3 -c 'import json,sys
s=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$out" "$2" 2>/dev/null \
            && { echo "$out" >"$WORK/last.json"; return 0; }
        [ $SECONDS -ge $end ] && { echo "$out" >"$WORK/last.json"; return 1; }
        sleep 0.2
    done
}

check "cutover server start" "$CUTOVER" -c "$CONFIG" server start
check "to 50/50 a step at a time" shift_to 50 --force --reason "gateway-log test: to half"
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --rps 100 \
    --concurrency 16 --duration 90 --quiet >/dev/null 2>&1 &
LOAD_PID=$!
until_true 60 's["signals"]["green"]["requests"] >= 40 and s["signals"]["blue"]["requests"] >= 40 and s["signals"]["green"]["gateway_log"]["state"] == "following"' \
    || bail "no load on both colors: $(cat "$WORK/last.json")"

start=$SECONDS
"$SIM" ctl "$G" set stream_error_rate=0.5 >/dev/null
# The ratio rises from the gateway's log while nginx's 5xx stay 0.
if until_true 60 's["signals"]["green"]["ratio_failures"] >= 0.2 and s["signals"]["green"]["ratio_5xx"] == 0 and s["signals"]["blue"]["ratio_failures"] == 0'; then
    ok "green's failure ratio rises while its 5xx ratio stays 0: $(python3 -c 'import json,sys
g=json.load(open(sys.argv[1]))["signals"]["green"]; print("failures %.2f, 5xx %.2f, %d requests" % (g["ratio_failures"], g["ratio_5xx"], g["requests"]))' "$WORK/last.json")"
else not_ok "green's failure ratio rises while its 5xx ratio stays 0" "$(cat "$WORK/last.json")"; fi

until_true 60 's["weights"]["green"] == 0' >/dev/null
took=$((SECONDS - start))
if [ "$(weights)" = "100/0" ] && [ $took -ge 7 ]; then
    ok "rolled back by itself after ${took} s (sustain 8 s)"
else not_ok "rolled back by itself after the sustain" "weights $(weights) after ${took} s"; fi

# The journal's auto-rollback names the failure ratio and where it came from.
python3 - "$JOURNAL" >"$WORK/journal.check" 2>&1 <<'PY'
import json, re, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
a = [e for e in ev if e.get("action") == "auto-rollback" and e.get("outcome") == "started"]
assert a, "no auto-rollback journaled"
why = a[-1].get("error", "")
assert re.match(r"green failures [0-9.]+% vs blue [0-9.]+% for [0-9]+ s \(5xx 0\.00% \+ "
                r"in-stream [0-9.]+% of [0-9]+ requests: nginx's access log \+ green's gateway "
                r"log; \+[0-9.]+ points, limit 0\.5\)$", why), why
print(why)
PY
if [ $? -eq 0 ]; then ok "the journal names the failure ratio and its source: $(cat "$WORK/journal.check")"
else not_ok "the journal names the failure ratio and its source" "$(cat "$WORK/journal.check")"; fi

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
is "blue's log: read, nothing failed" "$(sig blue gateway_log.failures) $(sig blue gateway_log.malformed)" "0 0"
finish
