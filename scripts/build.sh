#!/bin/sh
# Configures and builds cutover in _build/ (out of tree). Extra arguments go to configure.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="${CUTOVER_BUILD_DIR:-$top/_build}"
cd "$top"
# CUTOVER_BUILD_PROGRESS=1 (scripts/demo.sh) says each phase on a line.
say() { [ -z "${CUTOVER_BUILD_PROGRESS:-}" ] || echo "build: $*"; }
[ -x configure ] || say "autogen (generating configure)"
[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || ./autogen.sh
mkdir -p "$build"
cd "$build"
# Re-configure when the options changed (e.g. the test build adds sanitizers).
want="$*"
if [ ! -f Makefile ] || [ "$(cat .configure-args 2>/dev/null)" != "$want" ]; then
    say "configure (log in $build/configure.out)"
    "$top/configure" --enable-werror "$@" >configure.out 2>&1 || { cat configure.out; exit 1; }
    echo "$want" > .configure-args
fi
say "make (log in $build/make.out)"
make -j"$(nproc 2>/dev/null || echo 2)" >make.out 2>&1 || { cat make.out; exit 1; }
say "done: $build/cutover"
