#!/bin/sh
# Newcomer command 1: install, build, and open cutover on the built-in demo
# (nginx and two simulated gateways on loopback, with load). Ctrl-C stops it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
echo "demo: 1/3 checking the dependencies (scripts/deps.sh)"
"$top/scripts/deps.sh"
echo "demo: 2/3 building cutover in ${CUTOVER_BUILD_DIR:-$top/_build} (the first time takes a minute or so)"
CUTOVER_BUILD_PROGRESS=1 "$top/scripts/build.sh"
echo "demo: 3/3 starting the demo"
exec "${CUTOVER_BUILD_DIR:-$top/_build}/cutover" demo "$@"
