#!/bin/sh
# Newcomer command 2: install, build with AddressSanitizer and UBSan, and run
# the whole suite (unit tests, real nginx integration tests). Ends with
# "N passed, N failed, N skipped".
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
cd "$build"
make -j"$(nproc 2>/dev/null || echo 2)" check >check.out 2>&1
status=$?
# Show each test file's result, and the log of whatever failed.
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' check.out || true
if [ $status -ne 0 ]; then
    for log in $(find . -name '*.log' ! -name 'test-suite.log' ! -name config.log); do
        if grep -qE '^(not ok|Bail out)' "$log" 2>/dev/null; then
            echo "---- $log"; tail -n 60 "$log"
        fi
    done
    grep -q '^# TOTAL' check.out || tail -n 40 check.out
fi
total=$(sed -n 's/^# TOTAL: *//p' check.out | tail -n1)
pass=$(sed -n 's/^# PASS: *//p' check.out | tail -n1)
fail=$(sed -n 's/^# FAIL: *//p' check.out | tail -n1)
xpass=$(sed -n 's/^# XPASS: *//p' check.out | tail -n1)
err=$(sed -n 's/^# ERROR: *//p' check.out | tail -n1)
skip=$(sed -n 's/^# SKIP: *//p' check.out | tail -n1)
failed=$(( ${fail:-0} + ${xpass:-0} + ${err:-0} + demo_build_failed ))
# A build or harness failure that ran no test still counts as a failure.
if [ -z "$total" ] && [ $status -ne 0 ]; then failed=1; fi
echo "${pass:-0} passed, ${failed} failed, ${skip:-0} skipped"
[ $status -eq 0 ] && [ "$failed" -eq 0 ]
