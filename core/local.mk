# core/: pure logic (no I/O, no ncurses/curl/uv), the bottom layer: every
# other library and most unit tests link libcore.a. Its tests are in
# tests/unit/local.mk, its fuzz targets in tests/fuzz/local.mk.
noinst_LIBRARIES += libcore.a
libcore_a_SOURCES = \
	core/color.c core/color.h \
	core/config.c core/config.h \
	core/config_keys.c core/config_keys.h \
	core/errcode.h \
	core/config_json.c \
	core/cfgdiff.c core/cfgdiff.h \
	core/confcheck.c core/confcheck.h \
	core/control.c core/control.h \
	core/exitcode.h \
	core/guards.c core/guards.h core/guards_failures.c core/guards_priv.h \
	core/guards_watch.c \
	core/gwlog.c core/gwlog.h \
	core/gwlook.c core/gwlook.h \
	core/hist.c core/hist.h \
	core/intent.c core/intent.h \
	core/journal.c core/journal.h \
	core/json5.c core/json5.h \
	core/logparse.c core/logparse.h \
	core/median_shift.c core/median_shift.h \
	core/metric.c core/metric.h core/metric_json.c core/metric_json.h \
	core/lsofparse.c core/lsofparse.h \
	core/nginxconf.c core/nginxconf.h \
	core/nginxlex.c core/nginxlex.h \
	core/procnet.c core/procnet.h \
	core/proportion.c core/proportion.h \
	core/protocol.c core/protocol.h \
	core/report.c core/report.h \
	core/report_render.c \
	core/rollout.c core/rollout.h \
	core/sample_ring.c core/sample_ring.h \
	core/scenario.c core/scenario.h \
	core/sha256.c core/sha256.h \
	core/sse.c core/sse.h \
	core/timeline.c core/timeline.h \
	core/upstream.c core/upstream.h \
	core/window.c core/window.h
libcore_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
