# timeline.mk: the timeline files (core reader/encoders, the server's
# writer), `cutover report` and their tests (issue 7).
libcore_a_SOURCES += core/timeline.c core/timeline.h core/report.c core/report.h \
	core/report_render.c
libserver_a_SOURCES += server/timeline.c server/timeline.h
libcli_a_SOURCES += cli/cmd_report.c

