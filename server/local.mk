# server/: the engine's wiring of core + backends on one loop. Today the
# collector (signals into a window); the server process comes next.
noinst_LIBRARIES += libserver.a
libserver_a_SOURCES = \
	server/collector.c server/collector.h \
	server/mover.c server/mover.h \
	server/snapshot.c server/snapshot.h \
	server/engine.c server/engine.h server/engine_priv.h \
	server/engine_cmd.c \
	server/engine_guard.c \
	server/preflight_job.c server/preflight_job.h \
	server/server.c server/server.h \
	server/statedir.c server/statedir.h
libserver_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS)
