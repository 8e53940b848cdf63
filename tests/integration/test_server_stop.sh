#!/bin/bash
# The server's edges: a server that cannot start says why and exits 1 (no
# abort); status through the server fails as a direct read would when the
# upstream file cannot be read; and a server asked to stop while a rollback
# hook still runs waits for it: the hook's outcome is journaled and nothing
# touches the engine after it is freed (ASan would abort the server).
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 9
JOURNAL="$SANDBOX/state/journal.jsonl"
trap '"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; kill $LOAD_PID 2>/dev/null; cleanup' EXIT

# --- a server that cannot listen -------------------------------------------------
LONG="$WORK/$(printf 'x%.0s' $(seq 1 120))"
mkdir -p "$LONG"
python3 - "$CONFIG" "$WORK/long.json" "$LONG" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["state_dir"] = sys.argv[3]
json.dump(c, open(sys.argv[2], "w"))
PY
timeout 20 "$CUTOVER" -c "$WORK/long.json" server --foreground >"$WORK/long.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "socket path is too long" "$WORK/long.out" && ! grep -q Assertion "$WORK/long.out"; then
    ok "a server whose socket path is too long says so and exits 1"
else not_ok "a server whose socket path is too long says so and exits 1" "exit $rc: $(cat "$WORK/long.out")"; fi

# --- status through the server without an upstream file -------------------------
check "the server starts" "$CUTOVER" -c "$CONFIG" server start
mv "$SANDBOX/upstream.conf" "$WORK/upstream.conf.away"
sleep 2.2 # the next snapshot is built without weights
"$CUTOVER" -c "$CONFIG" status >"$WORK/status.out" 2>&1
rc=$?
mv "$WORK/upstream.conf.away" "$SANDBOX/upstream.conf"
if [ $rc -eq 1 ] && grep -q "cannot read the upstream file" "$WORK/status.out"; then
    ok "status through the server fails with exit 1 when the upstream file is unreadable"
else not_ok "status through the server fails with exit 1 when the upstream file is unreadable" \
    "exit $rc: $(cat "$WORK/status.out")"; fi
for _ in $(seq 1 30); do "$CUTOVER" -c "$CONFIG" status --json >/dev/null 2>&1 && break; sleep 0.1; done
check "and works again once it is back" "$CUTOVER" -c "$CONFIG" status --json
"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1

# --- stopping while a rollback hook runs -----------------------------------------
set_config rollout.window_s 2 rollout.excess_5xx_for_s 1 rollout.auto_rollback true \
    hooks.on_rollback '[["sleep", "3"]]'
check "to 50/50" shift_to 50
check "the server starts again" "$CUTOVER" -c "$CONFIG" server start
SERVER_PID=$(cat "$SANDBOX/state/server.pid")
"$SIM" ctl "$GREEN_ADDR" set error_rate=0.5 >/dev/null
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --rps 100 \
    --concurrency 16 --duration 30 --quiet >/dev/null 2>&1 &
LOAD_PID=$!
for _ in $(seq 1 200); do [ "$(weights)" = "100/0" ] && break; sleep 0.1; done
kill -TERM "$SERVER_PID"
is "green's errors rolled back to 100/0 (the hook now sleeps 3 s)" "$(weights)" "100/0"
kill "$LOAD_PID" 2>/dev/null
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$SERVER_PID" 2>/dev/null && grep -q "cutover server: stopped" "$SANDBOX/state/server.log" &&
    ! grep -q "AddressSanitizer" "$SANDBOX/state/server.log"; then
    ok "the server stopped cleanly after its hook"
else not_ok "the server stopped cleanly after its hook" "$(tail -n 20 "$SANDBOX/state/server.log")"; fi
grep -q '"action":"hook".*"outcome":"ok"' "$JOURNAL"
is "the hook's outcome is journaled although the stop came first" "$?" "0"
finish
