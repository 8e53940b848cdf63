#!/bin/bash
# The direct CLI paths (no server) under valgrind memcheck, on the release
# build (-O2, no sanitizers: valgrind cannot run an ASan binary, and this is
# the build users run). A shift after the first step once read an
# uninitialised preflight report and died with SIGSEGV in this build only:
# every path here must end as it does without valgrind, with zero errors
# (invalid reads or writes, uninitialised values, definite leaks).
. "$top_srcdir/tests/integration/lib.sh"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed"
start_sandbox
tap_plan 12

# memcheck "description" expected-exit args...
memcheck() {
    local what="$1" want="$2"; shift 2
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --log-file="$WORK/vg.log" "$CUTOVER" -c "$CONFIG" "$@" >"$WORK/out" 2>&1
    local rc=$?
    if [ "$rc" = "$want" ]; then ok "$what: exit $want"
    else not_ok "$what: exit $want" "got $rc: $(tail -n 5 "$WORK/out")"; fi
    if [ -s "$WORK/vg.log" ]; then
        not_ok "$what: no memcheck error" "$(head -n 30 "$WORK/vg.log")"
    else ok "$what: no memcheck error"; fi
}

memcheck "status (samples the signals here)" 0 status --sample 1
# Forced, so that a probe slowed down by valgrind cannot refuse the step
# (the guards are test_guards.sh's): the override path runs too.
memcheck "shift +10 (the first step: preflight, then the move)" 0 \
    shift +10 --sample 1 --force --reason memcheck
memcheck "shift +10 (a later step: the loopback check after the move)" 0 \
    shift +10 --sample 1 --force --reason memcheck
is "nginx was moved to 80/20" "$(weights)" "80/20"
memcheck "rollback (the move, then the candidate's stop command)" 0 rollback
is "and back to 100/0" "$(weights)" "100/0"
# check's own exit follows what it finds in the sandbox: the same as without
# valgrind is what matters.
"$CUTOVER" -c "$CONFIG" check >/dev/null 2>&1
memcheck "check" "$?" check
finish
