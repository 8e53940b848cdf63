# timeline.mk: the timeline files (core reader/encoders, the server's
# writer), `cutover report` and their tests (issue 7).
libcore_a_SOURCES += core/timeline.c core/timeline.h core/report.c core/report.h \
	core/report_render.c
libserver_a_SOURCES += server/timeline.c server/timeline.h server/timeline_dir.c \
	server/timeline_priv.h
libcli_a_SOURCES += cli/cmd_report.c cli/timeline_file.c cli/timeline_file.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_timeline tests/unit/test_report
TESTS += tests/unit/test_timeline tests/unit/test_report

tests_unit_test_timeline_SOURCES = tests/unit/test_timeline.c tests/unit/fixture.c tests/unit/fixture.h \
	tests/unit/feed.h
tests_unit_test_timeline_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_timeline_LDADD = libserver.a libbackends.a libcore.a $(LIBUV_LIBS) $(CJSON_LIBS) $(CMOCKA_LIBS)

tests_unit_test_report_SOURCES = tests/unit/test_report.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_report_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_report_LDADD = libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS)
endif

TESTS += tests/integration/test_timeline.sh
EXTRA_DIST += tests/unit/fixtures/timeline_torn.jsonl tests/unit/fixtures/timeline_rollback.jsonl
