# server/: the engine's wiring of core + backends on one loop. Today the
# collector (signals into a window); the server process comes next.
noinst_LIBRARIES += libserver.a
libserver_a_SOURCES = \
	server/collector.c server/collector.h \
	server/mover.c server/mover.h \
	server/statedir.c server/statedir.h
libserver_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS)
