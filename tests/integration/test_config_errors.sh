#!/bin/bash
# A bad config gets a one-line error naming the key, the config exit code (2),
# and touches nothing: the upstream file stays as it was and no journal appears.
. "$top_srcdir/tests/integration/lib.sh"
tap_plan 16

up="$WORK/upstream.conf"
cat >"$up" <<'EOF2'
upstream openclaw_gateway {
    server 127.0.0.1:8787 weight=100;
}
EOF2
cp "$up" "$WORK/upstream.orig"

# expect_config_error "what" FILE PATTERN [cutover args...]
expect_config_error() {
    local what=$1 file=$2 pattern=$3; shift 3
    "$CUTOVER" -c "$file" "$@" >/dev/null 2>"$WORK/err"
    local rc=$?
    local lines; lines=$(wc -l <"$WORK/err")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$WORK/err"; then
        ok "$what: exit 2, one line naming it"
    else
        not_ok "$what: exit 2, one line naming it" "exit $rc, $lines lines:" "$(cat "$WORK/err")"
    fi
}
nothing_touched() {
    if cmp -s "$up" "$WORK/upstream.orig" && [ ! -e "$WORK/state/journal.jsonl" ]; then
        ok "$1: nothing touched"
    else
        not_ok "$1: nothing touched"
    fi
}

base='"nginx": {"upstream_file": "'"$up"'", "test": ["true"], "reload": ["true"]}, "state_dir": "'"$WORK/state"'"'

"$CUTOVER" -c "$WORK/missing.json" shift +10 >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "missing.json" "$WORK/err" && [ "$(wc -l <"$WORK/err")" -eq 1 ]; then
    ok "missing config file: exit 2, one line naming the file"
else not_ok "missing config file: exit 2, one line naming the file" "exit $rc: $(cat "$WORK/err")"; fi
nothing_touched "missing config file"

printf '{\n  %s,\n  "rollout": {"step": 10,}\n}\n' "$base" >"$WORK/syntax.json"
"$CUTOVER" -c "$WORK/syntax.json" shift +10 >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "syntax.json:3" "$WORK/err"; then
    ok "bad JSON: exit 2, file and line named"
else not_ok "bad JSON: exit 2, file and line named" "exit $rc: $(cat "$WORK/err")"; fi
nothing_touched "bad JSON"

printf '{ %s, "rollout": {"stpe": 10} }\n' "$base" >"$WORK/typo.json"
expect_config_error "unknown key (typo)" "$WORK/typo.json" "rollout.stpe" shift +10
nothing_touched "unknown key"

printf '{ %s, "colors": {"purple": {"addr": "127.0.0.1:8789"}} }\n' "$base" >"$WORK/color.json"
expect_config_error "unknown color" "$WORK/color.json" "colors.purple" shift +10
nothing_touched "unknown color"

printf '{ %s, "rollout": {"step": 30} }\n' "$base" >"$WORK/step.json"
expect_config_error "step that does not divide 100" "$WORK/step.json" "rollout.step" shift +10
nothing_touched "bad step"

printf '{ %s, "colors": {"green": {"addr": "127.0.0.1:70000"}} }\n' "$base" >"$WORK/port.json"
expect_config_error "port out of range" "$WORK/port.json" "colors.green.addr" shift +10
nothing_touched "bad port"

printf '{ "nginx": {"upstream_file": "%s", "test": "nginx -t"}, "state_dir": "%s" }\n' "$up" "$WORK/state" >"$WORK/shell.json"
expect_config_error "a shell line where an argv array belongs" "$WORK/shell.json" "nginx.test" shift +10
nothing_touched "shell line"

printf '{ %s }\n' "$base" >"$WORK/good.json"
"$CUTOVER" -c "$WORK/good.json" shift --to 35 >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "35" "$WORK/err" && grep -q "multiple" "$WORK/err"; then
    ok "a weight that is not a multiple of the step: exit 2, named"
else not_ok "a weight that is not a multiple of the step: exit 2, named" "exit $rc: $(cat "$WORK/err")"; fi
if cmp -s "$up" "$WORK/upstream.orig"; then ok "bad weight: upstream file untouched"; else not_ok "bad weight: upstream file untouched"; fi
finish
