# tui/: the console client: the link to the server, the console loop and its
# rooms (keys to actions, panels to places, actions to effects), the ncurses
# screen and its rooms (paint, the recording pty, the crash rescue: the only
# files that know ncurses), replay and the asciicast recorder. Above panels,
# themes and view.
noinst_LIBRARIES += libtui.a
libtui_a_SOURCES = \
	tui/cast.c tui/cast.h \
	tui/commands.c tui/commands.h \
	tui/console.c tui/console.h \
	tui/keymap.c tui/keymap.h \
	tui/layout.c tui/layout.h \
	tui/link.c tui/link.h \
	tui/paint.c tui/paint.h \
	tui/ptyrec.c tui/ptyrec.h \
	tui/replay.c tui/replay.h \
	tui/rescue.c tui/rescue.h \
	tui/screen.c tui/screen.h
libtui_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS) $(LIBUV_CFLAGS)
