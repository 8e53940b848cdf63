# themes/themes.mk: the theme loader and the ncurses screen, both in libtui.a.
# The four built-in themes are compiled into theme.c, so the console always
# has one; the .theme files are installed as examples to copy and edit
# (test_theme checks they match the compiled-in text).
libtui_a_SOURCES += \
	themes/theme.c themes/theme.h \
	tui/screen.c tui/screen.h
libtui_a_CFLAGS += $(NCURSES_CFLAGS) $(LIBUV_CFLAGS)

themesdir = $(pkgdatadir)/themes
dist_themes_DATA = \
	themes/default.theme \
	themes/colorblind.theme \
	themes/mono.theme \
	themes/high-contrast.theme

if HAVE_CMOCKA
THEME_TESTS = tests/unit/test_theme tests/unit/test_screen
check_PROGRAMS += $(THEME_TESTS)
TESTS += $(THEME_TESTS)

tests_unit_test_theme_SOURCES = tests/unit/test_theme.c
tests_unit_test_theme_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_theme_LDADD = libtui.a $(CMOCKA_LIBS)

tests_unit_test_screen_SOURCES = tests/unit/test_screen.c
tests_unit_test_screen_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_screen_LDADD = libtui.a $(NCURSES_LIBS) $(LIBUV_LIBS) $(CJSON_LIBS) $(CMOCKA_LIBS)
endif
