#!/bin/bash
# Regenerates the console screenshots in docs/screens: <theme>-<cols>x<rows>
# .txt (tmux capture-pane -p), .ansi (capture-pane -p -e) and .png (drawn from
# the .ansi by scripts/ansi_to_png.py), for every theme at 80x24 and 160x48.
#
# What is on them: a demo sandbox (nginx + two cutover-sim gateways, 20 chats/s
# of load), the server, ~20 s of traffic, then one `shift +10` and 15 s more,
# so the chart's reload marker stands inside the chart rather than on "now";
# each console is opened in --watch mode, so nothing holds control. Every process started here is stopped at the end.
#
# Usage: scripts/screenshots.sh
#   CUTOVER_BUILD_DIR   the build to use (default _build; built with
#                       scripts/build.sh when it has no cutover binary)
#   SCREENS_DIR         where the files go (default docs/screens)
#   SCREENS_TRAFFIC_S   seconds of traffic before the shift (default 20)
#   SCREENS_AFTER_S     seconds of traffic after it (default 15)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"   # a relative CUTOVER_BUILD_DIR means what it means to build.sh
BUILD=${CUTOVER_BUILD_DIR:-_build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
CUT=$BUILD/cutover
OUT=${SCREENS_DIR:-$TOP/docs/screens}
TRAFFIC_S=${SCREENS_TRAFFIC_S:-20}
AFTER_S=${SCREENS_AFTER_S:-15}
THEMES=(default colorblind mono high-contrast)
SIZES=(80x24 160x48)

say() { echo "screenshots: $*" >&2; }
die() { say "$*"; exit 1; }

for tool in tmux python3 convert; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx is not installed"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] ||
    die "DejaVu Sans Mono is missing: apt-get install fonts-dejavu-core"
if [ ! -x "$CUT" ]; then
    say "no cutover in $BUILD: building it"
    CUTOVER_BUILD_DIR=$BUILD scripts/build.sh
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cutover-screens.XXXXXX")
SANDBOX=$WORK/sandbox
CFG=$SANDBOX/cutover.json
TMUX_SOCK=cutover-screens-$$
DEMO_PID=""
tm() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }

cleanup() {
    tm kill-server 2>/dev/null || true
    [ -f "$CFG" ] && "$CUT" -c "$CFG" server stop --force >/dev/null 2>&1 || true
    if [ -n "$DEMO_PID" ]; then
        kill -TERM "$DEMO_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DEMO_PID" 2>/dev/null || true
        wait "$DEMO_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# set_config KEY VALUE...: dotted keys, JSON values (scripts/json_set.py).
set_config() { python3 "$TOP/scripts/json_set.py" "$CFG" "$@"; }

# The sandbox, with its load; READY is written once nginx and both gateways
# answer and the load generator runs.
"$CUT" demo --dir "$SANDBOX" --no-console >"$WORK/demo.out" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 200); do
    [ -f "$SANDBOX/READY" ] && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$WORK/demo.out" >&2; die "cutover demo exited"; }
    sleep 0.05
done
[ -f "$SANDBOX/READY" ] || { cat "$WORK/demo.out" >&2; die "cutover demo not ready in 10 s"; }
# No dwell and one sample are enough for the one step we take: the pictures
# are about the console, not the guards.
set_config rollout.min_dwell_s 0 rollout.min_samples 1
"$CUT" -c "$CFG" server start >/dev/null || die "cutover server start failed"
say "traffic for ${TRAFFIC_S}s"
sleep "$TRAFFIC_S"
"$CUT" -c "$CFG" shift +10 >"$WORK/shift.out" 2>&1 ||
    { cat "$WORK/shift.out" >&2; die "shift +10 was refused"; }
sleep "$AFTER_S"

# wait_full TARGET: the first frame is drawn before the first snapshot has
# arrived; wait for the status line, the reload marker on the time axis and
# the weights read back, then one more second so every panel has a snapshot.
wait_full() {
    local screen
    for _ in $(seq 1 150); do
        screen=$(tm capture-pane -p -t "$1")
        if grep -q "WATCH" <<<"$screen" && grep -q "┴" <<<"$screen" &&
            grep -q "90/10" <<<"$screen"; then
            sleep 1
            return 0
        fi
        sleep 0.1
    done
    return 1
}

mkdir -p "$OUT"
for theme in "${THEMES[@]}"; do
    for size in "${SIZES[@]}"; do
        name=$theme-$size
        tm new-session -d -s "$name" -x "${size%x*}" -y "${size#*x}" \
            env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
            "$CUT" -c "$CFG" --watch --theme "$theme"
        wait_full "$name" || { tm capture-pane -p -t "$name" >&2; die "$name: no full screen in 15 s"; }
        tm capture-pane -p -t "$name" >"$OUT/$name.txt"
        tm capture-pane -p -e -t "$name" >"$OUT/$name.ansi"
        tm kill-session -t "$name"
        python3 "$TOP/scripts/ansi_to_png.py" "$OUT/$name.ansi" "$OUT/$name.png" "$size"
        say "$name done"
    done
done
