# Integration tests: the real cutover binary against a real nginx and
# cutover-sim gateways on loopback (bash scripts that print TAP).
TESTS += \
	tests/integration/test_config_errors.sh \
	tests/integration/test_demo.sh \
	tests/integration/test_direction.sh \
	tests/integration/test_guards.sh \
	tests/integration/test_old_workers.sh \
	tests/integration/test_preflight_step.sh \
	tests/integration/test_rejected_file.sh \
	tests/integration/test_server.sh \
	tests/integration/test_server_stop.sh \
	tests/integration/test_sigkill.sh \
	tests/integration/test_status_signals.sh \
	tests/integration/test_traffic_shift.sh
EXTRA_DIST += tests/integration/lib.sh
# valgrind cannot run a sanitizer build: memcheck runs in the release
# build's pass (scripts/test.sh runs the end-to-end tests there too).
if !SANITIZERS
TESTS += tests/integration/test_valgrind.sh
endif
EXTRA_DIST += tests/integration/test_valgrind.sh
