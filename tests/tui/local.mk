# The real console in tmux against the sandbox.
TESTS += tests/tui/test_announce.sh
TESTS += tests/tui/test_console.sh
TESTS += tests/tui/test_console_deciding.sh
TESTS += tests/tui/test_console_guards.sh
TESTS += tests/tui/test_failures.sh
TESTS += tests/tui/test_failures_noid.sh
TESTS += tests/tui/test_record.sh
TESTS += tests/tui/test_replay.sh
EXTRA_DIST += tests/tui/lib.sh
