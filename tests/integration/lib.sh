# Shared helpers for the integration tests: TAP output, a demo sandbox
# (real nginx + two cutover-sim gateways on loopback), and small readers.
# Sourced by bash test scripts; every test cleans up through `cleanup`.

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"
CUTOVER="$top_builddir/cutover"
SIM="$top_builddir/cutover-sim"
TAP_N=0
TAP_FAILED=0
SANDBOX=""
DEMO_PID=""
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cutover-test.XXXXXX")

tap_plan() { echo "1..$1"; }
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
not_ok() {
    TAP_N=$((TAP_N + 1)); TAP_FAILED=1
    echo "not ok $TAP_N - $1"
    shift
    for line in "$@"; do printf '#   %s\n' "$line"; done
}
# check "description" command...: ok when the command succeeds.
check() {
    local what="$1"; shift
    if "$@" >"$WORK/check.out" 2>&1; then ok "$what"
    else not_ok "$what" "command failed: $*" "$(tail -n 5 "$WORK/check.out")"; fi
}
# is "description" actual expected
is() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:      $2" "expected: $3"; fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
bail() { echo "Bail out! $1"; exit 1; }

cleanup() {
    if [ -n "$DEMO_PID" ]; then
        kill -TERM "$DEMO_PID" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DEMO_PID" 2>/dev/null
        wait "$DEMO_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Starts `cutover demo --dir $WORK/sandbox --no-load` and waits until it is up;
# arguments, when given, replace --no-load (e.g. --scenario failing-green --rps 60).
# Sets SANDBOX, CONFIG, NGINX_PORT, BLUE_ADDR, GREEN_ADDR.
start_sandbox() {
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || skip_all "nginx not installed"
    SANDBOX="$WORK/sandbox"
    local args=("$@")
    [ ${#args[@]} -gt 0 ] || args=(--no-load)
    "$CUTOVER" demo --dir "$SANDBOX" "${args[@]}" >"$WORK/demo.out" 2>&1 &
    DEMO_PID=$!
    for _ in $(seq 1 200); do
        [ -f "$SANDBOX/READY" ] && break
        kill -0 "$DEMO_PID" 2>/dev/null || { cat "$WORK/demo.out"; bail "cutover demo exited"; }
        sleep 0.05
    done
    [ -f "$SANDBOX/READY" ] || { cat "$WORK/demo.out"; bail "cutover demo not ready in 10 s"; }
    CONFIG="$SANDBOX/cutover.json"
    NGINX_PORT=$(sed -n 's|.*listen 127.0.0.1:\([0-9]*\);.*|\1|p' "$SANDBOX/nginx.conf")
    BLUE_ADDR=$(json_get "$CONFIG" colors.blue.addr)
    GREEN_ADDR=$(json_get "$CONFIG" colors.green.addr)
    # These tests are about moving weights, not the guards (test_guards.sh is):
    # no dwell, and the TTFT guard judges after one fast probe and refuses only
    # a 100-fold TTFT (the sims answer in about a millisecond here, where a
    # busy machine's noise alone doubles a p95).
    set_config rollout.min_dwell_s 0 rollout.min_samples 1 rollout.ttft_halt_pct 10000 \
        probe.interval_s 0.2
}

# set_config KEY VALUE...: edits the sandbox's config (dotted keys, JSON values).
set_config() { python3 "$top_srcdir/scripts/json_set.py" "$CONFIG" "$@"; }

# json_get FILE dotted.key: prints a scalar from a JSON file.
json_get() {
    python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v if not isinstance(v,bool) else str(v).lower())' "$1" "$2"
}

# json_field 'JSON text' dotted.key
json_field() {
    python3 -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$1" "$2"
}

# Requests each sim has answered on /v1/chat/completions since its last reset.
sim_chats() { "$SIM" ctl "$1" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["chat_requests"])'; }
sim_reset() { "$SIM" ctl "$1" reset >/dev/null; }

# weights: prints "B/G" as cutover status --json reads them back.
weights() {
    "$CUTOVER" -c "$CONFIG" status --json --sample 0 | python3 -c 'import json,sys
w=json.load(sys.stdin)["weights"]; print("%d/%d" % (w["blue"], w["green"]))'
}

# shift_to N [ARGS...]: the candidate's weight to N one step at a time, as
# cutover moves nginx (no reload moves it more than rollout.step: `shift --to`
# further than a step is refused). ARGS go to every shift. The candidate is
# the one when it starts: it becomes the stable color only on reaching 100.
shift_to() {
    local to=$1 cand step w
    shift
    read -r cand step <<<"$("$CUTOVER" -c "$CONFIG" status --json --sample 0 | python3 -c '
import json,sys; o=json.load(sys.stdin); print(o["candidate"], o["step"])')" || return 1
    for _ in $(seq 0 $((100 / step))); do
        w=$("$CUTOVER" -c "$CONFIG" status --json --sample 0 | python3 -c '
import json,sys; print(json.load(sys.stdin)["weights"][sys.argv[1]])' "$cand") || return 1
        [ "$w" = "$to" ] && return 0
        if [ "$w" -lt "$to" ]; then "$CUTOVER" -c "$CONFIG" shift "+$step" "$@" || return
        else "$CUTOVER" -c "$CONFIG" shift "-$step" "$@" || return; fi
    done
    return 1
}

# gateway_log_sims: two cutover-sims that log each chat as OpenClaw 2026.9
# does (--gateway-log $WORK/COLOR.gw.log) become the sandbox's colors: the
# config (addresses, log_file, stop commands) and the upstream file nginx
# runs, then nginx reloaded as cutover does. Sets B, G (their addresses) and
# adds their pids to SIM_PIDS (the caller's EXIT trap kills them).
gateway_log_sims() {
    local color addr
    for color in blue green; do
        "$SIM" serve --listen 127.0.0.1:0 --name "$color" --ttft-ms 5 --token-ms 2 --tokens 4 \
            --jitter-pct 0 --gateway-log "$WORK/$color.gw.log" >"$WORK/$color.sim.out" 2>&1 &
        SIM_PIDS="$SIM_PIDS $!"
        addr=""
        for _ in $(seq 1 200); do
            addr=$(sed -n 's/^listening //p' "$WORK/$color.sim.out")
            [ -n "$addr" ] && break
            sleep 0.05
        done
        [ -n "$addr" ] || bail "cutover-sim for $color did not start: $(cat "$WORK/$color.sim.out")"
        if [ "$color" = blue ]; then B=$addr; else G=$addr; fi
    done
    set_config colors.blue.addr "\"$B\"" colors.green.addr "\"$G\"" \
        colors.blue.log_file "\"$WORK/blue.gw.log\"" colors.green.log_file "\"$WORK/green.gw.log\"" \
        colors.blue.stop "[\"$SIM\", \"ctl\", \"$B\", \"quit\"]" \
        colors.green.stop "[\"$SIM\", \"ctl\", \"$G\", \"quit\"]"
    local upstream; upstream=$(json_get "$CONFIG" nginx.upstream_file)
    sed -i -e "s|$BLUE_ADDR|$B|g" -e "s|$GREEN_ADDR|$G|g" "$upstream"
    python3 - "$CONFIG" <<'PY' || bail "nginx reload failed"
import json, subprocess, sys
subprocess.run(json.load(open(sys.argv[1]))["nginx"]["reload"], check=True)
PY
}

# nginx_test: nginx -t on the sandbox's config, exactly as cutover runs it.
nginx_test() {
    local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
    "$nginx" -t -q -e "$SANDBOX/error.log" -p "$SANDBOX" -c "$SANDBOX/nginx.conf" 2>/dev/null
}

# until_status SECONDS PYTHON-EXPR: polls the server's `status --json` on
# $CONFIG until the expression (on `s`, its JSON) holds; the last status
# stays in $WORK/last.json.
until_status() {
    local end=$((SECONDS + $1)) out
    while :; do
        out=$("$CUTOVER" -c "$CONFIG" status --json 2>/dev/null)
        echo "$out" >"$WORK/last.json"
        python3 -c 'import json,sys
s=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$out" "$2" 2>/dev/null && return 0
        [ $SECONDS -ge $end ] && return 1
        sleep 0.3
    done
}

# green's failure and 5xx ratios in $WORK/last.json, as a TAP line's tail.
green_ratios() {
    python3 -c 'import json,sys
g=json.load(open(sys.argv[1]))["signals"]["green"]
print("failures %.2f, 5xx %.2f, %d requests" % (g["ratio_failures"], g["ratio_5xx"], g["requests"]))' "$WORK/last.json"
}

# green_failures_roll_back START WAIT_S MIN_RATIO SUSTAIN_S JOURNAL: under
# load through nginx, green failing inside its 200 streams since START (a
# $SECONDS); three TAP lines: green's failure ratio reaches MIN_RATIO from its
# gateway log while its 5xx ratio stays 0 (blue's failures too), the server
# rolls back by itself after the sustain, and the journal names the ratio and
# its source. Each wait is WAIT_S at most.
green_failures_roll_back() {
    local took
    if until_status "$2" "s['signals']['green']['ratio_failures'] >= $3 and s['signals']['green']['ratio_5xx'] == 0 and s['signals']['green']['gateway_log']['failures'] > 0 and s['signals']['blue']['ratio_failures'] == 0"; then
        ok "green's failure ratio rises while its 5xx ratio stays 0: $(green_ratios)"
    else not_ok "green's failure ratio rises while its 5xx ratio stays 0" "$(head -c 800 "$WORK/last.json")"; fi
    until_status "$2" 's["weights"]["green"] == 0' >/dev/null
    took=$((SECONDS - $1))
    if [ "$(weights)" = "100/0" ] && [ $took -ge $(($4 - 1)) ]; then
        ok "rolled back by itself $took s after green began failing (sustain $4 s)"
    else not_ok "rolled back by itself after the sustain" "weights $(weights) after $took s"; fi
    journal_names_failures "$5"
}

# green_fails_half ADDR WAIT_S SUSTAIN_S JOURNAL: the cutover-sim at ADDR
# (green's gateway, or its model behind a real one) fails half its chats
# inside their 200 streams, and green_failures_roll_back judges what follows.
green_fails_half() {
    local start=$SECONDS
    "$SIM" ctl "$1" set stream_error_rate=0.5 >/dev/null
    green_failures_roll_back "$start" "$2" 0.15 "$3" "$4"
}

# journal_names_failures JOURNAL: one TAP line, whether the last
# auto-rollback journaled names green's failure ratio, its in-stream part and
# where they come from (nginx's access log + green's gateway log).
journal_names_failures() {
    python3 - "$1" >"$WORK/journal.check" 2>&1 <<'PY'
import json, re, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
a = [e for e in ev if e.get("action") == "auto-rollback" and e.get("outcome") == "started"]
assert a, "no auto-rollback journaled"
why = a[-1].get("error", "")
assert re.match(r"green failures [0-9.]+% vs blue [0-9.]+% for [0-9]+ s \(5xx 0\.00% \+ "
                r"in-stream [0-9.]+% of [0-9]+ requests: nginx's access log \+ green's gateway "
                r"log; \+[0-9.]+ points, <?[0-9.e+-]+% likely by chance; limit 0\.5\)$", why), why
print(why)
PY
    if [ $? -eq 0 ]; then ok "the journal names the failure ratio and its source: $(cat "$WORK/journal.check")"
    else not_ok "the journal names the failure ratio and its source" "$(cat "$WORK/journal.check")"; fi
}

finish() { exit "$TAP_FAILED"; }
