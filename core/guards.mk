# core/guards.mk: the guards (TTFT halt, dwell, 5xx excess, drain) as pure
# logic, and their unit test.
libcore_a_SOURCES += core/guards.c core/guards.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guards
TESTS += tests/unit/test_guards

tests_unit_test_guards_SOURCES = tests/unit/test_guards.c
tests_unit_test_guards_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guards_LDADD = libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS)
endif
