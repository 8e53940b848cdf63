# The tmux side of the console tests (sourced after tests/integration/lib.sh
# and start_sandbox): a tmux server of the test's own, stopped with the
# cutover server and the sandbox when the test exits.
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
TMUX_SOCK="cutover-$(basename "$0" .sh)-$$"
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; "$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1; cleanup' EXIT
# screen_of TARGET: what the pane shows, trailing blanks dropped.
screen_of() { tm capture-pane -p -t "$1" | sed 's/ *$//'; }
# wait_screen TARGET PATTERN SECONDS: poll the pane until grep -E matches.
wait_screen() {
    for _ in $(seq 1 $(($3 * 10))); do screen_of "$1" | grep -qE -- "$2" && return 0; sleep 0.1; done
    return 1
}
