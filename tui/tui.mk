# tui/tui.mk: the console's pure layers (no ncurses): the model built from
# the server's messages, the character grid panels draw into, and the chart.
# The ncurses console links libtui.a and blits grids to the screen.
noinst_LIBRARIES += libtui.a
libtui_a_SOURCES = \
	tui/model.c tui/model.h \
	panels/grid.c panels/grid.h \
	panels/chart.c panels/chart.h \
	tui/link.c tui/link.h \
	tui/console.c tui/console.h \
	tui/cast.c tui/cast.h \
	tui/replay.c tui/replay.h
libtui_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
# The console's rooms: keys to actions, panels to places, actions to effects.
libtui_a_SOURCES += \
	tui/keymap.c tui/keymap.h \
	tui/layout.c tui/layout.h \
	tui/commands.c tui/commands.h
# The screen's rooms (tui/screen.c itself is listed in themes/themes.mk):
# grid cells to ncurses cells, the recording pty, the crash rescue.
libtui_a_SOURCES += \
	tui/paint.c tui/paint.h \
	tui/ptyrec.c tui/ptyrec.h \
	tui/rescue.c tui/rescue.h
EXTRA_DIST += tests/unit/fixtures

if HAVE_CMOCKA
TUI_TESTS = tests/unit/test_model tests/unit/test_chart tests/unit/test_cast tests/unit/test_replay
check_PROGRAMS += $(TUI_TESTS)
TESTS += $(TUI_TESTS)
TUI_TEST_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
TUI_TEST_LDADD = libtui.a libcore.a $(CJSON_LIBS) $(LIBUV_LIBS) $(CMOCKA_LIBS) -lm

tests_unit_test_model_SOURCES = tests/unit/test_model.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_model_CFLAGS = $(TUI_TEST_CFLAGS)
tests_unit_test_model_LDADD = $(TUI_TEST_LDADD)

tests_unit_test_chart_SOURCES = tests/unit/test_chart.c
tests_unit_test_chart_CFLAGS = $(TUI_TEST_CFLAGS)
tests_unit_test_chart_LDADD = $(TUI_TEST_LDADD)
tests_unit_test_cast_SOURCES = tests/unit/test_cast.c
tests_unit_test_cast_CFLAGS = $(TUI_TEST_CFLAGS)
tests_unit_test_cast_LDADD = $(TUI_TEST_LDADD)

tests_unit_test_replay_SOURCES = tests/unit/test_replay.c
tests_unit_test_replay_CFLAGS = $(TUI_TEST_CFLAGS)
tests_unit_test_replay_LDADD = $(TUI_TEST_LDADD)

# The console's pure rooms, each without a terminal.
TUI_ROOM_TESTS = tests/unit/test_keymap tests/unit/test_layout
check_PROGRAMS += $(TUI_ROOM_TESTS)
TESTS += $(TUI_ROOM_TESTS)
tests_unit_test_keymap_SOURCES = tests/unit/test_keymap.c
tests_unit_test_keymap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_keymap_LDADD = libtui.a $(CMOCKA_LIBS)
tests_unit_test_layout_SOURCES = tests/unit/test_layout.c
tests_unit_test_layout_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_layout_LDADD = libtui.a $(CMOCKA_LIBS)
endif
