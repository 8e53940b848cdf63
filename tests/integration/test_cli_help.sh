#!/bin/bash
# Every command answers --help (and -h): exit 0, its usage on stdout,
# nothing on stderr, before any config is read. The commands are taken
# from `cutover --help`, so a new command without a help text fails here.
. "$top_srcdir/tests/integration/lib.sh"
cmds=$("$CUTOVER" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p')
n=$(echo "$cmds" | wc -w)
[ "$n" -ge 10 ] || bail "found only $n commands in cutover --help: $cmds"
tap_plan $((n * 2 + 2))
for c in $cmds; do
    out=$("$CUTOVER" -c /nonexistent/cutover.json "$c" --help 2>"$WORK/err"); rc=$?
    if [ $rc -eq 0 ] && [ ! -s "$WORK/err" ] && printf '%s\n' "$out" | head -n 1 | grep -q "^usage: cutover \[-c FILE\] $c"; then
        ok "$c --help: exit 0, usage on stdout (no config needed)"
    else
        not_ok "$c --help" "exit $rc" "stdout: $(printf '%s' "$out" | head -n 2)" "stderr: $(head -n 2 "$WORK/err")"
    fi
    out=$("$CUTOVER" "$c" -h 2>/dev/null); rc=$?
    if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^usage: cutover"; then ok "$c -h"
    else not_ok "$c -h" "exit $rc"; fi
done
out=$("$CUTOVER" demo --help); rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q -- "--scenario"; then ok "demo --help names its options"
else not_ok "demo --help names its options" "exit $rc: $out"; fi
# On the defaults, a failing command says where it looked for a config.
mkdir -p "$WORK/cwd" "$WORK/home"
(cd "$WORK/cwd" && env -u CUTOVER_CONFIG -u XDG_CONFIG_HOME HOME="$WORK/home" \
    XDG_STATE_HOME="$WORK/state" "$CUTOVER" report latest >/dev/null 2>"$WORK/noconf")
if grep -q "no config file was found" "$WORK/noconf" && grep -q "$WORK/cwd/cutover.json" "$WORK/noconf" &&
   grep -q "$WORK/home/.config/cutover/config.json" "$WORK/noconf"; then
    ok "a command that found no config names the paths it tried"
else not_ok "a command that found no config names the paths it tried" "$(cat "$WORK/noconf")"; fi
finish
