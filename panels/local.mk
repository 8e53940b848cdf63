# panels/: one file per panel (chart, weights, guards, events, failures,
# status line, help overlay) and what they share (panel.c: title row with
# the snapshot's age, clock, spinner). A panel reads the view-model and
# draws into a grid, so panels are tested without a terminal.
noinst_LIBRARIES += libpanels.a
libpanels_a_SOURCES = \
	panels/banner.c panels/banner.h \
	panels/chart.c panels/chart.h \
	panels/chartmarks.c panels/chartmarks.h \
	panels/events.c panels/events.h \
	panels/failures.c panels/failures.h \
	panels/guardspanel.c panels/guardspanel.h \
	panels/help.c panels/help.h \
	panels/messages.c panels/messages.h \
	panels/panel.c panels/panel.h \
	panels/status.c panels/status.h \
	panels/weights.c panels/weights.h
libpanels_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
