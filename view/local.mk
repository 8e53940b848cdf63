# view/: the console's view-model, terminal-free: the model built from the
# server's snapshots and events, and the grid of role-tagged cells panels
# draw into. Above core; panels, themes and tui read it.
noinst_LIBRARIES += libview.a
libview_a_SOURCES = \
	view/announce.c view/announce.h \
	view/castmark.c view/castmark.h \
	view/grid.c view/grid.h \
	view/model.c view/model.h \
	view/wrap.c view/wrap.h
libview_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
