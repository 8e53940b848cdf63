#!/bin/sh
# Newcomer command 1: install, build, and open cutover on the built-in demo
# (nginx and two simulated gateways on loopback, with load). Ctrl-C stops it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
exec "${CUTOVER_BUILD_DIR:-$top/_build}/cutover" demo "$@"
