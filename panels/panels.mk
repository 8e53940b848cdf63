# panels/panels.mk: the console's panels besides the chart (weights, guards,
# events, status line, help overlay) and what they share (panel.c: title
# row with the snapshot's age, clock, spinner). Pure like the chart: they
# read a model and draw into a grid, so they live in libtui.a and are
# tested without a terminal.
libtui_a_SOURCES += \
	panels/panel.c panels/panel.h \
	panels/weights.c panels/weights.h \
	panels/guards.c panels/guards.h \
	panels/events.c panels/events.h \
	panels/failures.c panels/failures.h \
	panels/status.c panels/status.h \
	panels/help.c panels/help.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_panels
TESTS += tests/unit/test_panels
tests_unit_test_panels_SOURCES = tests/unit/test_panels.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_panels_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_panels_LDADD = libtui.a libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS) -lm
endif
