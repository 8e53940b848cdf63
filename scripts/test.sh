#!/bin/sh
# Newcomer command 2: install, build with AddressSanitizer and UBSan, and run
# the whole suite (unit tests, real nginx integration tests); then run the
# end-to-end tests again on the release build the demo uses (with valgrind's
# memcheck on the direct CLI). Ends with "N passed, N failed, N skipped",
# counting both passes.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build="${CUTOVER_BUILD_DIR:-$top/_build-test}"
"$top/scripts/deps.sh" || exit 1
# The build the demo command uses (-O2, no sanitizers) warns in its own ways
# (inlining sees other sizes): it must stay warning-free too.
demo_build_failed=0
if ! CUTOVER_BUILD_DIR="$top/_build" "$top/scripts/build.sh" >/dev/null 2>&1; then
    echo "FAIL: the demo's build (scripts/build.sh, as scripts/demo.sh runs it):"
    cat "$top/_build/make.out" 2>/dev/null | grep -E "error|warning" | head -n 20
    demo_build_failed=1
fi
CUTOVER_BUILD_DIR="$build" "$top/scripts/build.sh" --enable-sanitizers || exit 1

# run_check DIR [TESTS]: make check in DIR (all tests, or the list given) into
# DIR/check.out; shows each test file's result and the log of whatever failed.
run_check() {
    ( cd "$1" && if [ $# -gt 1 ]; then make -j"$(nproc 2>/dev/null || echo 2)" check TESTS="$2"
                 else make -j"$(nproc 2>/dev/null || echo 2)" check; fi ) >"$1/check.out" 2>&1
    local rc=$?
    grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' "$1/check.out" || true
    if [ $rc -ne 0 ]; then
        for log in $(find "$1" -name '*.log' ! -name 'test-suite.log' ! -name config.log); do
            if grep -qE '^(not ok|Bail out)' "$log" 2>/dev/null; then
                echo "---- $log"; tail -n 60 "$log"
            fi
        done
        grep -q '^# TOTAL' "$1/check.out" || tail -n 40 "$1/check.out"
    fi
    return $rc
}
# count DIR FIELD: a field of automake's summary (0 when absent).
count() { v=$(sed -n "s/^# $2: *//p" "$1/check.out" | tail -n1); echo "${v:-0}"; }

# 1. Every test on the sanitizer build.
echo "== the whole suite, ASan + UBSan build ($build)"
run_check "$build"
status=$?
# 2. The end-to-end tests again on the release build the demo runs (and
#    memcheck on the direct CLI there, which cannot run under ASan).
release_status=0
if [ $demo_build_failed -eq 0 ]; then
    echo "== end-to-end tests, release build ($top/_build)"
    # The kill test's 25 + 25 kills ran on the sanitizer build; 5 + 5 here
    # check the -O2 build's moves, at a fifth of the time.
    KILL_MOVE_N=5 run_check "$top/_build" "$(make -s -C "$top/_build" print-end-to-end-tests)"
    release_status=$?
fi

pass=0 failed=$demo_build_failed skip=0 ran=0
for dir in "$build" "$top/_build"; do
    [ -f "$dir/check.out" ] || continue
    [ "$dir" = "$top/_build" ] && [ $demo_build_failed -ne 0 ] && continue
    pass=$((pass + $(count "$dir" PASS)))
    skip=$((skip + $(count "$dir" SKIP)))
    failed=$((failed + $(count "$dir" FAIL) + $(count "$dir" XPASS) + $(count "$dir" ERROR)))
    ran=$((ran + $(count "$dir" TOTAL)))
done
# A build or harness failure that ran no test still counts as a failure.
if [ $status -ne 0 ] || [ $release_status -ne 0 ]; then [ $failed -eq 0 ] && failed=1; fi
[ $ran -eq 0 ] && [ $failed -eq 0 ] && failed=1
echo "${pass} passed, ${failed} failed, ${skip} skipped"
[ $status -eq 0 ] && [ $release_status -eq 0 ] && [ "$failed" -eq 0 ]
