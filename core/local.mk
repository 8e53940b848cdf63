# core: pure logic (no I/O), linked into the CLI, the server and the unit tests.
noinst_LIBRARIES += libcore.a
libcore_a_SOURCES = \
	core/color.c core/color.h \
	core/config.c core/config.h \
	core/config_keys.c core/config_keys.h \
	core/errcode.h \
	core/config_json.c \
	core/confcheck.c core/confcheck.h \
	core/nginxlex.c core/nginxlex.h \
	core/upstream.c core/upstream.h \
	core/rollout.c core/rollout.h \
	core/journal.c core/journal.h \
	core/metric.c core/metric.h core/metric_json.c core/metric_json.h
libcore_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
