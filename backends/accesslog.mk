# backends/accesslog.mk: tailing the live access log (rotation, truncation).
libbackends_a_SOURCES += backends/accesslog.c backends/accesslog.h

# tail_count: a tiny driver that tails a file and prints its line count at
# SIGTERM; the end-to-end rotation test runs it against the sandbox's nginx.
check_PROGRAMS += tests/integration/tail_count
tests_integration_tail_count_SOURCES = tests/integration/tail_count.c
tests_integration_tail_count_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS)
tests_integration_tail_count_LDADD = libbackends.a $(LIBUV_LIBS)
TESTS += tests/integration/test_tail_rotation.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_accesslog
TESTS += tests/unit/test_accesslog
tests_unit_test_accesslog_SOURCES = tests/unit/test_accesslog.c
tests_unit_test_accesslog_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_accesslog_LDADD = libbackends.a $(LIBUV_LIBS) $(CMOCKA_LIBS)
endif
