#!/bin/bash
# The demo brings up nginx + two sims + load, and `cutover status` against the
# demo's config shows 100/0 with all the load on blue. `cutover init` prints the
# nginx snippets and a config that cutover itself accepts.
. "$top_srcdir/tests/integration/lib.sh"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || skip_all "nginx not installed"
tap_plan 14

SANDBOX="$WORK/demo"
"$CUTOVER" demo --dir "$SANDBOX" --rps 30 >"$WORK/demo.out" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 200); do [ -f "$SANDBOX/READY" ] && break; sleep 0.05; done
check "the demo comes up (READY written)" test -f "$SANDBOX/READY"
# Each phase of the start is a line: no blank screen while it comes up.
check "the start says its phases" grep -q "cutover demo: starting nginx and two simulated gateways" "$WORK/demo.out"
CONFIG="$SANDBOX/cutover.json"
check "the banner names the binary and config to use" grep -q "$CUTOVER -c $CONFIG status" "$WORK/demo.out"
# Counted before `status` runs: its probes go straight to both colors.
sleep 1.5
BLUE_ADDR=$(json_get "$CONFIG" colors.blue.addr); GREEN_ADDR=$(json_get "$CONFIG" colors.green.addr)
b=$(sim_chats "$BLUE_ADDR"); g=$(sim_chats "$GREEN_ADDR")
if [ "$b" -gt 10 ] && [ "$g" -eq 0 ]; then ok "the load reaches blue only ($b chats)"; else not_ok "the load reaches blue only" "blue=$b green=$g"; fi
out=$("$CUTOVER" -c "$CONFIG" status)
case "$out" in *"blue 100 / green 0"*) ok "status shows 100/0" ;; *) not_ok "status shows 100/0" "$out" ;; esac
case "$out" in *"phase      Steady"*) ok "status names the phase Steady" ;; *) not_ok "status names the phase Steady" "$out" ;; esac

# A console opened on the sandbox starts a server there; Ctrl-C on the demo
# stops it with the rest, as q in the demo's own console does.
"$CUTOVER" -c "$CONFIG" server start >"$WORK/server.out" 2>&1
SERVER_PID=$(cat "$SANDBOX/state/server.pid" 2>/dev/null)
check "a server runs on the sandbox" kill -0 "$SERVER_PID"
kill -INT "$DEMO_PID"
for _ in $(seq 1 100); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$DEMO_PID" 2>/dev/null; then not_ok "Ctrl-C stops the demo within 10 s"; else ok "Ctrl-C stops the demo within 10 s"; fi
wait "$DEMO_PID"; DEMO_PID=""
"$SIM" ctl "$BLUE_ADDR" stats >/dev/null 2>&1
is "the sims are gone after Ctrl-C" "$?" "1"
# The server lets go of its pid lock before its last exit work (a sanitizer
# build's leak check takes a moment): wait for the process itself.
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then not_ok "Ctrl-C stopped the sandbox's cutover server" "$(cat "$WORK/demo.out")"
else ok "Ctrl-C stopped the sandbox's cutover server"; fi

# --gateway: the light sims stay the default; a name it does not know is
# refused with the accepted ones, and the real gateway where npm is missing
# (OpenClaw installs from the npm registry) says so, before anything starts.
"$CUTOVER" demo --gateway bogus --no-console >"$WORK/gw.out" 2>&1
is "--gateway bogus: a usage error naming sims and openclaw" \
    "$? $(grep -c "expected sims (the default) or openclaw, got 'bogus'" "$WORK/gw.out")" "2 1"
mkdir -p "$WORK/bin" && ln -s "$(command -v uname)" "$WORK/bin/uname"
CUTOVER_OPENCLAW_CACHE="$WORK/oc-cache" PATH="$WORK/bin" \
    "$CUTOVER" demo --gateway openclaw --dir "$WORK/oc" --no-load >"$WORK/oc.out" 2>&1
is "--gateway openclaw without npm: fails saying why" \
    "$? $(grep -c 'cannot install OpenClaw: npm not found' "$WORK/oc.out")" "1 1"

"$CUTOVER" init >"$WORK/init.out"
check "init prints our log_format" grep -q "^log_format cutover .*rid=\$request_id msec=\$msec';" "$WORK/init.out"
sed -n '/^{/,$p' "$WORK/init.out" >"$WORK/sample.json"
"$CUTOVER" -c "$WORK/sample.json" status >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc -ne 2 ]; then ok "init's sample config is accepted by cutover"; else not_ok "init's sample config is accepted by cutover" "$(cat "$WORK/err")"; fi
finish
