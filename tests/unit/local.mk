# tests/unit: one cmocka program per core module, each printing TAP.
if HAVE_CMOCKA
UNIT_TESTS = \
	tests/unit/test_config \
	tests/unit/test_upstream \
	tests/unit/test_rollout \
	tests/unit/test_journal \
	tests/unit/test_metric
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS)

tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(UNIT_LDADD)

tests_unit_test_upstream_SOURCES = tests/unit/test_upstream.c
tests_unit_test_upstream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_upstream_LDADD = $(UNIT_LDADD)

tests_unit_test_rollout_SOURCES = tests/unit/test_rollout.c
tests_unit_test_rollout_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rollout_LDADD = $(UNIT_LDADD)

tests_unit_test_journal_SOURCES = tests/unit/test_journal.c
tests_unit_test_journal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_journal_LDADD = $(UNIT_LDADD)

tests_unit_test_metric_SOURCES = tests/unit/test_metric.c
tests_unit_test_metric_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_metric_LDADD = $(UNIT_LDADD)
endif
