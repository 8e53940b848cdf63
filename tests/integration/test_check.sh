#!/bin/bash
# cutover check against the demo sandbox (real nginx, two cutover-sims): it
# passes as the demo is built, and fails, naming what is wrong, on a gateway
# listening on 0.0.0.0, on nginx buffering the stream, on a read timeout
# that differs from the gateway's, on secret files that differ, on an open
# debug path, on one log file for both colors and on a low open-files
# limit.
. "$top_srcdir/tests/integration/lib.sh"

tap_plan 20
start_sandbox
EXTRA_PID=""
cleanup_extra() { [ -n "$EXTRA_PID" ] && kill -TERM "$EXTRA_PID" 2>/dev/null; cleanup; }
trap cleanup_extra EXIT

# with_config OUT 'dotted.key=JSON' ...: a copy of the sandbox config with keys set.
with_config() {
    local out=$1; shift
    python3 - "$CONFIG" "$out" "$@" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
for kv in sys.argv[3:]:
    key, value = kv.split("=", 1)
    node = cfg
    parts = key.split(".")
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = json.loads(value)
json.dump(cfg, open(sys.argv[2], "w"), indent=1)
PY
}

# run_check CONFIG: runs `cutover check`, output in $WORK/out, exit code in RC.
run_check() {
    "$CUTOVER" -c "$1" check >"$WORK/out" 2>&1
    RC=$?
}
# line NAME: the output line of one check.
line() { grep -E "^[a-z]+ +$1 " "$WORK/out"; }
# expect_line DESC NAME STATUS TEXT: that check has STATUS and its reason holds TEXT.
expect_line() {
    local got; got=$(line "$2")
    if [[ "$got" == "$3 "* && "$got" == *"$4"* ]]; then ok "$1"
    else not_ok "$1" "line: $got" "want status $3 and: $4" "$(cat "$WORK/out")"; fi
}

# 1-3: the demo sandbox passes; the colors' ports may be close (free ports), which only warns.
run_check "$CONFIG"
is "check passes on the demo sandbox" "$RC" 0
[ "$RC" = 0 ] || cat "$WORK/out" | sed 's/^/#   /'
names=$(awk '{print $2}' "$WORK/out" | tr '\n' ' ')
is "every check reported, in order" "$names" \
    "loopback.blue loopback.green health.blue health.green nginx.include nginx.streaming nginx.xff secrets log_files debug_routes control_ui gateway.config gateway.secrets gateway.limits ports nofile.blue nofile.green moves "
"$CUTOVER" -c "$CONFIG" check --json >"$WORK/json" 2>&1
passed=$(python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
bad=[c for c in r["checks"] if c["status"] not in ("ok","warn","skipped")]
print(str(r["passed"]).lower(), len(r["checks"]), len(bad))' "$WORK/json")
# moves: the last move finished (nginx runs what the file holds), issue 14;
# log_files, control_ui and the gateway.* config parity rows, issue 12
is "--json: passed, 18 checks, none failed" "$passed" "true 18 0"

# 4-5: a gateway bound to every interface, named with its address.
"$SIM" serve --listen 0.0.0.0:0 --name green >"$WORK/wide.out" 2>&1 &
EXTRA_PID=$!
WIDE=""
for _ in $(seq 100); do
    WIDE=$(sed -n 's/^listening //p' "$WORK/wide.out")
    [ -n "$WIDE" ] && break
    sleep 0.05
done
WIDE_PORT=${WIDE##*:}
with_config "$WORK/wide.json" "colors.green.addr=\"127.0.0.1:$WIDE_PORT\""
run_check "$WORK/wide.json"
is "check refuses (exit 5) a gateway on 0.0.0.0" "$RC" 5
expect_line "the listener is named" loopback.green fail \
    "green listens on 0.0.0.0:$WIDE_PORT: must be loopback only"
kill -TERM "$EXTRA_PID" 2>/dev/null; wait "$EXTRA_PID" 2>/dev/null; EXTRA_PID=""

# 6-7: nothing listening.
with_config "$WORK/none.json" "colors.green.addr=\"127.0.0.1:$WIDE_PORT\""
run_check "$WORK/none.json"
expect_line "a port nobody listens on fails" loopback.green fail "nothing listens on 127.0.0.1:$WIDE_PORT"
# Readiness is asked first (/readyz, issue 12).
expect_line "and its health check fails" health.green fail "GET /readyz on 127.0.0.1:$WIDE_PORT"

# 8-9: nginx buffering the stream (the sandbox's own nginx.conf, edited and put back).
cp "$SANDBOX/nginx.conf" "$WORK/nginx.conf.orig"
sed -i 's/proxy_buffering off;/proxy_buffering on;/' "$SANDBOX/nginx.conf"
run_check "$CONFIG"
cp "$WORK/nginx.conf.orig" "$SANDBOX/nginx.conf"
is "check refuses proxy_buffering on" "$RC" 5
expect_line "the setting and where it applies are named" nginx.streaming fail \
    "proxy_buffering on (must be off for streams)"

# 10: X-Forwarded-For appended to the client's chain (the gateway answers 403 to those).
sed -i -e '/X-Forwarded-For/d' \
    -e 's/proxy_pass http:\/\/openclaw_gateway;/&\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;/' \
    "$SANDBOX/nginx.conf"
run_check "$CONFIG"
cp "$WORK/nginx.conf.orig" "$SANDBOX/nginx.conf"
expect_line "an appended X-Forwarded-For fails" nginx.xff fail \
    "X-Forwarded-For \$proxy_add_x_forwarded_for appends to the client's chain: the gateway answers 403"

# 11: a gateway idle ceiling that is not nginx's read timeout: both numbers.
with_config "$WORK/idle.json" "gateway.idle_timeout_s=60"
run_check "$WORK/idle.json"
expect_line "a read timeout mismatch names both numbers" nginx.streaming fail \
    "proxy_read_timeout 300s but gateway.idle_timeout_s is 60"

# 12-15: secrets parity: same bytes pass, different bytes fail naming the
# files and never printing their content; a missing file is named.
mkdir -p "$WORK/blue" "$WORK/green"
echo "sk-live-SECRETVALUE-1234" >"$WORK/blue/api.key"
echo "sk-live-SECRETVALUE-1234" >"$WORK/green/api.key"
with_config "$WORK/sec.json" "colors.blue.secret_files=[\"$WORK/blue/api.key\"]" \
    "colors.green.secret_files=[\"$WORK/green/api.key\"]"
run_check "$WORK/sec.json"
expect_line "identical secret files pass" secrets ok "1 secret file(s) match"
echo "sk-live-STALEVALUE-0000" >"$WORK/green/api.key"
run_check "$WORK/sec.json"
expect_line "different secret files fail, naming both" secrets fail \
    "blue's $WORK/blue/api.key and green's $WORK/green/api.key differ"
digest=$(sha256sum "$WORK/green/api.key" | cut -c1-12)
if ! line secrets >/dev/null; then
    not_ok "no secret content or full digest is printed" "no secrets line" "$(cat "$WORK/out")"
elif grep -q -e SECRETVALUE -e STALEVALUE -e "$digest" "$WORK/out"; then
    not_ok "no secret content or full digest is printed" "$(cat "$WORK/out")"
else ok "no secret content or full digest is printed"; fi
rm "$WORK/green/api.key"
run_check "$WORK/sec.json"
expect_line "a missing secret file is named" secrets fail "cannot read $WORK/green/api.key"

# 16: blue and green logging to one file, named through a symlink for one
# of them (compared after realpath): the runbook's separate output files.
mkdir -p "$WORK/logs" && : >"$WORK/logs/gw.log" && ln -sfn "$WORK/logs" "$WORK/logs-link"
with_config "$WORK/samelog.json" "colors.blue.log_file=\"$WORK/logs/gw.log\"" \
    "colors.green.log_file=\"$WORK/logs-link/gw.log\""
run_check "$WORK/samelog.json"
expect_line "one log file for both colors fails, naming the runbook rule" log_files fail \
    "blue and green both log to $(cd "$WORK/logs" && pwd -P)/gw.log: the runbook asks separate output files per color"

# 16b: an open debug route (the sim's own control endpoint answers 200).
with_config "$WORK/debug.json" 'gateway.debug_paths=["/debug", "/_sim/stats"]'
run_check "$WORK/debug.json"
expect_line "an open debug path fails, naming path, color and status" debug_routes fail \
    "GET /_sim/stats on blue answered 200"

# 17: an open-files floor above the gateways' limit (Linux reads /proc).
with_config "$WORK/nofile.json" "gateway.min_nofile=16777216"
run_check "$WORK/nofile.json"
soft=$(ulimit -n)
if [ "$(uname)" = Linux ] && [ "$soft" != unlimited ] && [ "$soft" -lt 16777216 ]; then
    expect_line "a low open-files limit names both numbers" nofile.blue fail \
        "files (soft limit) but gateway.min_nofile is 16777216"
else
    expect_line "open files: skipped off Linux" nofile.blue skipped ""
fi

# 18: ports 1 apart only warn (the gateway derives helper ports from its base port).
BLUE_PORT=${BLUE_ADDR##*:}
with_config "$WORK/close.json" "colors.green.addr=\"127.0.0.1:$((BLUE_PORT + 1))\""
run_check "$WORK/close.json"
expect_line "close ports warn, naming them" ports warn \
    "$BLUE_PORT and $((BLUE_PORT + 1)) are 1 apart: the gateway derives helper ports"

# 19: a bad command line is a usage error.
"$CUTOVER" -c "$CONFIG" check --bogus >"$WORK/out" 2>&1
RC=$?
if [ "$RC" = 2 ] && grep -q "check: unknown argument '--bogus'" "$WORK/out"; then
    ok "check --bogus is a usage error (exit 2)"
else not_ok "check --bogus is a usage error (exit 2)" "exit $RC" "$(cat "$WORK/out")"; fi

finish
