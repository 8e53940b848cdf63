# Integration tests: the real cutover binary against a real nginx and
# cutover-sim gateways on loopback (bash scripts that print TAP), and two
# small C drivers of one backend each. test_sim.sh is in sim/local.mk.
TESTS += \
	tests/integration/test_check.sh \
	tests/integration/test_deciding_cli.sh \
	tests/integration/test_check_gateway.sh \
	tests/integration/test_cli_help.sh \
	tests/integration/test_config_errors.sh \
	tests/integration/test_demo.sh \
	tests/integration/test_direction.sh \
	tests/integration/test_drills.sh \
	tests/integration/test_export.sh \
	tests/integration/test_failure_parity.sh \
	tests/integration/test_gateway_failures.sh \
	tests/integration/test_drill_stream.sh \
	tests/integration/test_grafana.sh \
	tests/integration/test_guards.sh \
	tests/integration/test_kill_move.sh \
	tests/integration/test_old_workers.sh \
	tests/integration/test_preflight_step.sh \
	tests/integration/test_prometheus.sh \
	tests/integration/test_rejected_file.sh \
	tests/integration/test_server.sh \
	tests/integration/test_server_stop.sh \
	tests/integration/test_sigkill.sh \
	tests/integration/test_stats.sh \
	tests/integration/test_status_signals.sh \
	tests/integration/test_tail_rotation.sh \
	tests/integration/test_timeline.sh \
	tests/integration/test_traffic_shift.sh
# The real gateway (two OpenClaw instances, installed by scripts/openclaw.sh
# on first use; skipped without the npm registry). It takes 2-4 minutes, so
# scripts/test.sh's second pass on the release build leaves it out.
TESTS += tests/integration/test_openclaw.sh
END_TO_END_ONCE = tests/integration/test_openclaw.sh
EXTRA_DIST += tests/integration/lib.sh tests/integration/grafana_listener.py \
	tests/integration/test_drills.sh

# tail_count: a tiny driver that tails a file and prints its line count at
# SIGTERM; the end-to-end rotation test runs it against the sandbox's nginx.
check_PROGRAMS += tests/integration/tail_count
tests_integration_tail_count_SOURCES = tests/integration/tail_count.c
tests_integration_tail_count_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS)
tests_integration_tail_count_LDADD = libbackends.a libcore.a $(LIBUV_LIBS)

# The nginx backend against a real nginx (cmocka; keeps its old name).
if HAVE_CMOCKA
check_PROGRAMS += test_nginx_backend
TESTS += test_nginx_backend
test_nginx_backend_SOURCES = tests/integration/test_nginx_backend.c
test_nginx_backend_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
test_nginx_backend_LDADD = libbackends.a libcore.a $(LIBUV_LIBS) $(CMOCKA_LIBS)
endif
# valgrind cannot run a sanitizer build: memcheck runs in the release
# build's pass (scripts/test.sh runs the end-to-end tests there too).
if !SANITIZERS
TESTS += tests/integration/test_valgrind.sh
endif
EXTRA_DIST += tests/integration/test_valgrind.sh
