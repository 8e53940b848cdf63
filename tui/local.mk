# tui/: the console client: the link to the server, the console loop, the
# ncurses screen (the only file that knows ncurses), replay and the
# asciicast recorder. Above panels, themes and view.
noinst_LIBRARIES += libtui.a
libtui_a_SOURCES = \
	tui/cast.c tui/cast.h \
	tui/console.c tui/console.h \
	tui/link.c tui/link.h \
	tui/replay.c tui/replay.h \
	tui/screen.c tui/screen.h
libtui_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS) $(LIBUV_CFLAGS)
