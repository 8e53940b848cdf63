# server/: the server process only: the engine on one loop (engine*.c, the
# preflight job on the thread pool), its socket layer (listener, per-client
# conns, peer credentials, the socket path the CLI's client also connects
# to) and the numbers beyond the terminal (export file, Prometheus endpoint,
# Grafana annotations). What the direct CLI runs too is in runtime/.
noinst_LIBRARIES += libserver.a
libserver_a_SOURCES = \
	server/conn.c server/conn.h \
	server/engine.c server/engine.h server/engine_priv.h \
	server/engine_cmd.c \
	server/engine_guard.c \
	server/engine_lookup.c \
	server/export.c server/export.h \
	server/grafana.c server/grafana.h \
	server/listener.c server/listener.h \
	server/peercred.h \
	server/preflight_job.c server/preflight_job.h \
	server/prom.c server/prom.h \
	server/server.c server/server.h \
	server/sockpath.c server/sockpath.h
# SO_PEERCRED is Linux's; macOS and the BSDs have getpeereid.
if PLATFORM_LINUX
libserver_a_SOURCES += server/peercred_linux.c
else
libserver_a_SOURCES += server/peercred_bsd.c
endif
EXTRA_DIST += server/peercred_linux.c server/peercred_bsd.c
libserver_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS)
