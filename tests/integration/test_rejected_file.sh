#!/bin/bash
# nginx rejects the new upstream file: the file is byte-identical to before,
# nginx still serves, the exit code says so, and the journal has nginx's message.
. "$top_srcdir/tests/integration/lib.sh"
start_sandbox
tap_plan 7

before="$WORK/upstream.before"
cp "$SANDBOX/upstream.conf" "$before"
bad="$WORK/bad.json"
python3 - "$CONFIG" "$bad" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["nginx"]["server_params"] = "max_fails=banana fail_timeout=10s"
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY

"$CUTOVER" -c "$bad" shift +10 >"$WORK/out" 2>"$WORK/err"
is "exit code 3: nginx -t failed, file restored" "$?" "3"
check "the upstream file is byte-identical to before" cmp -s "$before" "$SANDBOX/upstream.conf"
check "the message quotes nginx's own text" grep -q 'invalid parameter "max_fails=banana"' "$WORK/err"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST -d '{"stream":true}' \
    "http://127.0.0.1:$NGINX_PORT/v1/chat/completions")
is "nginx still serves through the old file" "$code" "200"
last=$(tail -n 1 "$SANDBOX/state/journal.jsonl")
is "the journal records the failed test" "$(json_field "$last" outcome)" "test-failed"
case "$(json_field "$last" error)" in
    *'invalid parameter "max_fails=banana"'*) ok "the journal has nginx's message" ;;
    *) not_ok "the journal has nginx's message" "$last" ;;
esac
is "weights unchanged" "$(weights)" "100/0"
finish
